package io.github.camelrelay.smtprelay.internal.server;

import java.io.IOException;
import java.io.OutputStream;
import java.time.ZonedDateTime;
import java.util.concurrent.RejectedExecutionException;

import io.netty.buffer.ByteBuf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DATA. The message is streamed by a {@link MessageReader} into the sink as it arrives, refused whole if it has bare
 * line endings, long lines, too many octets or too many Received fields, and otherwise committed on the listener's
 * executor while the connection reads nothing: the 250 reply is sent only after the sink (the Camel route) has taken
 * it, and any failure there is answered 451 so the client keeps the message.
 */
final class DataCommand implements SmtpCommand {

    /** More Received fields than this means the message is going round in a loop. */
    static final int MAX_RECEIVED = 100;

    private static final Logger LOG = LoggerFactory.getLogger(DataCommand.class);

    @Override
    public void execute(String verb, String line, SmtpSession session) throws RejectException {
        if (!line.strip().equalsIgnoreCase("DATA")) {
            throw new RejectException(501, "5.5.4 Syntax: DATA, expected no parameters");
        }
        SessionState state = session.state();
        Transaction transaction = state.transaction();
        if (transaction == null) {
            throw new RejectException(503, "5.5.1 Error: need MAIL command");
        }
        if (transaction.recipientCount() == 0) {
            throw new RejectException(554, "5.5.1 Error: no valid recipients");
        }
        boolean submission = session.settings().relayPolicy.mayRelay(session.clientAddress(), state.authenticatedUser() != null);
        Envelope envelope = new Envelope(transaction.sender(), transaction.recipients(), state.client(), state.helo(),
                state.authenticatedUser(), state.tls(), state.esmtp(), state.tlsDescription(), submission, transaction.dsn(),
                transaction.body(), transaction.smtpUtf8(), transaction.requireTls());
        state.endTransaction();
        session.reply("354 End data with <CR><LF>.<CR><LF>");
        MessageSink.Delivery delivery;
        try {
            delivery = session.context().sink().begin(envelope);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot take a message from {}: {}", envelope.clientText(), e.toString());
            delivery = null;
        }
        session.io().receive(new Transfer(session, envelope, delivery));
    }

    /** One message coming in: read into the delivery, then refused or committed. */
    private static final class Transfer implements DataTransfer {

        private final SmtpSession session;
        private final Envelope envelope;
        private final MessageSink.Delivery delivery;
        private final MessageReader reader;
        private final SerialExecutor writer;
        private final DataSpool spool;

        Transfer(SmtpSession session, Envelope envelope, MessageSink.Delivery delivery) {
            this.session = session;
            this.envelope = envelope;
            this.delivery = delivery;
            ServerSettings settings = session.settings();
            this.writer = session.serial();
            this.spool = delivery == null ? null : new DataSpool(delivery.body(), writer, session.io());
            if (spool != null) {
                spool.write(ReceivedHeader.of(envelope, settings.hostName, delivery.id(), ZonedDateTime.now(settings.clock)));
            }
            this.reader = new MessageReader(spool != null ? spool : OutputStream.nullOutputStream(), settings.maxMessageSize);
        }

        private MessageReader.Result result;

        @Override
        public boolean read(ByteBuf in) throws IOException {
            result = reader.read(in);
            if (result != null && spool != null) {
                spool.endOfData();
            }
            return result != null;
        }

        @Override
        public void finish() {
            if (delivery == null) {
                session.reply("451 4.3.0 Message not accepted, try again later");
                return;
            }
            String refusal = refusal(result, session.settings().maxMessageSize);
            if (refusal != null) {
                release();
                LOG.info("Refused a message from {}: {}", envelope.clientText(), refusal.substring(4));
                session.reply(refusal);
                return;
            }
            // after the last chunk is written, on the same serial executor
            session.offload(writer, () -> {
                try {
                    spool.checkWritten();
                } catch (IOException e) {
                    abort(delivery);
                    throw e;
                }
                delivery.commit();
                return delivery.id();
            }, (id, failure) -> {
                if (failure == null) {
                    session.state().messageAccepted();
                    session.reply("250 2.0.0 Ok: queued as " + id);
                } else if (failure instanceof RejectException e) {
                    session.reply(e.getErrorResponse());
                } else if (failure instanceof IOException e) {
                    LOG.warn("Cannot store a message from {}: {}", envelope.clientText(), e.toString());
                    session.reply("451 4.3.0 Error: cannot store the message, try again later");
                } else {
                    LOG.warn("Handing on a message from {} failed", envelope.clientText(), failure);
                    session.reply("451 4.3.0 Message not accepted, try again later");
                }
            });
        }

        @Override
        public void abandon() {
            release();
            LOG.debug("{} closed the connection during DATA", envelope.clientText());
        }

        /** The message is not taken: its spool is released once the writes already handed off are done. */
        private void release() {
            if (delivery == null) {
                return;
            }
            spool.discard();
            try {
                writer.execute(() -> abort(delivery));
            } catch (RejectedExecutionException e) {
                abort(delivery);
            }
        }
    }

    private static String refusal(MessageReader.Result r, long maxSize) {
        if (r.bareLineEnding() > 0) {
            return "550 5.5.2 Message refused: line " + r.bareLineEnding()
                   + " ends in a bare LF or holds a bare CR, expected CRLF line endings (RFC 5321 2.3.8)";
        }
        if (r.tooBig()) {
            return "552 5.3.4 Message size exceeds fixed maximum message size of " + maxSize + " octets";
        }
        if (r.longLine() > 0) {
            return "500 5.5.2 Message refused: line " + r.longLine() + " has " + r.longLineLength()
                   + " octets, expected at most " + MessageReader.TEXT_LINE_LIMIT + " including CRLF (RFC 5321 4.5.3.1.6)";
        }
        if (r.receivedHeaders() > MAX_RECEIVED) {
            return "554 5.4.6 Too many Received header fields (" + r.receivedHeaders() + ", at most " + MAX_RECEIVED
                   + "): mail loop detected";
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
