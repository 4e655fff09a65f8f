package io.github.camelrelay.smtprelay.relay;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.observation.transport.SenderContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * {@link RelayTracing} on Micrometer's Observation API (micrometer-observation, an optional dependency of the
 * component): with a tracing bridge registered (micrometer-tracing-bridge-otel, as Spring Boot's tracing
 * auto-configuration does) each observation is a span, and the propagating handlers write and read the W3C
 * {@code traceparent} that travels with the message on the queue; without one they are timers or nothing.
 * <p>
 * Observations: {@value #SUBMISSION} (producer), {@value #ATTEMPT} (consumer, one per delivery attempt of a queue
 * entry) and {@value #BOUNCE} (producer). Low-cardinality tags: {@code destination} (capped: past
 * {@code maxDestinationTags} distinct values the rest share {@value #OTHER}), {@code outcome} and {@code tls} (the
 * delivery endpoint's TLS setting); the queue id is a high-cardinality tag (a span attribute, never a metric tag).
 */
public final class ObservationRelayTracing implements RelayTracing {

    public static final String SUBMISSION = "smtprelay.submission";
    public static final String ATTEMPT = "smtprelay.delivery.attempt";
    public static final String BOUNCE = "smtprelay.bounce";
    public static final String OTHER = "other";
    /** The W3C trace context field the propagators read and write. */
    static final String W3C = "traceparent";

    private final ObservationRegistry registry;
    private final int maxDestinationTags;
    private final Set<String> destinationTags = ConcurrentHashMap.newKeySet();

    /**
     * @param maxDestinationTags how many distinct destinations get a tag value of their own
     */
    public ObservationRelayTracing(ObservationRegistry registry, int maxDestinationTags) {
        if (maxDestinationTags < 0) {
            throw new IllegalArgumentException("Expected maxDestinationTags of 0 or more but found " + maxDestinationTags);
        }
        this.registry = registry;
        this.maxDestinationTags = maxDestinationTags;
    }

    @Override
    public Span submission(Exchange exchange) {
        SenderContext<Message> context = new SenderContext<>(ObservationRelayTracing::write);
        context.setCarrier(exchange.getMessage());
        Observation observation = Observation.createNotStarted(SUBMISSION, () -> context, registry)
                .contextualName("smtprelay submission")
                .highCardinalityKeyValue("smtprelay.queue.id", queueId(exchange));
        return start(observation);
    }

    @Override
    public Span attempt(Exchange exchange, String destination, String tlsPolicy) {
        ReceiverContext<Message> context = new ReceiverContext<>(ObservationRelayTracing::read);
        context.setCarrier(exchange.getMessage());
        Observation observation = Observation.createNotStarted(ATTEMPT, () -> context, registry)
                .contextualName("smtprelay delivery " + destinationTag(destination))
                .lowCardinalityKeyValue("destination", destinationTag(destination))
                .lowCardinalityKeyValue("tls", tlsPolicy == null ? "none" : tlsPolicy.toLowerCase(Locale.ROOT))
                .highCardinalityKeyValue("smtprelay.queue.id", queueId(exchange));
        return start(observation);
    }

    @Override
    public Span bounce(Span parent, Map<String, Object> bounceHeaders, String destination, String kind) {
        SenderContext<Map<String, Object>> context = new SenderContext<>((carrier, key, value) -> {
            if (W3C.equals(key) && carrier != null) {
                carrier.put(SmtpRelayRoutes.TRACEPARENT, value);
            }
        });
        context.setCarrier(bounceHeaders);
        Observation observation = Observation.createNotStarted(BOUNCE, () -> context, registry)
                .contextualName("smtprelay bounce")
                .lowCardinalityKeyValue("destination", destinationTag(destination))
                .lowCardinalityKeyValue("kind", kind);
        if (parent instanceof Observed observed) {
            observation.parentObservation(observed.observation);
        }
        return start(observation);
    }

    private static Span start(Observation observation) {
        observation.start();
        return new Observed(observation);
    }

    /** The propagators write the W3C field; the queue carries it as a property the JMS header filter keeps. */
    private static void write(Message carrier, String key, String value) {
        if (W3C.equals(key) && carrier != null) {
            carrier.setHeader(SmtpRelayRoutes.TRACEPARENT, value);
        }
    }

    /** The routes' own property, else a plain traceparent that an instrumented application's JMS producer set. */
    private static String read(Message carrier, String key) {
        if (!W3C.equals(key) || carrier == null) {
            return null;
        }
        String own = carrier.getHeader(SmtpRelayRoutes.TRACEPARENT, String.class);
        return own != null ? own : carrier.getHeader(W3C, String.class);
    }

    private static String queueId(Exchange exchange) {
        return exchange.getMessage().getHeader(SmtpRelayConstants.QUEUE_ID, exchange.getExchangeId(), String.class);
    }

    /** Every tag value is a time series of its own where observations become metrics: destinations are unbounded. */
    String destinationTag(String destination) {
        String name = destination == null || destination.isEmpty() ? OTHER : destination;
        if (destinationTags.contains(name)) {
            return name;
        }
        synchronized (destinationTags) {
            if (destinationTags.contains(name) || destinationTags.size() < maxDestinationTags) {
                destinationTags.add(name);
                return name;
            }
        }
        return OTHER;
    }

    private static final class Observed implements Span {

        private final Observation observation;

        Observed(Observation observation) {
            this.observation = observation;
        }

        @Override
        public void stop(String outcome, Throwable error) {
            observation.lowCardinalityKeyValue("outcome", outcome);
            if (error != null) {
                observation.error(error);
            }
            observation.stop();
        }
    }
}
