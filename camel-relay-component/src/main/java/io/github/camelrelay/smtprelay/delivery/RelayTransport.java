package io.github.camelrelay.smtprelay.delivery;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.github.camelrelay.smtprelay.SmtpRelayListener;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Angus Mail's SMTP client, driven one command at a time. {@link SMTPTransport#sendMessage} answers for a whole
 * message; a relay needs the reply to each RCPT TO, so this subclass uses the protected protocol primitives that
 * Angus documents for subclasses (data(), finishData(), simpleCommand()) and keeps all wire handling (dot-stuffing,
 * CRLF, STARTTLS, AUTH) in the library.
 * <p>
 * Angus Mail does not pipeline (RFC 2920), so this class does it with the same primitives: the envelope commands are
 * sent with {@link #sendCommand} without waiting, and when DATA's reply is awaited, the replies to the commands
 * before it are read first, in order, and kept for {@link #pipelinedReplies()}.
 */
final class RelayTransport extends SMTPTransport {

    private static final byte[] CRLF = {'\r', '\n'};

    private final SmtpRelayListener listener;
    private final String host;
    /** Commands sent whose replies have not been read yet. */
    private int unanswered;
    /** Replies read that were replies (not the end of the stream or garbage). */
    private int validReplies;
    private final List<SmtpReply> pipelined = new ArrayList<>();
    private Runnable onReply = () -> { };
    private java.util.function.Consumer<String> onCommand = command -> { };
    private java.util.function.Supplier<String> authRefusal = () -> null;
    private volatile String authRefused;
    private TlsCheck afterStartTls;
    /** The command being sent carries a secret: the listener sees it masked. */
    private boolean secret;

    RelayTransport(Session session, SmtpRelayListener listener, String host) {
        super(session, new URLName("smtp", null, -1, null, null, null));
        this.listener = listener;
        this.host = host;
    }

    /** Called after each reply read, which is progress for the timeout of the operation under way. */
    void onReply(Runnable action) {
        this.onReply = action;
    }

    /** Called before each command Angus sends itself, to arm the timeout for its reply. */
    void onCommand(java.util.function.Consumer<String> action) {
        this.onCommand = action;
    }

    /**
     * Asked just before AUTH is sent, after EHLO and STARTTLS: a reason not to send it, or null. Angus sends AUTH
     * from inside connect(), so this is the one place where the state of the connection and the password meet.
     */
    void authOnlyIf(java.util.function.Supplier<String> refusal) {
        this.authRefusal = refusal;
    }

    /**
     * Called right after the STARTTLS handshake, before the second EHLO (and AUTH): throws to end the session when
     * the server's certificate does not satisfy the destination's TLS policy.
     */
    void afterStartTls(TlsCheck check) {
        this.afterStartTls = check;
    }

    /** A check of the TLS socket; throws to refuse it. */
    interface TlsCheck {
        void check(javax.net.ssl.SSLSocket socket) throws MessagingException;
    }

    @Override
    protected void startTLS() throws MessagingException {
        super.startTLS();
        if (afterStartTls != null) {
            javax.net.ssl.SSLSocket socket = sslSocket();
            if (socket == null) {
                throw new MessagingException("the TLS session cannot be checked: the socket is not at hand");
            }
            afterStartTls.check(socket);
        }
    }

    /**
     * The TLS socket after STARTTLS, whose session holds the server's chain; null when it cannot be had. Angus keeps
     * it private, hence the reflection (as for {@link #rawOutput}).
     */
    synchronized javax.net.ssl.SSLSocket sslSocket() {
        try {
            java.lang.reflect.Field f = SMTPTransport.class.getDeclaredField("serverSocket");
            f.setAccessible(true);
            return f.get(this) instanceof javax.net.ssl.SSLSocket ssl ? ssl : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Why AUTH was not sent on this connection, or null when it was not held back. */
    String authRefused() {
        return authRefused;
    }

    synchronized SmtpReply command(String command) throws MessagingException {
        int code = simpleCommand(command);
        return SmtpReply.parse(code, getLastServerResponse());
    }

    /**
     * A command line that carries a credential (an AUTH line with its initial response, or a response to a
     * challenge): the listener sees it masked, and Angus's protocol trace, when on, is suspended for it as Angus does
     * for its own AUTH (mail.debug.auth).
     */
    synchronized SmtpReply secretCommand(String command) throws MessagingException {
        secret = true;
        boolean suspended = trace("suspendTracing");
        try {
            return command(command);
        } finally {
            secret = false;
            if (suspended) {
                trace("resumeTracing");
            }
        }
    }

    /** Calls Angus's private trace switch; false when it cannot, as its trace is off unless asked for. */
    private boolean trace(String method) {
        try {
            java.lang.reflect.Method m = SMTPTransport.class.getDeclaredMethod(method);
            m.setAccessible(true);
            m.invoke(this);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /** Whether the server's EHLO offers this SASL mechanism with AUTH. */
    synchronized boolean offersAuth(String mechanism) {
        return supportsAuthentication(mechanism);
    }

    /** Sends a command without waiting for its reply; the next reply read answers the oldest such command first. */
    synchronized void pipeline(String command) throws MessagingException {
        sendCommand(command);
        unanswered++;
    }

    /**
     * Writes commands to {@code wire}, the stream the server reads commands from, and flushes once, so a pipelined
     * group goes out in one segment; Angus's own {@link #sendCommand} flushes after every command. Only for a wire
     * whose buffer is empty between exchanges, with Angus's own output stream idle.
     */
    synchronized void sendGroup(OutputStream wire, List<String> commands) throws IOException {
        for (String command : commands) {
            // the same guard as Angus's sendCommand: a command is one line
            if (command.indexOf('\r') >= 0 || command.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("Expected a command without CR or LF but found: " + command);
            }
            if (listener != null) {
                listener.commandSent(host, command);
            }
            wire.write(command.getBytes(StandardCharsets.UTF_8));
            wire.write(CRLF);
        }
        wire.flush();
    }

    /** Ends data written around Angus (see {@link #sendGroup}) with its final dot and reads the verdict. */
    synchronized SmtpReply endData(DotStuffingOutputStream data) throws IOException, MessagingException {
        if (listener != null) {
            listener.commandSent(host, ".");
        }
        data.endData();
        return readReplies(1).get(0);
    }

    /** Reads {@code count} replies, in the order of the commands they answer. */
    synchronized List<SmtpReply> readReplies(int count) throws MessagingException {
        List<SmtpReply> replies = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            replies.add(SmtpReply.parse(readOneResponse(), getLastServerResponse()));
        }
        return replies;
    }

    /** Reads the replies to the commands pipelined since the last read, in order (when no DATA follows them: BDAT). */
    synchronized List<SmtpReply> readPipelined() throws MessagingException {
        List<SmtpReply> replies = new ArrayList<>(pipelined);
        pipelined.clear();
        while (unanswered > 0) {
            unanswered--;
            replies.add(SmtpReply.parse(readOneResponse(), getLastServerResponse()));
        }
        return replies;
    }

    /**
     * The stream Angus writes commands to, for BDAT chunks written around it (see {@link BdatOutputStream}); null when
     * it cannot be had, and the message then goes with DATA. Angus keeps it private and offers no BDAT that leaves
     * the octets alone, hence the reflection; its output stream is idle and flushed between its commands.
     */
    synchronized OutputStream rawOutput() {
        try {
            java.lang.reflect.Field f = SMTPTransport.class.getDeclaredField("serverOutput");
            f.setAccessible(true);
            return (OutputStream) f.get(this);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** One BDAT chunk: the command line and the octets in one write, then the reply to it. */
    synchronized SmtpReply bdatChunk(OutputStream wire, String command, byte[] data, int length)
            throws IOException, MessagingException {
        if (listener != null) {
            listener.commandSent(host, command);
        }
        onCommand.accept(command);
        wire.write(BdatOutputStream.line(command));
        wire.write(data, 0, length);
        wire.flush();
        return readReplies(1).get(0);
    }

    /** The replies to the pipelined commands, read when DATA's reply was awaited; cleared by this call. */
    synchronized List<SmtpReply> pipelinedReplies() {
        List<SmtpReply> replies = List.copyOf(pipelined);
        pipelined.clear();
        return replies;
    }

    /** Sends DATA; returns the stream to write the message to, or null with {@code rejected} holding the reply. */
    synchronized OutputStream startData(SmtpReply[] rejected) throws MessagingException {
        try {
            return data();
        } catch (SMTPSendFailedException e) {
            rejected[0] = refusal(e);
            return null;
        }
    }

    /** Ends the data with CRLF.CRLF and returns the server's verdict on the message. */
    synchronized SmtpReply endData() throws MessagingException, IOException {
        try {
            finishData();
            return SmtpReply.parse(getLastReturnCode(), getLastServerResponse());
        } catch (SMTPSendFailedException e) {
            return refusal(e);
        }
    }

    /**
     * The refusal an SMTPSendFailedException reports. Its message is the server's reply; the last server response is
     * not, as Angus has already sent RSET, which also means the transaction is over.
     */
    private static SmtpReply refusal(SMTPSendFailedException e) {
        return SmtpReply.parse(e.getReturnCode(), e.getMessage());
    }

    int validReplies() {
        return validReplies;
    }

    SmtpReply lastReply() {
        return SmtpReply.parse(getLastReturnCode(), getLastServerResponse());
    }

    @Override
    protected void sendCommand(String cmd) throws MessagingException {
        if (cmd.regionMatches(true, 0, "AUTH ", 0, 5)) {
            String refusal = authRefusal.get();
            if (refusal != null) {
                authRefused = refusal;
                // unchecked: Angus replaces a checked exception thrown during AUTH by its own, without the cause
                throw new IllegalStateException(refusal);
            }
        }
        onCommand.accept(cmd);
        if (listener != null) {
            listener.commandSent(host, cmd.regionMatches(true, 0, "AUTH", 0, 4) ? maskAuth(cmd) : secret ? "****" : cmd);
        }
        super.sendCommand(cmd);
    }

    @Override
    protected int readServerResponse() throws MessagingException {
        while (unanswered > 0) {
            unanswered--;
            int code = readOneResponse();
            pipelined.add(SmtpReply.parse(code, getLastServerResponse()));
        }
        return readOneResponse();
    }

    private int readOneResponse() throws MessagingException {
        int code = super.readServerResponse();
        if (code >= 100) {
            validReplies++;
        }
        onReply.run();
        if (listener != null) {
            SmtpReply reply = SmtpReply.parse(code, getLastServerResponse());
            listener.replyReceived(host, reply.code(), reply.text());
        }
        return code;
    }

    private static String maskAuth(String cmd) {
        String[] parts = cmd.split(" ", 3);
        return parts.length >= 2 ? parts[0] + " " + parts[1] + (parts.length > 2 ? " ****" : "") : cmd;
    }
}
