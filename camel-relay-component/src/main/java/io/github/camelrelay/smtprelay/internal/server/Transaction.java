package io.github.camelrelay.smtprelay.internal.server;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.github.camelrelay.smtprelay.mail.MailAddress;

/** The state of one mail transaction, from MAIL to the end of DATA: the sender and the accepted recipients. */
final class Transaction {

    private final MailAddress sender;
    private final Set<MailAddress> recipients = new LinkedHashSet<>();

    Transaction(MailAddress sender) {
        this.sender = sender;
    }

    MailAddress sender() {
        return sender;
    }

    /** Adds a recipient; a repeated one is kept once. */
    void addRecipient(MailAddress recipient) {
        recipients.add(recipient);
    }

    int recipientCount() {
        return recipients.size();
    }

    List<MailAddress> recipients() {
        return new ArrayList<>(recipients);
    }
}
