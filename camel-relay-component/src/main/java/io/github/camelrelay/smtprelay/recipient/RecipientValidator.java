package io.github.camelrelay.smtprelay.recipient;

import io.github.camelrelay.smtprelay.mail.MailAddress;

/**
 * Says whether a recipient at one of the listener's local domains exists. Implement it against your directory and
 * set it as the {@code recipientValidator} option; for a fixed list, the {@code validRecipients} and
 * {@code validRecipientsFile} options ({@link RecipientList}) do without code. Recipients at other domains (relayed
 * for trusted or authenticated clients) are never passed to it.
 * <p>
 * Called off the listener's event loops, once per RCPT TO; it may block briefly (a directory look-up).
 */
@FunctionalInterface
public interface RecipientValidator {

    /**
     * @param recipient an address whose domain is local, in canonical form
     * @return true when the mailbox exists; false refuses the recipient with 550 5.1.1. An exception answers the
     *         client 451 4.3.0, so it tries again later.
     */
    boolean isValid(MailAddress recipient) throws Exception;
}
