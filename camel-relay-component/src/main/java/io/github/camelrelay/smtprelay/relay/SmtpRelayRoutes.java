package io.github.camelrelay.smtprelay.relay;

import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import io.github.camelrelay.smtprelay.InvalidMailException;
import io.github.camelrelay.smtprelay.SmtpRelayComponent;
import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.SmtpRelayException;
import io.github.camelrelay.smtprelay.SmtpRelayPermanentException;
import io.github.camelrelay.smtprelay.SmtpRelayTransientException;
import io.github.camelrelay.smtprelay.delivery.MessageContent;
import io.github.camelrelay.smtprelay.mail.MailAddress;
import io.github.camelrelay.smtprelay.report.DeliveryReport;
import io.github.camelrelay.smtprelay.report.DeliveryStatusNotification;
import io.github.camelrelay.smtprelay.report.Outcome;
import io.github.camelrelay.smtprelay.report.RecipientStatus;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.StreamCache;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store-and-forward relay as three routes: SMTP ingress to a durable queue; queue to enrichment to delivery; and
 * the fate of what was not delivered: deferred recipients go back to the queue with a broker delivery delay from the
 * {@link RetrySchedule} (nothing waits in memory, so a restart loses nothing), failed ones are bounced to the sender
 * (never to the null sender), and the message goes to the dead-letter endpoint with its report once nothing is left
 * to try.
 * <p>
 * The queue's message format, which any JMS producer can use to submit mail: the body is the raw RFC 5322 message
 * (bytes or text); the String properties {@code SmtpRelayEnvelopeFrom} (empty for the null sender) and
 * {@code SmtpRelayRecipients} (comma separated) are the envelope; without them the message's own From and
 * To/Cc/Bcc are used. (On the queue the names drop the {@code Camel} prefix, because Camel's JMS header filter
 * keeps headers starting with {@code Camel} off the wire.)
 * <p>
 * A {@linkplain #isLarge large message} is never loaded into memory when the settings have
 * {@linkplain RelayRouteSettings#largeMessageOptions large-message options}: it stays in the stream cache the SMTP
 * listener spooled it to, the broker client streams it from there, and the queue consumer streams it into a new
 * spooled stream cache that the delivery reads.
 */
public class SmtpRelayRoutes extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpRelayRoutes.class);

    /** Exchange property naming where an undelivered message goes next: the retry queue with its delay, or dead letters. */
    private static final String NEXT = "smtprelayNext";

    /** The headers that travel with a message on the queue, named there without the "Camel" prefix. */
    private static final List<String> QUEUE_HEADERS = List.of(SmtpRelayConstants.ENVELOPE_FROM, SmtpRelayConstants.RECIPIENTS,
            SmtpRelayConstants.ATTEMPTS, SmtpRelayConstants.ARRIVAL, SmtpRelayConstants.WARNED, SmtpRelayConstants.ENRICHED,
            SmtpRelayConstants.REPORT_TEXT);
    private static final int QUEUE_PREFIX_CUT = "Camel".length();

    /**
     * Octets from which a message in memory counts as large: Artemis's default minLargeMessageSize, from which its
     * client sends a message in chunks anyway.
     */
    static final long LARGE_MESSAGE = 100 * 1024;

    private final RelayRouteSettings settings;
    private Clock clock = Clock.systemDefaultZone();

    public SmtpRelayRoutes(RelayRouteSettings settings) {
        this.settings = settings;
    }

    @Override
    public void configure() {
        // the component's clock, so one setting dates the retries and bounces as it dates the Received headers
        SmtpRelayComponent component = getCamelContext().getComponent("smtprelay", SmtpRelayComponent.class);
        if (component != null) {
            clock = component.getClock();
        }
        if (settings.ingressUri() != null) {
            var ingress = from(settings.ingressUri()).routeId("smtprelay-ingress")
                    .process(this::toQueueFormat);
            // the SMTP client gets its 250 only when this send returned, i.e. the broker has the message
            if (settings.largeMessageOptions() == null) {
                ingress.to(settings.enqueueUri());
            } else {
                ingress.choice()
                        .when(SmtpRelayRoutes::isLarge).to(settings.withLargeMessageOptions(settings.enqueueUri()))
                        .otherwise().to(settings.enqueueUri())
                        .end();
            }
        }

        // the large-message options on the consumer change only how large messages arrive: as a spooled stream
        from(settings.withLargeMessageOptions(settings.queueUri())).routeId("smtprelay-delivery")
                .process(SmtpRelayRoutes::fromQueueFormat)
                .process(SmtpRelayRoutes::countAttempt)
                .doTry()
                    // inside the try: a message an enricher refuses (InvalidMailException) goes to dead letters
                    .process(this::enrich)
                    .to(synchronous(settings.deliveryUri()))
                .doCatch(SmtpRelayTransientException.class)
                    .process(this::deferred)
                    .process(this::toQueueFormat)
                    .toD("${exchangeProperty." + NEXT + "}")
                .doCatch(SmtpRelayPermanentException.class, InvalidMailException.class)
                    .process(this::failed)
                    .process(this::toQueueFormat)
                    .toD("${exchangeProperty." + NEXT + "}")
                .end();
    }

    /**
     * The delivery must run on the queue consumer's thread: the retry, bounce and dead-letter sends that follow it
     * then belong to the same broker transaction as taking the message off the queue.
     */
    static String synchronous(String deliveryUri) {
        if (!deliveryUri.startsWith("smtprelay:") || deliveryUri.matches(".*[?&]synchronous=.*")) {
            return deliveryUri;
        }
        return deliveryUri + (deliveryUri.contains("?") ? "&" : "?") + "synchronous=true";
    }

    /**
     * Whether the routes send this message with the large-message options: its body is a stream cache that was
     * spooled to disk or holds {@value #LARGE_MESSAGE} octets or more.
     */
    public static boolean isLarge(Exchange exchange) {
        return exchange.getMessage().getBody() instanceof StreamCache cache && (!cache.inMemory() || cache.length() >= LARGE_MESSAGE);
    }

    /** The queue format, and the large-message options on the next send (the exchange property NEXT) if it needs them. */
    private void toQueueFormat(Exchange exchange) {
        boolean stream = settings.largeMessageOptions() != null && isLarge(exchange);
        toQueueFormat(exchange, stream);
        String next = exchange.getProperty(NEXT, String.class);
        if (stream && next != null) {
            exchange.setProperty(NEXT, settings.withLargeMessageOptions(next));
        }
    }

    /**
     * Only String and number properties survive a JMS queue: the recipients become a comma list, the body bytes, or
     * with {@code keepStream} the body stays the stream cache it is, for the broker client to stream.
     */
    static void toQueueFormat(Exchange exchange, boolean keepStream) {
        var in = exchange.getMessage();
        Object recipients = in.getHeader(SmtpRelayConstants.RECIPIENTS);
        if (recipients instanceof Collection<?> c) {
            in.setHeader(SmtpRelayConstants.RECIPIENTS, String.join(",", c.stream().map(String::valueOf).toList()));
        }
        Object report = in.getHeader(SmtpRelayConstants.REPORT);
        if (report != null) {
            in.setHeader(SmtpRelayConstants.REPORT_TEXT, report.toString());
            in.removeHeader(SmtpRelayConstants.REPORT);
        }
        if (in.getHeader(SmtpRelayConstants.ARRIVAL) == null) {
            in.setHeader(SmtpRelayConstants.ARRIVAL, exchange.getClock().getCreated());
        }
        if (keepStream) {
            // from its first octet: the delivery attempt before read it
            in.getBody(StreamCache.class).reset();
        } else {
            in.setBody(in.getBody(byte[].class));
        }
        for (String header : QUEUE_HEADERS) {
            Object value = in.removeHeader(header);
            if (value != null) {
                in.setHeader(header.substring(QUEUE_PREFIX_CUT), value);
            }
        }
    }

    static void fromQueueFormat(Exchange exchange) {
        var in = exchange.getMessage();
        for (String header : QUEUE_HEADERS) {
            Object value = in.removeHeader(header.substring(QUEUE_PREFIX_CUT));
            if (value != null) {
                in.setHeader(header, value);
            }
        }
    }

    private static void countAttempt(Exchange exchange) {
        var in = exchange.getMessage();
        Integer attempts = in.getHeader(SmtpRelayConstants.ATTEMPTS, Integer.class);
        in.setHeader(SmtpRelayConstants.ATTEMPTS, attempts == null ? 1 : attempts + 1);
        if (in.getHeader(SmtpRelayConstants.ARRIVAL) == null) {
            in.setHeader(SmtpRelayConstants.ARRIVAL, exchange.getClock().getCreated());
        }
        in.removeHeader(SmtpRelayConstants.RETRY_DELAY);
    }

    /** Runs the enrichers once per message: a retried message was enriched (and maybe signed) already. */
    private void enrich(Exchange exchange) throws Exception {
        if (exchange.getMessage().getHeader(SmtpRelayConstants.ENRICHED) != null) {
            return;
        }
        for (var p : settings.enrichers()) {
            p.process(exchange);
        }
        exchange.getMessage().setHeader(SmtpRelayConstants.ENRICHED, true);
    }

    /** Some recipients are deferred: bounce the ones that failed, then retry later or give up. */
    private void deferred(Exchange exchange) throws Exception {
        DeliveryReport report = report(exchange);
        bounce(exchange, report.withOutcome(Outcome.FAILED), false);
        var in = exchange.getMessage();
        Instant arrival = Instant.ofEpochMilli(in.getHeader(SmtpRelayConstants.ARRIVAL, Long.class));
        Instant now = clock.instant();
        RetrySchedule schedule = settings.schedule();
        int attempts = in.getHeader(SmtpRelayConstants.ATTEMPTS, Integer.class);
        if (schedule.expired(arrival, now)) {
            LOG.info("{}: expired after {} attempts, returned to sender", exchange.getExchangeId(), attempts);
            List<RecipientStatus> expired = new ArrayList<>();
            for (RecipientStatus s : report.withOutcome(Outcome.DEFERRED)) {
                expired.add(new RecipientStatus(s.recipient(), Outcome.FAILED, s.replyCode(), s.enhancedStatus(),
                        "delivery temporarily suspended, giving up: " + s.replyText(), s.host(), s.ip(), s.port(), s.tls()));
            }
            bounce(exchange, expired, false);
            exchange.setProperty(NEXT, settings.deadLetterUri());
            return;
        }
        if (schedule.warningDue(arrival, now, Boolean.TRUE.equals(in.getHeader(SmtpRelayConstants.WARNED, Boolean.class)))) {
            bounce(exchange, report.withOutcome(Outcome.DEFERRED), true);
            in.setHeader(SmtpRelayConstants.WARNED, true);
        }
        Duration delay = schedule.delayAfter(attempts);
        in.setHeader(SmtpRelayConstants.RETRY_DELAY, delay.toMillis());
        exchange.setProperty(NEXT, settings.retryUri().replace("${header." + SmtpRelayConstants.RETRY_DELAY + "}",
                String.valueOf(delay.toMillis())));
    }

    private void failed(Exchange exchange) throws Exception {
        exchange.setProperty(NEXT, settings.deadLetterUri());
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (e instanceof SmtpRelayException relay) {
            bounce(exchange, relay.getReport().withOutcome(Outcome.FAILED), false);
        } else if (e != null) {
            // unreadable input cannot be bounced meaningfully; it is kept in the dead-letter queue
            exchange.getMessage().setHeader(SmtpRelayConstants.REPORT_TEXT, e.getMessage());
        }
    }

    private static DeliveryReport report(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (e instanceof SmtpRelayException relay) {
            return relay.getReport();
        }
        return exchange.getMessage().getHeader(SmtpRelayConstants.REPORT, DeliveryReport.class);
    }

    /** Queues a notification to the envelope sender, from the null sender, through the same durable queue. */
    private void bounce(Exchange exchange, List<RecipientStatus> statuses, boolean delayWarning) throws Exception {
        if (statuses.isEmpty()) {
            return;
        }
        String from = exchange.getMessage().getHeader(SmtpRelayConstants.ENVELOPE_FROM, String.class);
        MailAddress sender = from == null ? null : MailAddress.of(from, true);
        if (!DeliveryStatusNotification.mayNotify(sender)) {
            LOG.info("{}: not bounced: the sender is the null sender", exchange.getExchangeId());
            return;
        }
        MessageContent content = MessageContent.of(exchange);
        Instant arrival = Instant.ofEpochMilli(exchange.getMessage().getHeader(SmtpRelayConstants.ARRIVAL, Long.class));
        byte[] notice;
        try (InputStream original = content.open()) {
            DeliveryReport report = DeliveryReport.of(statuses);
            notice = delayWarning
                    ? DeliveryStatusNotification.delay(settings.reportingMta(), sender, report, original, arrival,
                            settings.schedule().giveUpAt(arrival), clock)
                    : DeliveryStatusNotification.failure(settings.reportingMta(), sender, report, original, arrival, clock);
        }
        ProducerTemplate template = exchange.getContext().createProducerTemplate();
        try {
            Exchange sent = template.send(settings.queueUri(), e -> {
                e.getMessage().setBody(notice);
                e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_FROM, "");
                e.getMessage().setHeader(SmtpRelayConstants.RECIPIENTS, sender.address());
                e.getMessage().setHeader(SmtpRelayConstants.ENRICHED, true);
                toQueueFormat(e, false);
            });
            if (sent.getException() != null) {
                throw sent.getException();
            }
        } finally {
            template.stop();
        }
        LOG.info("{}: sender non-delivery notification queued for <{}> ({})", exchange.getExchangeId(), sender,
                delayWarning ? "delayed" : "failed");
    }
}
