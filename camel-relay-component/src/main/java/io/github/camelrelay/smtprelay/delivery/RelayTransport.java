package io.github.camelrelay.smtprelay.delivery;

import java.io.IOException;
import java.io.OutputStream;

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
 */
final class RelayTransport extends SMTPTransport {

    private final SmtpRelayListener listener;
    private final String host;

    RelayTransport(Session session, SmtpRelayListener listener, String host) {
        super(session, new URLName("smtp", null, -1, null, null, null));
        this.listener = listener;
        this.host = host;
    }

    synchronized SmtpReply command(String command) throws MessagingException {
        int code = simpleCommand(command);
        return SmtpReply.parse(code, getLastServerResponse());
    }

    /** Sends DATA; returns the stream to write the message to, or null with {@code rejected} holding the reply. */
    synchronized OutputStream startData(SmtpReply[] rejected) throws MessagingException {
        try {
            return data();
        } catch (SMTPSendFailedException e) {
            rejected[0] = SmtpReply.parse(e.getReturnCode(), getLastServerResponse());
            return null;
        }
    }

    /** Ends the data with CRLF.CRLF and returns the server's verdict on the message. */
    synchronized SmtpReply endData() throws MessagingException, IOException {
        try {
            finishData();
            return SmtpReply.parse(getLastReturnCode(), getLastServerResponse());
        } catch (SMTPSendFailedException e) {
            return SmtpReply.parse(e.getReturnCode(), getLastServerResponse());
        }
    }

    SmtpReply lastReply() {
        return SmtpReply.parse(getLastReturnCode(), getLastServerResponse());
    }

    @Override
    protected void sendCommand(String cmd) throws MessagingException {
        if (listener != null) {
            listener.commandSent(host, cmd.regionMatches(true, 0, "AUTH", 0, 4) ? maskAuth(cmd) : cmd);
        }
        super.sendCommand(cmd);
    }

    @Override
    protected int readServerResponse() throws MessagingException {
        int code = super.readServerResponse();
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
