package io.github.camelrelay.smtprelay.delivery;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import io.github.camelrelay.smtprelay.TlsMode;
import io.github.camelrelay.smtprelay.mail.MailAddress;
import jakarta.mail.MessagingException;

/** One open SMTP connection, greeted, with EHLO, STARTTLS and AUTH done. Not thread-safe: one user at a time. */
final class SmtpSession {

    private final Destination destination;
    private final SessionSettings settings;
    private final Socket socket;
    private final RelayTransport transport;
    private final boolean tls;
    private int messages;

    private SmtpSession(Destination destination, SessionSettings settings, Socket socket, RelayTransport transport) {
        this.destination = destination;
        this.settings = settings;
        this.socket = socket;
        this.transport = transport;
        this.tls = transport.isSSL();
    }

    /** Connects, reads the greeting, says EHLO, and does STARTTLS and AUTH as configured. */
    static SmtpSession open(Destination destination, SessionSettings settings) throws SessionFailure {
        try {
            return open(destination, settings, false);
        } catch (SessionFailure f) {
            // as Postfix does: a failed opportunistic handshake is retried in plain text rather than deferred
            if (settings.tls == TlsMode.OPPORTUNISTIC && !settings.implicitTls && causedBy(f, SSLException.class)) {
                return open(destination, settings, true);
            }
            throw f;
        }
    }

    private static SmtpSession open(Destination destination, SessionSettings settings, boolean plain) throws SessionFailure {
        Socket socket = new Socket();
        RelayTransport transport = null;
        try {
            socket.setTcpNoDelay(true);
            socket.connect(destination.socketAddress(), settings.connectTimeout);
            // bounds the wait for the greeting too, so a tarpit costs at most one command timeout
            socket.setSoTimeout(settings.commandTimeout);
            Socket protocolSocket = socket;
            if (settings.implicitTls) {
                SSLSocket ssl = (SSLSocket) settings.implicitTlsFactory.createSocket(socket, destination.host(), destination.port(), true);
                if (settings.tls == TlsMode.VERIFY) {
                    SSLParameters params = ssl.getSSLParameters();
                    params.setEndpointIdentificationAlgorithm("HTTPS");
                    ssl.setSSLParameters(params);
                }
                ssl.startHandshake();
                protocolSocket = ssl;
            }
            transport = new RelayTransport(plain ? settings.plainSession : settings.session, settings.listener, destination.host());
            transport.connect(protocolSocket);
            SmtpSession session = new SmtpSession(destination, settings, socket, transport);
            if (settings.listener != null) {
                settings.listener.connected(destination.host(), destination.socketAddress(), session.tls);
            }
            return session;
        } catch (MessagingException | IOException | RuntimeException e) {
            int code = 0;
            String text = e.getMessage();
            if (transport != null && transport.getLastReturnCode() >= 400) {
                SmtpReply reply = transport.lastReply();
                code = reply.code();
                text = reply.text();
            } else if (e instanceof MessagingException me && me.getNextException() != null) {
                text = e.getMessage() + ": " + me.getNextException();
            }
            closeQuietly(socket);
            throw new SessionFailure(destination, code, text == null ? e.getClass().getSimpleName() : text, e);
        }
    }

    Destination destination() {
        return destination;
    }

    boolean tls() {
        return tls;
    }

    int messages() {
        return messages;
    }

    /** MAIL FROM, with SIZE when the server announced it and the size is known (RFC 1870). */
    SmtpReply mailFrom(MailAddress sender, long size) throws MessagingException {
        String cmd = "MAIL FROM:<" + sender.address() + ">";
        if (size >= 0 && transport.supportsExtension("SIZE")) {
            cmd += " SIZE=" + size;
        }
        return transport.command(cmd);
    }

    SmtpReply rcptTo(MailAddress recipient) throws MessagingException {
        return transport.command("RCPT TO:<" + recipient.address() + ">");
    }

    /** DATA, the content, and the end of data; the reply to DATA when it was refused, else the reply to the final dot. */
    SmtpReply data(MessageContent content, byte[] prefix) throws MessagingException, IOException {
        SmtpReply[] refused = new SmtpReply[1];
        OutputStream out = transport.startData(refused);
        if (out == null) {
            return refused[0];
        }
        if (prefix != null) {
            out.write(prefix);
        }
        content.writeTo(out);
        // RFC 5321 4.5.3.2: the server may take much longer to answer the final dot than any other command
        socket.setSoTimeout(settings.dataTimeout);
        try {
            SmtpReply reply = transport.endData();
            messages++;
            return reply;
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(settings.commandTimeout);
            }
        }
    }

    /** RSET, so the connection can carry another transaction; false when the server did not answer 250. */
    boolean reset() {
        try {
            return transport.command("RSET").code() == 250;
        } catch (MessagingException | RuntimeException e) {
            return false;
        }
    }

    void close() {
        try {
            transport.close();
        } catch (MessagingException | RuntimeException e) {
            // the connection is going away either way
        } finally {
            closeQuietly(socket);
            if (settings.listener != null) {
                settings.listener.disconnected(destination.host(), destination.socketAddress());
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        // MessagingException.getCause() is its next exception, so this walks Angus's chains too
        for (Throwable c = t; c != null && c.getCause() != c; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
