package io.github.camelrelay.smtprelay.report;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.camelrelay.smtprelay.mail.MailAddress;

/**
 * The status of one recipient: the reply that decided it and the server that gave it. Immutable.
 *
 * @param recipient      the envelope recipient
 * @param outcome        delivered, deferred or failed
 * @param replyCode      the SMTP reply code, or 0 when no server answered (DNS or network failure)
 * @param enhancedStatus the RFC 3463 status such as {@code 5.1.1}; taken from the reply or derived from its code
 * @param replyText      the reply text, or a description of the local failure
 * @param host           the host name that answered (MX or relay host), or null
 * @param ip             its address, or null
 * @param port           its port, or 0
 * @param tls            whether the session that carried this recipient was encrypted
 * @param remoteDsn      whether the server that answered offered DSN (RFC 3461), so the request was passed on and
 *                       the notifications of a delivered recipient are that server's to send
 * @param tlsPolicy      the TLS policy that applied and how it went, as the delivery log says it ({@code dane-ee},
 *                       {@code mta-sts}, {@code opportunistic}, {@code no}, {@code dane-fail (no TLSA match)}); null
 *                       when no session was tried
 */
public record RecipientStatus(
        MailAddress recipient, Outcome outcome, int replyCode, String enhancedStatus, String replyText,
        String host, String ip, int port, boolean tls, boolean remoteDsn, String tlsPolicy) {

    private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?:\\s|$)");

    public RecipientStatus {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(enhancedStatus, "enhancedStatus");
        replyText = replyText == null ? "" : replyText;
    }

    /** A status from a server without DSN. */
    public RecipientStatus(MailAddress recipient, Outcome outcome, int replyCode, String enhancedStatus, String replyText,
                           String host, String ip, int port, boolean tls) {
        this(recipient, outcome, replyCode, enhancedStatus, replyText, host, ip, port, tls, false, null);
    }

    /** A status without a word on its TLS policy. */
    public RecipientStatus(MailAddress recipient, Outcome outcome, int replyCode, String enhancedStatus, String replyText,
                           String host, String ip, int port, boolean tls, boolean remoteDsn) {
        this(recipient, outcome, replyCode, enhancedStatus, replyText, host, ip, port, tls, remoteDsn, null);
    }

    /** This status, saying whether the server offered DSN. */
    public RecipientStatus withRemoteDsn(boolean offered) {
        return offered == remoteDsn ? this
                : new RecipientStatus(recipient, outcome, replyCode, enhancedStatus, replyText, host, ip, port, tls, offered,
                        tlsPolicy);
    }

    /** This status, saying which TLS policy applied and how it went. */
    public RecipientStatus withTlsPolicy(String policy) {
        return java.util.Objects.equals(policy, tlsPolicy) ? this
                : new RecipientStatus(recipient, outcome, replyCode, enhancedStatus, replyText, host, ip, port, tls, remoteDsn,
                        policy);
    }

    /** The delivery log's tls= field: the TLS policy and its outcome, else whether the session was encrypted. */
    public String tlsField() {
        return tlsPolicy != null ? tlsPolicy : tls ? "yes" : "no";
    }

    /**
     * The status an SMTP reply gives: 2xx delivered, 4xx deferred, anything else failed. The enhanced status is
     * read from the reply text when the server sent one whose class agrees with the code.
     */
    public static RecipientStatus fromReply(
            MailAddress recipient, int code, String text, String host, String ip, int port, boolean tls) {
        Outcome outcome = code >= 200 && code < 300 ? Outcome.DELIVERED
                : code >= 400 && code < 500 ? Outcome.DEFERRED : Outcome.FAILED;
        String body = text == null ? "" : text.strip();
        String enhanced = null;
        Matcher m = ENHANCED.matcher(body);
        if (m.find() && m.group(1).charAt(0) == Character.forDigit(code / 100, 10)) {
            enhanced = m.group(1) + "." + m.group(2) + "." + m.group(3);
        }
        if (enhanced == null) {
            enhanced = switch (outcome) {
                case DELIVERED -> "2.0.0";
                case DEFERRED -> "4.0.0";
                case FAILED -> "5.0.0";
            };
        }
        return new RecipientStatus(recipient, outcome, code, enhanced, body, host, ip, port, tls);
    }

    /** A status decided without an SMTP reply, for example by DNS. */
    public static RecipientStatus local(MailAddress recipient, Outcome outcome, String enhancedStatus, String text) {
        return new RecipientStatus(recipient, outcome, 0, enhancedStatus, text, null, null, 0, false);
    }

    /** {@code host[ip]:port}, or {@code none} when no server was reached; the Postfix relay= notation. */
    public String relay() {
        if (host == null && ip == null) {
            return "none";
        }
        return (host == null ? ip : host) + "[" + (ip == null ? "" : ip) + "]:" + port;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append('<').append(recipient).append("> ").append(outcome)
                .append(" dsn=").append(enhancedStatus)
                .append(" relay=").append(relay());
        if (host != null) {
            sb.append(" tls=").append(tlsField());
        }
        sb.append(" (");
        if (replyCode > 0) {
            sb.append(replyCode).append(' ');
        }
        return sb.append(replyText).append(')').toString();
    }
}
