package io.github.camelrelay.smtprelay.internal.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.github.camelrelay.smtprelay.dsn.DsnRecipient;
import io.github.camelrelay.smtprelay.dsn.DsnRequest;
import io.github.camelrelay.smtprelay.dsn.Ret;
import io.github.camelrelay.smtprelay.mail.MailAddress;

/**
 * The state of one mail transaction, from MAIL to the end of DATA: the sender, its MAIL parameters and the accepted
 * recipients with their DSN requests.
 */
final class Transaction {

    private final MailAddress sender;
    private final Set<MailAddress> recipients = new LinkedHashSet<>();
    private final Map<String, DsnRecipient> dsn = new LinkedHashMap<>();
    private Ret ret;
    private String envid;
    private String body;
    private boolean smtpUtf8;
    private boolean requireTls;

    Transaction(MailAddress sender) {
        this.sender = sender;
    }

    MailAddress sender() {
        return sender;
    }

    void ret(Ret value) {
        ret = value;
    }

    void envid(String value) {
        envid = value;
    }

    /** BODY as declared (7BIT or 8BITMIME), or null. */
    void body(String value) {
        body = value;
    }

    String body() {
        return body;
    }

    void smtpUtf8(boolean value) {
        smtpUtf8 = value;
    }

    void requireTls(boolean value) {
        requireTls = value;
    }

    /** Whether MAIL FROM declared REQUIRETLS (RFC 8689): the message may be relayed only over verified TLS. */
    boolean requireTls() {
        return requireTls;
    }

    /** Whether MAIL FROM declared SMTPUTF8: UTF-8 addresses and header fields are allowed (RFC 6531). */
    boolean smtpUtf8() {
        return smtpUtf8;
    }

    /** Adds a recipient with its DSN request; a repeated one is kept once, with its first request. */
    void addRecipient(MailAddress recipient, DsnRecipient request) {
        if (recipients.add(recipient) && (request.notifyGiven() || request.orcpt() != null)) {
            dsn.put(recipient.address(), request);
        }
    }

    /** What the client asked of delivery status notifications. */
    DsnRequest dsn() {
        return ret == null && envid == null && dsn.isEmpty() ? DsnRequest.NONE : new DsnRequest(ret, envid, Set.of(), dsn);
    }

    int recipientCount() {
        return recipients.size();
    }

    List<MailAddress> recipients() {
        return new ArrayList<>(recipients);
    }
}
