package io.github.camelrelay.smtprelay.relay;

import java.util.Map;

import org.apache.camel.Exchange;

/**
 * Where the relay routes report what they do to a tracing system: a span (an observation) for each submission, each
 * delivery attempt of a queue entry at its destination and each bounce. The trace context travels with the message
 * on the queue in {@link SmtpRelayRoutes#TRACEPARENT} (a W3C traceparent), so one trace runs from the submission to the
 * last delivery attempt, days later. {@link #NONE} does nothing; {@link ObservationRelayTracing} reports to Micrometer's
 * Observation API, which a tracing bridge turns into OpenTelemetry or Brave spans.
 */
public interface RelayTracing {

    /** Tracing off. */
    RelayTracing NONE = new RelayTracing() {
        @Override
        public Span submission(Exchange exchange) {
            return Span.NONE;
        }

        @Override
        public Span attempt(Exchange exchange, String destination, String tlsPolicy) {
            return Span.NONE;
        }

        @Override
        public Span bounce(Span parent, Map<String, Object> bounceHeaders, String destination, String kind) {
            return Span.NONE;
        }
    };

    /**
     * Starts the span of a message submitted to the queue (by the SMTP listener's ingress) and writes its trace
     * context to the message's {@link SmtpRelayRoutes#TRACEPARENT} header, which the queue keeps.
     */
    Span submission(Exchange exchange);

    /**
     * Starts the span of one delivery attempt of a queue entry, in the trace the entry's
     * {@link SmtpRelayRoutes#TRACEPARENT} (or a plain {@code traceparent}) names; a new trace when it names none.
     *
     * @param destination the entry's destination: the recipient domain, or [relay host]
     * @param tlsPolicy   the delivery endpoint's TLS setting, lower case
     */
    Span attempt(Exchange exchange, String destination, String tlsPolicy);

    /**
     * Starts the span of a bounce (a delivery status notification queued to the sender) under the attempt that
     * caused it, and writes its trace context to the bounce's queue headers, so its own delivery joins the trace.
     *
     * @param kind {@code failure} or {@code delay}
     */
    Span bounce(Span parent, Map<String, Object> bounceHeaders, String destination, String kind);

    /** A span under way. */
    interface Span {

        /** A span that records nothing. */
        Span NONE = (outcome, error) -> { };

        /**
         * Ends the span.
         *
         * @param outcome a low-cardinality word: {@code queued}, {@code delivered}, {@code deferred}, {@code bounced},
         *                {@code expired}, {@code error}
         * @param error   what went wrong, or null
         */
        void stop(String outcome, Throwable error);
    }
}
