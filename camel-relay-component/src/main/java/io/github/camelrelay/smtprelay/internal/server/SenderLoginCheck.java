package io.github.camelrelay.smtprelay.internal.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import io.github.camelrelay.smtprelay.auth.SenderLogins;
import io.github.camelrelay.smtprelay.mail.HeaderSection;
import io.github.camelrelay.smtprelay.mail.MailAddress;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

/**
 * The sender-login check, Postfix's {@code reject_sender_login_mismatch}: an authenticated user may use as MAIL FROM
 * and in the From header only the addresses its {@link SenderLogins} entry allows; anything else is refused with
 * {@code 553 5.7.1}. Only sessions that authenticated are checked: a relayNetworks client that did not is trusted
 * as it is for relaying, and anyone else may only send to the local domains, whose mail is not signed. The null
 * sender passes at MAIL FROM, as in Postfix; its From header is still checked.
 */
public final class SenderLoginCheck {

    private final SenderLogins logins;

    /** @param logins the map; null or empty means no check */
    public SenderLoginCheck(SenderLogins logins) {
        this.logins = logins == null || logins.isEmpty() ? null : logins;
    }

    public boolean enabled() {
        return logins != null;
    }

    /** At MAIL FROM. @throws RejectException 553 5.7.1 when {@code user} may not use {@code sender} */
    void envelope(String user, MailAddress sender) throws RejectException {
        if (logins == null || user == null || sender.isNullSender() || logins.mayUse(user, sender)) {
            return;
        }
        throw new RejectException(553, "5.7.1 <" + Replies.printable(sender.address())
                                       + ">: Sender address rejected: not owned by user " + Replies.printable(user));
    }

    /**
     * At end of data: every address in the message's From fields (the header section of {@code message}, read with
     * {@link HeaderSection}) must be the user's. A message without From is not checked here; a From that cannot be
     * read is refused, since what a mail program shows of it cannot be known.
     *
     * @throws RejectException 553 5.7.1 naming the first address the user may not use
     */
    public void fromHeader(String user, InputStream message) throws RejectException, IOException {
        if (logins == null || user == null) {
            return;
        }
        HeaderSection headers;
        try {
            headers = HeaderSection.read(message);
        } catch (IllegalArgumentException e) {
            throw new RejectException(553, "5.7.1 From header rejected: " + Replies.printable(e.getMessage()));
        }
        String from = headers.get("From", ",");
        if (from == null) {
            return;
        }
        for (MailAddress address : addresses(from)) {
            if (!logins.mayUse(user, address)) {
                throw new RejectException(553, "5.7.1 <" + Replies.printable(address.address())
                                               + ">: From header address rejected: not owned by user " + Replies.printable(user));
            }
        }
    }

    /** The mailboxes of a From value, group members included, with Jakarta Mail's address list parser. */
    private static List<MailAddress> addresses(String value) throws RejectException {
        List<MailAddress> list = new ArrayList<>();
        try {
            for (InternetAddress a : InternetAddress.parseHeader(value, false)) {
                if (a.isGroup()) {
                    for (InternetAddress member : a.getGroup(false)) {
                        list.add(MailAddress.of(member.getAddress()));
                    }
                } else {
                    list.add(MailAddress.of(a.getAddress()));
                }
            }
        } catch (AddressException | IllegalArgumentException e) {
            throw new RejectException(553, "5.7.1 From header rejected: expected mail addresses but found '"
                                           + Replies.printable(value) + "': " + Replies.printable(e.getMessage()));
        }
        if (list.isEmpty()) {
            throw new RejectException(553, "5.7.1 From header rejected: expected a mail address but found '"
                                           + Replies.printable(value) + "'");
        }
        return list;
    }
}
