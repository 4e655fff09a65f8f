package io.github.camelrelay.smtprelay.delivery;

import java.util.List;

import io.github.camelrelay.smtprelay.dsn.DsnRequest;
import io.github.camelrelay.smtprelay.mail.MailAddress;

/**
 * One message to deliver: the envelope, the content, and the trace header to put in front of it.
 *
 * @param id         the identifier printed at the start of each log line (the exchange id)
 * @param created    when the message entered the route, in epoch milliseconds, for the log's delay
 * @param prefix     bytes written before the content (the Received header), or null
 * @param dsn        the DSN request (RFC 3461) passed on to servers that offer DSN
 * @param body       BODY as the client declared it (7BIT or 8BITMIME), or null
 * @param smtpUtf8   whether the client declared SMTPUTF8 (RFC 6531)
 * @param tls        what the sender asked of the relaying's TLS: REQUIRETLS, {@code TLS-Required: No} or nothing
 */
public record OutgoingMail(String id, long created, MailAddress sender, List<MailAddress> recipients,
        MessageContent content, byte[] prefix, DsnRequest dsn, String body, boolean smtpUtf8, TlsDemand tls) {

    public OutgoingMail {
        recipients = List.copyOf(recipients);
        dsn = dsn == null ? DsnRequest.NONE : dsn;
        tls = tls == null ? TlsDemand.DEFAULT : tls;
    }

    /** A mail whose sender asked nothing of TLS. */
    public OutgoingMail(String id, long created, MailAddress sender, List<MailAddress> recipients, MessageContent content,
                        byte[] prefix, DsnRequest dsn, String body, boolean smtpUtf8) {
        this(id, created, sender, recipients, content, prefix, dsn, body, smtpUtf8, TlsDemand.DEFAULT);
    }

    /** A mail without a DSN request. */
    public OutgoingMail(String id, long created, MailAddress sender, List<MailAddress> recipients, MessageContent content,
                        byte[] prefix) {
        this(id, created, sender, recipients, content, prefix, DsnRequest.NONE, null, false);
    }

    /** The same mail to other recipients. */
    public OutgoingMail withRecipients(List<MailAddress> others) {
        return new OutgoingMail(id, created, sender, others, content, prefix, dsn, body, smtpUtf8, tls);
    }

    /** The same mail with other content (its 7-bit conversion). */
    OutgoingMail withContent(MessageContent other) {
        return new OutgoingMail(id, created, sender, recipients, other, prefix, dsn, body, smtpUtf8, tls);
    }

    long size() {
        long size = content.size();
        return size < 0 ? -1 : size + (prefix == null ? 0 : prefix.length);
    }
}
