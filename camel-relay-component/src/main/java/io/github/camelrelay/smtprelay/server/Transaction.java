package io.github.camelrelay.smtprelay.server;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.github.camelrelay.smtprelay.mail.MailAddress;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;

/**
 * The state of one mail transaction, from MAIL to the end of DATA. It is SubEthaSMTP's message handler only so that
 * SubEthaSMTP knows a transaction is open (and ends it on RSET, EHLO and STARTTLS); the replacement commands fill
 * and read it, so SubEthaSMTP's own callbacks are never used and refuse if reached.
 */
final class Transaction implements MessageHandler {

    private MailAddress sender;
    private final Set<MailAddress> recipients = new LinkedHashSet<>();

    void sender(MailAddress sender) {
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

    @Override
    public void from(String from) throws RejectException {
        throw new RejectException(502, "5.5.1 Not supported");
    }

    @Override
    public void recipient(String recipient) throws RejectException {
        throw new RejectException(502, "5.5.1 Not supported");
    }

    @Override
    public String data(InputStream data) throws RejectException {
        throw new RejectException(502, "5.5.1 Not supported");
    }

    @Override
    public void done() {
        // nothing held: the exchange is made and released within DATA
    }
}
