package io.github.camelrelay.smtprelay.internal.server;

import java.net.InetSocketAddress;
import java.util.List;

import io.github.camelrelay.smtprelay.dsn.DsnRequest;
import io.github.camelrelay.smtprelay.mail.Domain;
import io.github.camelrelay.smtprelay.mail.MailAddress;

/**
 * The envelope of one accepted message and what is known of the client that sent it.
 *
 * @param sender            the MAIL FROM address, {@link MailAddress#NULL_SENDER} for {@code <>}
 * @param recipients        the accepted RCPT TO addresses, in order, without duplicates
 * @param client            the client's address and port
 * @param helo              the name given in EHLO or HELO
 * @param authenticatedUser the AUTH user, or null
 * @param tls               whether the session is encrypted
 * @param esmtp             whether the client greeted with EHLO
 * @param tlsDescription    protocol and cipher when encrypted, else null
 * @param submission        whether the client may relay (it authenticated or is in the relay networks): mail this
 *                          relay vouches for, to be enriched and signed, unlike mail that only arrived for a local domain
 * @param dsn               the DSN parameters of MAIL FROM and RCPT TO (RFC 3461)
 * @param body              BODY of MAIL FROM as declared (7BIT or 8BITMIME), or null
 * @param smtpUtf8          whether MAIL FROM declared SMTPUTF8 (RFC 6531)
 * @param requireTls        whether MAIL FROM declared REQUIRETLS (RFC 8689): relay only over verified TLS
 */
public record Envelope(MailAddress sender, List<MailAddress> recipients, InetSocketAddress client, String helo,
        String authenticatedUser, boolean tls, boolean esmtp, String tlsDescription, boolean submission,
        DsnRequest dsn, String body, boolean smtpUtf8, boolean requireTls) {

    /** An envelope without REQUIRETLS. */
    public Envelope(MailAddress sender, List<MailAddress> recipients, InetSocketAddress client, String helo,
                    String authenticatedUser, boolean tls, boolean esmtp, String tlsDescription, boolean submission,
                    DsnRequest dsn, String body, boolean smtpUtf8) {
        this(sender, recipients, client, helo, authenticatedUser, tls, esmtp, tlsDescription, submission, dsn, body, smtpUtf8,
                false);
    }

    public Envelope {
        recipients = List.copyOf(recipients);
        dsn = dsn == null ? DsnRequest.NONE : dsn;
    }

    /**
     * The protocol for the Received header, as RFC 3848 names it: ESMTP, ESMTPS, ESMTPA, ESMTPSA, or SMTP after HELO;
     * with UTF8 in front after SMTPUTF8 (RFC 6531 3.7.3).
     */
    public String protocol() {
        if (!esmtp) {
            return "SMTP";
        }
        return (smtpUtf8 ? "UTF8" : "") + "ESMTP" + (tls ? "S" : "") + (authenticatedUser != null ? "A" : "");
    }

    /**
     * The HELO name as it may be written into a Received header, a log line or a header of the exchange: the
     * canonical domain (lower case, A-labels, IDNA2008) when it is one, else the name reduced to safe characters
     * ({@link Replies#token}).
     */
    public String heloText() {
        try {
            return Domain.of(helo).name();
        } catch (IllegalArgumentException e) {
            return Replies.token(helo);
        }
    }

    /** The client address and port as {@code 192.0.2.1:1234} or {@code [2001:db8::1]:1234}. */
    public String clientText() {
        String host = client.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + client.getPort();
    }
}
