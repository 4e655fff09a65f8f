package io.github.camelrelay.springboot;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;

import io.github.camelrelay.smtprelay.SmtpRelayEndpoint;
import io.github.camelrelay.smtprelay.SmtpRelayListener;
import io.github.camelrelay.smtprelay.mail.Domain;
import io.github.camelrelay.smtprelay.report.DeliveryReport;
import io.github.camelrelay.smtprelay.report.RecipientStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.support.LifecycleStrategySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Micrometer metrics of the smtprelay producers, fed by the component's delivery events (the component calls every
 * {@link SmtpRelayListener} bean):
 * <ul>
 * <li>{@value #RECIPIENTS} (counter): recipients per delivery attempt, tagged {@code endpoint}, {@code outcome}
 * ({@code delivered}, {@code deferred}, {@code failed}) and {@code domain} (the recipient's domain, or
 * {@value #OTHER_DOMAIN} once {@code maxDomainTags} distinct domains have been seen). A deferred recipient that a
 * later attempt delivers counts once as deferred and once as delivered.</li>
 * <li>{@value #DELIVERY} (timer): the duration of each delivery attempt of an exchange, tagged {@code endpoint}.</li>
 * <li>{@value #CONNECTIONS} (gauge): the endpoint's pooled SMTP connections, tagged {@code endpoint} and
 * {@code state} ({@code active}, {@code idle}); endpoints of the same name are added up.</li>
 * </ul>
 */
public class SmtpRelayMetrics implements SmtpRelayListener {

    public static final String RECIPIENTS = "smtprelay.recipients";
    public static final String DELIVERY = "smtprelay.delivery";
    public static final String CONNECTIONS = "smtprelay.connections";
    public static final String QUEUED = "smtprelay.queue.messages";
    public static final String OLDEST = "smtprelay.queue.oldest.age";
    public static final String OTHER_DOMAIN = "other";
    public static final int DEFAULT_MAX_DOMAIN_TAGS = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(SmtpRelayMetrics.class);

    private final MeterRegistry registry;
    private final int maxDomainTags;
    private final Set<String> domainTags = ConcurrentHashMap.newKeySet();
    private final Map<String, Set<SmtpRelayEndpoint>> endpoints = new ConcurrentHashMap<>();
    private final Map<String, List<Meter>> connectionGauges = new ConcurrentHashMap<>();

    public SmtpRelayMetrics(MeterRegistry registry, CamelContext camelContext) {
        this(registry, camelContext, DEFAULT_MAX_DOMAIN_TAGS);
    }

    /**
     * @param maxDomainTags how many distinct recipient domains get a tag value of their own
     */
    public SmtpRelayMetrics(MeterRegistry registry, CamelContext camelContext, int maxDomainTags) {
        if (maxDomainTags < 0) {
            throw new IllegalArgumentException("Expected maxDomainTags of 0 or more but found " + maxDomainTags);
        }
        this.registry = registry;
        this.maxDomainTags = maxDomainTags;
        // endpoints are created while routes start and by toD at any time, so follow the context rather than scan once
        camelContext.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onEndpointAdd(Endpoint endpoint) {
                if (endpoint instanceof SmtpRelayEndpoint e) {
                    endpointAdded(e);
                }
            }

            @Override
            public void onEndpointRemove(Endpoint endpoint) {
                if (endpoint instanceof SmtpRelayEndpoint e) {
                    endpointRemoved(e);
                }
            }
        });
        camelContext.getEndpoints().stream()
                .filter(SmtpRelayEndpoint.class::isInstance)
                .forEach(e -> endpointAdded((SmtpRelayEndpoint) e));
    }

    @Override
    public void deliveryCompleted(String endpoint, DeliveryReport report, long elapsedMillis) {
        // called on the delivering thread after the attempt: a metrics failure must never fail a delivered exchange
        try {
            Timer.builder(DELIVERY)
                    .description("Duration of each delivery attempt of an exchange by an smtprelay producer")
                    .tag("endpoint", endpoint)
                    .register(registry)
                    .record(elapsedMillis, TimeUnit.MILLISECONDS);
            for (RecipientStatus status : report.statuses()) {
                Counter.builder(RECIPIENTS)
                        .description("Recipients of smtprelay delivery attempts, by outcome and recipient domain")
                        .baseUnit("recipients")
                        .tag("endpoint", endpoint)
                        .tag("outcome", status.outcome().name().toLowerCase(Locale.ROOT))
                        .tag("domain", domainTag(status.recipient().domain()))
                        .register(registry)
                        .increment();
            }
        } catch (RuntimeException e) {
            LOG.warn("Cannot record smtprelay metrics of endpoint {}: {}", endpoint, e.getMessage(), e);
        }
    }

    /**
     * Every distinct tag value is a time series of its own, kept in memory here and in the monitoring system.
     * Recipient domains come from whoever supplies the addresses (sign-up forms, imported lists), so they are
     * unbounded: past the cap they share one value rather than exhaust the registry and the backend.
     */
    String domainTag(Domain domain) {
        String name = domain == null ? OTHER_DOMAIN : domain.name();
        if (domainTags.contains(name)) {
            return name;
        }
        synchronized (domainTags) {
            if (domainTags.contains(name)) {
                return name;
            }
            if (domainTags.size() < maxDomainTags) {
                domainTags.add(name);
                return name;
            }
        }
        return OTHER_DOMAIN;
    }

    private void endpointAdded(SmtpRelayEndpoint endpoint) {
        String name = endpoint.getName();
        endpoints.computeIfAbsent(name, n -> ConcurrentHashMap.newKeySet()).add(endpoint);
        connectionGauges.computeIfAbsent(name, n -> List.of(
                connectionGauge(n, "active", SmtpRelayEndpoint::getActiveConnections),
                connectionGauge(n, "idle", SmtpRelayEndpoint::getIdleConnections)));
    }

    private void endpointRemoved(SmtpRelayEndpoint endpoint) {
        String name = endpoint.getName();
        Set<SmtpRelayEndpoint> same = endpoints.get(name);
        if (same != null && same.remove(endpoint) && same.isEmpty()) {
            endpoints.remove(name);
            List<Meter> gauges = connectionGauges.remove(name);
            if (gauges != null) {
                gauges.forEach(registry::remove);
            }
        }
    }

    /** Destination tag values with a gauge of their own; later destinations share {@value #OTHER_DOMAIN}. */
    private final Map<String, Set<String>> queueTags = new ConcurrentHashMap<>();

    /**
     * Gauges of the relay routes' queue per destination (the recipient domain, or [relay host]): the entries queued
     * ({@value #QUEUED}) and how long the oldest has waited since it arrived ({@value #OLDEST}): on an Artemis broker
     * what the broker holds for every instance, read every queue.gauge-refresh and counted locally in between; on
     * other brokers what this instance queued and took since it started. Past maxDomainTags destinations, the rest are summed under
     * {@value #OTHER_DOMAIN} (the oldest of them for the age).
     */
    public void bindQueue(io.github.camelrelay.smtprelay.relay.QueueTracker tracker) {
        tracker.onNewDestination(destination -> {
            String tag;
            synchronized (queueTags) {
                tag = queueTags.containsKey(destination) || queueTags.size() < maxDomainTags ? destination : OTHER_DOMAIN;
                Set<String> members = queueTags.get(tag);
                if (members != null) {
                    members.add(destination);
                    return;
                }
                members = ConcurrentHashMap.newKeySet();
                members.add(destination);
                queueTags.put(tag, members);
            }
            Set<String> members = queueTags.get(tag);
            Gauge.builder(QUEUED, () -> members.stream().mapToInt(tracker::queued).sum())
                    .description("Messages on the relay queue for a destination")
                    .baseUnit("messages")
                    .tag("destination", tag)
                    .register(registry);
            io.micrometer.core.instrument.TimeGauge.builder(OLDEST, () -> members.stream()
                            .mapToLong(d -> tracker.oldestAge(d).toMillis()).max().orElse(0), java.util.concurrent.TimeUnit.MILLISECONDS)
                    .description("How long the oldest message queued for a destination has waited since it arrived")
                    .tag("destination", tag)
                    .register(registry);
        });
    }

    private Meter connectionGauge(String name, String state, ToIntFunction<SmtpRelayEndpoint> connections) {
        // the supplier form keeps a strong reference: a gauge on a weakly held object would read NaN once collected
        return Gauge.builder(CONNECTIONS, () -> endpoints.getOrDefault(name, Set.of()).stream()
                        .mapToInt(connections).sum())
                .description("Pooled SMTP connections of an smtprelay endpoint, in use (active) or kept for reuse (idle)")
                .baseUnit("connections")
                .tag("endpoint", name)
                .tag("state", state)
                .register(registry);
    }
}
