package io.github.camelrelay.smtprelay.internal.server;

import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The Received trace field this listener puts at the top of every message (RFC 5321 4.4), with the protocol named as
 * RFC 3848 does, for example:
 *
 * <pre>
 * Received: from client.example (client.example [192.0.2.1])
 *         (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384)
 *         by relay.example with ESMTPSA id 1A2B3C
 *         for &lt;user@example.com&gt;; Tue, 1 Jul 2025 10:00:00 +0000
 * </pre>
 *
 * The "for" clause is written only for a single recipient, so other recipients are not disclosed, and only when the
 * address holds no character that could end the clause or open a comment. What the client chose (the HELO name) is
 * written as {@link Envelope#heloText()}: a canonical domain or a token reduced to safe characters, so no HELO can
 * forge a comment such as "(authenticated)" or a second clause.
 */
final class ReceivedHeader {

    private static final DateTimeFormatter RFC5322_DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);

    private ReceivedHeader() {
    }

    static byte[] of(Envelope envelope, String hostName, String id, ZonedDateTime now) {
        String ip = envelope.client().getAddress().getHostAddress();
        String literal = ip.indexOf(':') >= 0 ? "[IPv6:" + ip + "]" : "[" + ip + "]";
        StringBuilder sb = new StringBuilder("Received: from ").append(envelope.heloText())
                .append(" (").append(literal).append(")\r\n");
        if (envelope.tls()) {
            sb.append("\t(using ").append(envelope.tlsDescription()).append(")\r\n");
        }
        sb.append("\tby ").append(hostName).append(" with ").append(envelope.protocol())
                .append(" id ").append(id.replaceAll("[^A-Za-z0-9.-]", "")).append("\r\n\t");
        if (envelope.recipients().size() == 1) {
            String to = envelope.recipients().get(0).address();
            if (Replies.token(to).equals(to)) {
                sb.append("for <").append(to).append(">; ");
            }
        }
        sb.append(RFC5322_DATE.format(now)).append("\r\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
