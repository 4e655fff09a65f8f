package io.github.camelrelay.smtprelay.delivery;

import io.github.camelrelay.smtprelay.report.RecipientStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per recipient and delivery attempt, in the form mail administrators know from Postfix:
 * {@code id: to=<rcpt>, relay=host[ip]:port, delay=0.12, tls=dane-ee, dsn=2.0.0, status=sent (250 2.0.0 Ok)}, where
 * tls= names the TLS policy that applied and how it went ({@code opportunistic}, {@code verify}, {@code mta-sts},
 * {@code dane-ta}, {@code no} for plain text, {@code dane-fail (no TLSA match)} for a failure).
 * Logged under the category {@code io.github.camelrelay.smtprelay.delivery} so it can be routed to its own file.
 */
final class DeliveryLog {

    private static final Logger LOG = LoggerFactory.getLogger("io.github.camelrelay.smtprelay.delivery");

    private DeliveryLog() {
    }

    static void recipient(OutgoingMail mail, RecipientStatus s) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        String status = switch (s.outcome()) {
            case DELIVERED -> "sent";
            case DEFERRED -> "deferred";
            case FAILED -> "bounced";
        };
        // seconds with two decimals; String.format showed up in the relay server's profile
        long centis = (Math.max(0, System.currentTimeMillis() - mail.created()) + 5) / 10;
        StringBuilder sb = new StringBuilder(160)
                .append(mail.id()).append(": to=<").append(s.recipient()).append(">, relay=").append(s.relay())
                .append(", delay=").append(centis / 100).append('.').append(centis % 100 < 10 ? "0" : "").append(centis % 100);
        if (s.host() != null) {
            sb.append(", tls=").append(oneLine(s.tlsField()));
        }
        sb.append(", dsn=").append(s.enhancedStatus()).append(", status=").append(status).append(" (");
        if (s.replyCode() > 0) {
            sb.append(s.replyCode()).append(' ');
        }
        sb.append(oneLine(s.replyText())).append(')');
        LOG.info(sb.toString());
    }

    static void connectFailed(OutgoingMail mail, SessionFailure f) {
        if (LOG.isInfoEnabled()) {
            LOG.info("{}: connect to {}: {}{}", mail.id(), f.getDestination(),
                    oneLine((f.getReplyCode() > 0 ? f.getReplyCode() + " " : "") + f.getReplyText()),
                    f.getTlsPolicy() == null ? "" : " (tls=" + oneLine(f.getTlsPolicy()) + ")");
        }
    }

    /** Server text goes into our log; it must not be able to forge a second line. */
    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("[\\r\\n\\t]+", " ").strip();
    }
}
