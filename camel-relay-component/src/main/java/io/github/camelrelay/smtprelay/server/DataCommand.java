package io.github.camelrelay.smtprelay.server;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.time.ZonedDateTime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.Session;

/**
 * DATA. Replaces SubEthaSMTP's, which passes bare CR and LF through, has no line or size limit while reading and sends
 * 250 as soon as its handler returns. Here the message is read by {@link CommandInput#readMessage} into the sink,
 * refused whole if it has bare line endings, long lines, too many octets or too many Received fields, and otherwise
 * committed: the 250 reply is sent only after the sink (the Camel route) has taken it, and any failure there is
 * answered 451 so the client keeps the message.
 */
final class DataCommand extends RelayCommand {

    /** More Received fields than this means the message is going round in a loop. */
    static final int MAX_RECEIVED = 100;

    private static final Logger LOG = LoggerFactory.getLogger(DataCommand.class);

    DataCommand(CommandContext context) {
        super("DATA", "Starts the message, which ends with <CRLF>.<CRLF>.", context);
    }

    @Override
    void handle(String line, Session session, SmtpConnection connection) throws IOException, RejectException {
        if (!line.strip().equalsIgnoreCase("DATA")) {
            throw new RejectException(501, "5.5.4 Syntax: DATA, expected no parameters");
        }
        if (!session.isMailTransactionInProgress()) {
            throw new RejectException(503, "5.5.1 Error: need MAIL command");
        }
        Transaction transaction = (Transaction) session.getMessageHandler();
        if (transaction.recipientCount() == 0) {
            throw new RejectException(554, "5.5.1 Error: no valid recipients");
        }
        if (session.getRawInput().available() > 0) {
            // cannot happen while CommandInput hands out one line at a time; reading on would lose those bytes
            throw new IllegalStateException("SubEthaSMTP buffered input beyond the DATA command");
        }
        SessionState state = connection.state();
        Envelope envelope = new Envelope(transaction.sender(), transaction.recipients(), state.client(),
                session.getHelo().orElse("unknown"), state.authenticatedUser(), state.tls(), state.esmtp(),
                state.tlsDescription());
        session.sendResponse("354 End data with <CR><LF>.<CR><LF>");
        try {
            receive(session, connection, envelope);
        } finally {
            session.resetMailTransaction();
        }
    }

    private void receive(Session session, SmtpConnection connection, Envelope envelope) throws IOException, RejectException {
        ServerSettings settings = context.settings();
        MessageSink.Delivery delivery;
        try {
            delivery = context.sink().begin(envelope);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot take a message from {}: {}", envelope.clientText(), e.toString());
            delivery = null;
        }
        CommandInput.DataResult result;
        try {
            OutputStream body = delivery != null ? delivery.body() : OutputStream.nullOutputStream();
            if (delivery != null) {
                body.write(ReceivedHeader.of(envelope, settings.hostName, delivery.id(), ZonedDateTime.now(settings.clock)));
            }
            result = connection.input().readMessage(body, settings.maxMessageSize);
        } catch (EOFException e) {
            abort(delivery);
            LOG.debug("{} closed the connection during DATA", envelope.clientText());
            session.quit();
            return;
        } catch (IOException | RuntimeException e) {
            // a read timeout ends up here too; SubEthaSMTP answers 421 and closes
            abort(delivery);
            throw e;
        }
        if (delivery == null) {
            throw new RejectException(451, "4.3.0 Message not accepted, try again later");
        }
        RejectException refusal = refusal(result);
        if (refusal != null) {
            abort(delivery);
            LOG.info("Refused a message from {}: {}", envelope.clientText(), refusal.getMessage());
            throw refusal;
        }
        delivery.commit();
        connection.state().messageAccepted();
        session.sendResponse("250 2.0.0 Ok: queued as " + delivery.id());
    }

    private RejectException refusal(CommandInput.DataResult r) {
        if (r.bareLineEnding() > 0) {
            return new RejectException(550, "5.5.2 Message refused: line " + r.bareLineEnding()
                                            + " ends in a bare LF or holds a bare CR, expected CRLF line endings"
                                            + " (RFC 5321 2.3.8)");
        }
        if (r.tooBig()) {
            return new RejectException(552, "5.3.4 Message size exceeds fixed maximum message size of "
                                            + context.settings().maxMessageSize + " octets");
        }
        if (r.longLine() > 0) {
            return new RejectException(500, "5.5.2 Message refused: line " + r.longLine() + " has " + r.longLineLength()
                                            + " octets, expected at most " + CommandInput.TEXT_LINE_LIMIT
                                            + " including CRLF (RFC 5321 4.5.3.1.6)");
        }
        if (r.receivedHeaders() > MAX_RECEIVED) {
            return new RejectException(554, "5.4.6 Too many Received header fields (" + r.receivedHeaders()
                                            + ", at most " + MAX_RECEIVED + "): mail loop detected");
        }
        return null;
    }

    private static void abort(MessageSink.Delivery delivery) {
        if (delivery != null) {
            try {
                delivery.abort();
            } catch (RuntimeException e) {
                LOG.warn("Releasing a refused message failed", e);
            }
        }
    }
}
