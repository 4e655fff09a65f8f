package io.github.camelrelay.smtprelay.delivery;

import java.util.List;

import io.github.camelrelay.smtprelay.mail.MailAddress;

/**
 * One message to deliver: the envelope, the content, and the trace header to put in front of it.
 *
 * @param id         the identifier printed at the start of each log line (the exchange id)
 * @param created    when the message entered the route, in epoch milliseconds, for the log's delay
 * @param prefix     bytes written before the content (the Received header), or null
 */
public record OutgoingMail(String id, long created, MailAddress sender, List<MailAddress> recipients,
        MessageContent content, byte[] prefix) {

    public OutgoingMail {
        recipients = List.copyOf(recipients);
    }

    long size() {
        long size = content.size();
        return size < 0 ? -1 : size + (prefix == null ? 0 : prefix.length);
    }
}
