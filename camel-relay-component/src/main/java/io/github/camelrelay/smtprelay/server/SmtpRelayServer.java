package io.github.camelrelay.smtprelay.server;

import java.io.IOException;
import java.util.concurrent.ExecutorService;

import io.github.camelrelay.smtprelay.timeout.Watchdog;
import org.subethamail.smtp.server.SMTPServer;

/**
 * The SMTP listener: SubEthaSMTP's server (accepting thread, one thread per connection, command loop and dispatch,
 * idle timeout, total connection limit) with this package's socket, connection gate and commands put in where
 * SubEthaSMTP does not meet RFC 5321 or the relay rules. See each replacement for what it fixes.
 */
public final class SmtpRelayServer {

    private final ServerSettings settings;
    private final SMTPServer server;
    private final ConnectionGate gate;
    /** Enforces the idle timeout on each connection's reads and writes; one per start, closed by stop(). */
    private volatile Watchdog watchdog;

    /**
     * @param executor runs one task per connection; SubEthaSMTP shuts it down when the server stops
     */
    public SmtpRelayServer(ServerSettings settings, MessageSink sink, ExecutorService executor) {
        this.settings = settings;
        this.gate = new ConnectionGate(settings.maxConnectionsPerClient);
        AuthThrottle throttle = new AuthThrottle(settings.maxAuthFailuresPerClient, settings.authFailureDelay,
                settings.authLockoutTime, settings.clock);
        CommandContext context = new CommandContext(settings, sink, throttle);
        this.server = SMTPServer.port(settings.port)
                .bindAddress(settings.bindAddress)
                .hostName(settings.hostName)
                .softwareName("ready")
                .messageHandlerFactory(ctx -> new Transaction())
                .executorService(executor)
                .maxConnections(settings.maxConnections)
                .connectionTimeoutMs(settings.idleTimeout)
                .maxRecipients(settings.maxRecipients)
                .insertReceivedHeaders(false)
                .sessionHandler(gate)
                .serverSocketFactory(() -> new SmtpServerSocket(settings.implicitTls ? settings.sslContext : null,
                        settings.maxErrors, settings.hostName, watchdog))
                .build();
        // each replaces SubEthaSMTP's command of the same name; RSET, NOOP, QUIT, HELP, VRFY and EXPN stay
        for (RelayCommand command : new RelayCommand[] {
                new GreetingCommand(true, context), new GreetingCommand(false, context), new StartTlsCommand(context),
                new AuthCommand(context), new MailCommand(context), new RcptCommand(context), new DataCommand(context),
                new BdatCommand(context) }) {
            server.getCommandHandler().addCommand(command);
        }
    }

    /**
     * Binds the port and starts accepting.
     *
     * @throws IOException when the address or port cannot be bound
     */
    public void start() throws IOException {
        watchdog = new Watchdog(settings.idleTimeout, "smtprelay-listener-watchdog");
        try {
            server.start();
        } catch (RuntimeException e) {
            watchdog.close();
            if (e.getCause() instanceof IOException io) {
                throw new IOException("Cannot listen on " + settings.bindAddress.getHostAddress() + ":" + settings.port
                                      + ": " + io.getMessage(), io);
            }
            throw e;
        }
    }

    /** Stops accepting, closes every connection and waits for their threads to end. */
    public void stop() {
        server.stop();
        Watchdog w = watchdog;
        if (w != null) {
            w.close();
        }
    }

    /** The port in use: the configured one, or the one picked when 0 was configured. */
    public int localPort() {
        return server.getPortAllocated();
    }

    /** Client connections open now. */
    public int openConnections() {
        return gate.openConnections();
    }
}
