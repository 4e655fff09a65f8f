package io.github.camelrelay.smtprelay.relay;

import java.time.Clock;
import java.util.List;
import java.util.Objects;

import org.apache.camel.Processor;
import org.apache.camel.spi.IdempotentRepository;

/**
 * What the relay routes connect: where mail comes in, the durable queue, the delivery endpoint, the dead-letter
 * endpoint, the retry schedule and the enrichment steps (run once per message, in order, before its first
 * delivery attempt; DKIM signing belongs last). Enrichment is for mail this relay vouches for: it runs only for
 * submissions (see {@link io.github.camelrelay.smtprelay.SmtpRelayConstants#SUBMISSION}), never for mail the
 * listener received for a local domain from an unauthenticated client outside relayNetworks.
 *
 * @param ingressUri    an smtprelay consumer URI such as {@code smtprelay:in?port=2525}, or null for no SMTP ingress
 * @param queueUri      the durable queue, for example {@code jms:queue:smtprelay.outbound?transacted=true}
 * @param retryUri      where a deferred message goes back to, with {@code ${header.CamelSmtpRelayRetryDelay}} in
 *                      it for the broker's delivery delay; null means the queue with JMS 2.0 {@code deliveryDelay}
 * @param deliveryUri   an smtprelay producer URI
 * @param deadLetterUri where failed and expired messages end, with their report
 * @param reportingMta  the host name that bounces are sent from (the Reporting-MTA)
 * @param enqueueUri    where the ingress sends accepted mail: the same queue, through an endpoint that may keep its
 *                      connection and session between sends (such as a JMS endpoint over a caching connection
 *                      factory); null means {@code queueUri}
 * @param largeMessageOptions endpoint options, in URI query form, that make the broker client stream a message from
 *                      and to disk instead of holding it in memory: added to the queue's consumer URI and, for a
 *                      {@linkplain SmtpRelayRoutes#isLarge large message}, to the enqueue, retry and dead-letter
 *                      sends. {@code artemisStreamingEnabled=true} for ActiveMQ Artemis through camel-jms; null for
 *                      none (every message is sent as bytes)
 * @param queueManager  per-destination concurrency and back-off; null for {@link QueueManagerSettings#DEFAULTS}
 * @param settledRepository the durable record of the recipients already delivered, consulted before and written
 *                      during every attempt; null for one in memory, which survives rollbacks and broker
 *                      redeliveries but not a restart (a warning says so)
 * @param clock         the time the retry schedule and the back-offs are reckoned in; null for the smtprelay
 *                      component's clock (the system clock unless configured)
 * @param holdUri       where held entries wait, undelivered, until an operator releases them (a queue no one
 *                      consumes); null for the queue's name with {@code .hold} added, without its options
 */
public record RelayRouteSettings(String ingressUri, String queueUri, String retryUri, String deliveryUri,
        String deadLetterUri, String reportingMta, RetrySchedule schedule, List<Processor> enrichers, String enqueueUri,
        String largeMessageOptions, QueueManagerSettings queueManager, IdempotentRepository settledRepository, Clock clock,
        String holdUri) {

    /** Settings with the default hold queue. */
    public RelayRouteSettings(String ingressUri, String queueUri, String retryUri, String deliveryUri,
                              String deadLetterUri, String reportingMta, RetrySchedule schedule, List<Processor> enrichers,
                              String enqueueUri, String largeMessageOptions, QueueManagerSettings queueManager,
                              IdempotentRepository settledRepository, Clock clock) {
        this(ingressUri, queueUri, retryUri, deliveryUri, deadLetterUri, reportingMta, schedule, enrichers, enqueueUri,
                largeMessageOptions, queueManager, settledRepository, clock, null);
    }

    /** Settings with the default queue manager, a settled record in memory and the system clock. */
    public RelayRouteSettings(String ingressUri, String queueUri, String retryUri, String deliveryUri,
                              String deadLetterUri, String reportingMta, RetrySchedule schedule, List<Processor> enrichers,
                              String enqueueUri, String largeMessageOptions) {
        this(ingressUri, queueUri, retryUri, deliveryUri, deadLetterUri, reportingMta, schedule, enrichers, enqueueUri,
                largeMessageOptions, null, null, null);
    }

    /** Settings that send every message through the queue as bytes. */
    public RelayRouteSettings(String ingressUri, String queueUri, String retryUri, String deliveryUri,
                              String deadLetterUri, String reportingMta, RetrySchedule schedule, List<Processor> enrichers,
                              String enqueueUri) {
        this(ingressUri, queueUri, retryUri, deliveryUri, deadLetterUri, reportingMta, schedule, enrichers, enqueueUri, null);
    }

    /** Settings whose ingress sends through the queue endpoint itself. */
    public RelayRouteSettings(String ingressUri, String queueUri, String retryUri, String deliveryUri,
                              String deadLetterUri, String reportingMta, RetrySchedule schedule, List<Processor> enrichers) {
        this(ingressUri, queueUri, retryUri, deliveryUri, deadLetterUri, reportingMta, schedule, enrichers, null, null);
    }

    public RelayRouteSettings {
        Objects.requireNonNull(queueUri, "queueUri");
        Objects.requireNonNull(deliveryUri, "deliveryUri");
        Objects.requireNonNull(deadLetterUri, "deadLetterUri");
        Objects.requireNonNull(reportingMta, "reportingMta");
        schedule = schedule == null ? RetrySchedule.POSTFIX_LIKE : schedule;
        enrichers = enrichers == null ? List.of() : List.copyOf(enrichers);
        if (retryUri == null) {
            // drop transacted wherever it stands, keeping the separator before the options that follow it
            String base = queueUri.replaceAll("([?&])transacted=[^&]*&?", "$1").replaceAll("[?&]$", "");
            retryUri = base + (base.contains("?") ? "&" : "?") + "deliveryDelay=${header.CamelSmtpRelayRetryDelay}";
        }
        enqueueUri = enqueueUri == null ? queueUri : enqueueUri;
        if (holdUri == null) {
            holdUri = queueUri.replaceAll("\\?.*$", "") + ".hold";
        }
        queueManager = queueManager == null ? QueueManagerSettings.DEFAULTS : queueManager;
        if (largeMessageOptions != null) {
            largeMessageOptions = largeMessageOptions.strip().replaceAll("^[?&]+", "");
            if (largeMessageOptions.isEmpty()) {
                largeMessageOptions = null;
            } else if (!largeMessageOptions.matches("[^=&?]+=[^&]*(&[^=&?]+=[^&]*)*")) {
                throw new IllegalArgumentException("Expected largeMessageOptions as name=value pairs joined by '&' but found '"
                                                   + largeMessageOptions + "'");
            }
        }
    }

    public RelayRouteSettings withQueueManager(QueueManagerSettings q) {
        return new RelayRouteSettings(ingressUri, queueUri, retryUri, deliveryUri, deadLetterUri, reportingMta, schedule,
                enrichers, enqueueUri, largeMessageOptions, q, settledRepository, clock, holdUri);
    }

    public RelayRouteSettings withSettledRepository(IdempotentRepository repository) {
        return new RelayRouteSettings(ingressUri, queueUri, retryUri, deliveryUri, deadLetterUri, reportingMta, schedule,
                enrichers, enqueueUri, largeMessageOptions, queueManager, repository, clock, holdUri);
    }

    public RelayRouteSettings withClock(Clock c) {
        return new RelayRouteSettings(ingressUri, queueUri, retryUri, deliveryUri, deadLetterUri, reportingMta, schedule,
                enrichers, enqueueUri, largeMessageOptions, queueManager, settledRepository, c, holdUri);
    }

    public RelayRouteSettings withHoldUri(String uri) {
        return new RelayRouteSettings(ingressUri, queueUri, retryUri, deliveryUri, deadLetterUri, reportingMta, schedule,
                enrichers, enqueueUri, largeMessageOptions, queueManager, settledRepository, clock, uri);
    }

    /**
     * {@code uri} with the {@link #largeMessageOptions} added, for the queue's consumer and for sending a large
     * message; {@code uri} itself when there are none.
     */
    public String withLargeMessageOptions(String uri) {
        if (largeMessageOptions == null) {
            return uri;
        }
        return uri + (uri.contains("?") ? "&" : "?") + largeMessageOptions;
    }
}
