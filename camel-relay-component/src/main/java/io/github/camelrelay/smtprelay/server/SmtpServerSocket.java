package io.github.camelrelay.smtprelay.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;

import javax.net.ssl.SSLContext;

import io.github.camelrelay.smtprelay.timeout.Watchdog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening socket: a subclass because SubEthaSMTP takes whatever {@link #accept()} returns as the client socket,
 * which is how each connection becomes an {@link SmtpConnection}. Nothing slow happens here (no TLS handshake, no
 * DNS), as this runs on SubEthaSMTP's single accepting thread.
 */
final class SmtpServerSocket extends ServerSocket {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpServerSocket.class);

    private final SSLContext implicitTls;
    private final int maxErrors;
    private final String hostName;
    private final Watchdog watchdog;

    SmtpServerSocket(SSLContext implicitTls, int maxErrors, String hostName, Watchdog watchdog) throws IOException {
        this.implicitTls = implicitTls;
        this.watchdog = watchdog;
        this.maxErrors = maxErrors;
        this.hostName = hostName;
        setReuseAddress(true);
    }

    /**
     * A client whose socket cannot even be set up is dropped here and the next one accepted, because SubEthaSMTP
     * pauses its accepting thread for a second after any exception from accept().
     */
    @Override
    public Socket accept() throws IOException {
        while (true) {
            Socket tcp = super.accept();
            try {
                tcp.setTcpNoDelay(true);
                return SmtpConnection.accepted(tcp, implicitTls, maxErrors, hostName, watchdog);
            } catch (IOException | RuntimeException e) {
                LOG.debug("Dropped a connection from {} that could not be set up: {}", tcp.getRemoteSocketAddress(), e.toString());
                tcp.close();
            }
        }
    }
}
