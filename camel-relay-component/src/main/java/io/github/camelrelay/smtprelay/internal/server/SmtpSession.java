package io.github.camelrelay.smtprelay.internal.server;

import java.net.InetAddress;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SMTP state machine of one connection: checks each command line against the limits of its kind, runs the
 * command its verb names, counts errors, and hands what may block to the listener's executor while the connection
 * stops reading. Confined to the connection's event loop.
 */
final class SmtpSession {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpSession.class);

    private final ListenerContext context;
    private final SessionState state;
    private final SessionIo io;
    /** Set while an AUTH exchange waits for the client's answer to a 334 challenge. */
    private Consumer<LineFramer.Line> answerHandler;
    private SerialExecutor serial;

    SmtpSession(ListenerContext context, SessionState state, SessionIo io) {
        this.context = context;
        this.state = state;
        this.io = io;
    }

    ServerSettings settings() {
        return context.settings();
    }

    ListenerContext context() {
        return context;
    }

    SessionState state() {
        return state;
    }

    SessionIo io() {
        return io;
    }

    /**
     * This connection's tasks on the listener's executor, in order (message data writes, then the commit or release
     * of that message, then the next message's), so the connection never has more than one task in its queue.
     */
    SerialExecutor serial() {
        if (serial == null) {
            serial = new SerialExecutor(context.blocking());
        }
        return serial;
    }

    InetAddress clientAddress() {
        return state.client().getAddress();
    }

    /** The 220 greeting; the server name is its first word, where nmap and others look for it. */
    void greet() {
        io.write("220 " + settings().hostName + " ESMTP ready");
    }

    /** Sends a reply; a 5xx counts as an error of the session. */
    void reply(String reply) {
        if (reply.charAt(0) == '5') {
            state.error();
        }
        LOG.debug("Server: {}", reply);
        io.write(reply);
    }

    void replyAndClose(String reply) {
        LOG.debug("Server: {}", reply);
        io.writeAndClose(reply);
    }

    /** The next line is the answer to a challenge, given to the handler instead of being run as a command. */
    void expectAnswer(Consumer<LineFramer.Line> handler) {
        this.answerHandler = handler;
    }

    /** One line from the client. */
    void line(LineFramer.Line raw) {
        Consumer<LineFramer.Line> answer = answerHandler;
        if (answer != null) {
            answerHandler = null;
            answer.accept(raw);
            return;
        }
        if (state.tooManyErrors()) {
            replyAndClose("421 4.7.0 " + settings().hostName + " Error: too many errors, closing connection");
            return;
        }
        if (raw.endless()) {
            reply("500 5.5.2 Line too long: expected a command line of at most " + LineFramer.COMMAND_LINE_LIMIT
                  + " octets but found no end of line after " + LineFramer.DISCARD_LIMIT);
            replyAndClose("421 4.7.0 " + settings().hostName + " closing connection");
            return;
        }
        int limit = raw.auth() ? LineFramer.AUTH_LINE_LIMIT : LineFramer.COMMAND_LINE_LIMIT;
        if (raw.length() > limit) {
            reply("500 5.5.2 Line too long: expected a command line of at most " + limit
                  + " octets including CRLF (RFC 5321 4.5.3.1.4) but found " + raw.length());
        } else if (raw.badEnding()) {
            reply("500 5.5.2 Syntax error: expected a command line ending in CRLF but found a bare CR or LF");
        } else {
            command(raw.text(), raw.auth());
        }
    }

    private void command(String line, boolean auth) {
        String shown = auth ? withoutInitialResponse(line) : line;
        // the credentials of AUTH PLAIN <initial-response> never reach a log, not even at DEBUG
        LOG.debug("Client: {}", Replies.printable(shown));
        if (auth && shown.length() + 2 > LineFramer.COMMAND_LINE_LIMIT) {
            reply("500 5.5.2 Line too long: expected AUTH mechanism [initial-response] with a short mechanism name but"
                  + " found " + (shown.length() + 2) + " octets before the initial response");
            return;
        }
        int space = line.indexOf(' ');
        String verb = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
        SmtpCommand command = context.commands().get(verb);
        if (command == null) {
            reply(line.isBlank() ? "500 5.5.2 Error: bad syntax" : "500 5.5.2 Error: command not recognized");
            return;
        }
        run(() -> command.execute(verb, line, this), verb);
    }

    /** Runs a step of a command, turning its refusal into the reply. */
    void run(Step step, String what) {
        try {
            step.run();
        } catch (CloseConnectionException e) {
            replyAndClose(e.getErrorResponse());
        } catch (RejectException e) {
            reply(e.getErrorResponse());
        } catch (RuntimeException e) {
            LOG.warn("{} from {} failed unexpectedly", what, clientAddress().getHostAddress(), e);
            reply("451 4.3.0 Internal error, try again later");
        }
    }

    /** A step that may refuse. */
    @FunctionalInterface
    interface Step {
        void run() throws RejectException;
    }

    /**
     * Runs work that may block on the listener's executor, reading nothing meanwhile, then {@code then} on the event
     * loop with its result or failure. A full executor is a failure too (RejectedExecutionException).
     */
    <T> void offload(Callable<T> work, BiConsumer<T, Throwable> then) {
        offload(serial(), work, then);
    }

    /** As {@link #offload(Callable, BiConsumer)}, on the given executor (a connection's serial one). */
    <T> void offload(Executor executor, Callable<T> work, BiConsumer<T, Throwable> then) {
        io.suspend();
        try {
            executor.execute(() -> {
                T result = null;
                Throwable failure = null;
                try {
                    result = work.call();
                } catch (Throwable t) {
                    failure = t;
                }
                T r = result;
                Throwable f = failure;
                io.eventLoop().execute(() -> finish(() -> then.accept(r, f)));
            });
        } catch (RejectedExecutionException e) {
            finish(() -> then.accept(null, e));
        }
    }

    /** Waits without reading input, then runs the task on the event loop. */
    void delay(long millis, Runnable then) {
        io.suspend();
        io.schedule(millis, () -> finish(then));
    }

    private void finish(Runnable then) {
        try {
            then.run();
        } finally {
            io.resume();
        }
    }

    /** {@code AUTH <mechanism>} without what follows, which may be credentials. */
    private static String withoutInitialResponse(String line) {
        String[] parts = line.split(" ", 3);
        return parts.length < 3 ? line : parts[0] + " " + parts[1];
    }
}
