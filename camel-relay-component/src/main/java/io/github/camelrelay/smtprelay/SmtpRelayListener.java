package io.github.camelrelay.smtprelay;

import java.net.InetSocketAddress;
import java.util.List;

import io.github.camelrelay.smtprelay.mail.Domain;
import io.github.camelrelay.smtprelay.report.DeliveryReport;

/**
 * Delivery events, the ones classic relay components expose. Register implementations as beans (every bean of
 * this type in the registry is called) or set one on the endpoint or component. Nothing is computed for these events when no
 * listener is registered. Methods are called on the delivering thread and must return quickly.
 */
public interface SmtpRelayListener {

    /** The MX hosts of a domain, in the order they will be tried (after the equal-preference shuffle). */
    default void mxResolved(Domain domain, List<String> hosts) {
    }

    default void connected(String host, InetSocketAddress address, boolean tls) {
    }

    default void disconnected(String host, InetSocketAddress address) {
    }

    /** A command line sent to the server; AUTH arguments are masked. */
    default void commandSent(String host, String command) {
    }

    /** A complete (possibly multi-line) reply read from the server. */
    default void replyReceived(String host, int code, String text) {
    }

    /**
     * One delivery attempt of an exchange ended, whatever its outcome: the report holds every recipient of this
     * attempt. Metrics hang off this event.
     */
    default void deliveryCompleted(String endpoint, DeliveryReport report, long elapsedMillis) {
    }

    /** One SMTP transaction ended (the server answered the end of data or the transaction was abandoned). */
    default void messageRelayed(String host, DeliveryReport transaction) {
    }

    /**
     * How TLS went with a recipient domain's MX host in MX mode, once per connection opened (or per host its policy
     * kept out, or per failed MTA-STS policy fetch), in the terms of SMTP TLS Reporting (RFC 8460): what a TLS-RPT
     * reporter counts per policy domain.
     */
    default void tlsResult(io.github.camelrelay.smtprelay.tlspolicy.TlsResult result) {
    }
}
