package io.github.camelrelay.smtprelay.relay;

import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.camelrelay.smtprelay.ExchangeMailReader;
import io.github.camelrelay.smtprelay.InvalidMailException;
import io.github.camelrelay.smtprelay.SmtpRelayComponent;
import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.SmtpRelayEndpoint;
import io.github.camelrelay.smtprelay.SmtpRelayException;
import io.github.camelrelay.smtprelay.SmtpRelayPermanentException;
import io.github.camelrelay.smtprelay.SmtpRelayTransientException;
import io.github.camelrelay.smtprelay.delivery.MessageContent;
import io.github.camelrelay.smtprelay.mail.MailAddress;
import io.github.camelrelay.smtprelay.report.DeliveryReport;
import io.github.camelrelay.smtprelay.dsn.DsnRequest;
import io.github.camelrelay.smtprelay.dsn.Notify;
import io.github.camelrelay.smtprelay.dsn.Ret;
import io.github.camelrelay.smtprelay.report.DeliveryStatusNotification;
import io.github.camelrelay.smtprelay.report.Outcome;
import io.github.camelrelay.smtprelay.report.RecipientStatus;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.StreamCache;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.BrowsableEndpoint;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.SynchronizationAdapter;
import org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store-and-forward relay as routes: SMTP ingress to a durable queue; queue to scheduling, enrichment and delivery;
 * and the fate of what was not delivered: deferred recipients go back to the queue with a broker delivery delay from
 * the {@link RetrySchedule} (nothing waits in memory, so a restart loses nothing), failed ones are bounced to the
 * sender (never to the null sender), and the message goes to the dead-letter endpoint with its report once nothing is
 * left to try.
 * <p>
 * Scheduling, after Postfix's queue manager: a queue entry with recipients at several destinations (domains in MX
 * mode) is split, in the consumer's transaction, into one entry per destination, so each has its own delivery and
 * retry schedule; the {@link DestinationScheduler} then limits each destination's concurrency and lets the mail of an
 * unreachable destination wait without a connection. Delivered recipients are recorded in the settled record
 * ({@link RelayRouteSettings#settledRepository}) the moment the server accepts them, and left out of every later
 * attempt of the same message, whatever rolled back.
 * <p>
 * The queue's message format, which any JMS producer can use to submit mail: the body is the raw RFC 5322 message
 * (bytes or text); the String properties {@code SmtpRelayEnvelopeFrom} (empty for the null sender) and
 * {@code SmtpRelayRecipients} (a JSON array of strings; a comma separated list is read too) are the envelope; without
 * them the message's own Sender or From and To/Cc/Bcc are used. {@code SmtpRelayQueueId} names the message in the
 * log lines and the settled record (default: the JMS message id of its first entry). (On the queue the names drop the {@code Camel}
 * prefix, because Camel's JMS header filter keeps headers starting with {@code Camel} off the wire.)
 * <p>
 * Only submissions are enriched (and so DKIM-signed): what the listener took from an authenticated user or a
 * relayNetworks client, {@code SmtpRelaySubmission} true on the queue, with the user in
 * {@code SmtpRelayAuthenticatedUser}. Mail that only arrived for a local domain has {@code SmtpRelaySubmission} false
 * and is relayed as it came, unsigned, so no one can have this relay sign a forged From. An entry without the property
 * was queued by an application's own route or JMS client, which could enqueue anything anyway: it is trusted as a
 * submission, as before the property existed.
 * <p>
 * A {@linkplain #isLarge large message} is never loaded into memory when the settings have
 * {@linkplain RelayRouteSettings#largeMessageOptions large-message options}: it stays in the stream cache the SMTP
 * listener spooled it to, the broker client streams it from there, and the queue consumer streams it into a new
 * spooled stream cache that the delivery reads.
 */
public class SmtpRelayRoutes extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpRelayRoutes.class);
    private static final Logger DELIVERY_LOG = LoggerFactory.getLogger("io.github.camelrelay.smtprelay.delivery");

    /** Exchange property naming where an undelivered message goes next: the retry queue with its delay, or dead letters. */
    private static final String NEXT = "smtprelayNext";
    /** Exchange property holding the scheduler's admission for this delivery. */
    private static final String ADMISSION = "smtprelayAdmission";

    /** The destination of a queue entry: the recipient domain in MX mode, the relay host in relay mode. */
    public static final String DESTINATION = "CamelSmtpRelayDestination";
    /** The message's size in octets, on the queue as SmtpRelaySize, for the queue's listings. */
    public static final String SIZE = "CamelSmtpRelaySize";
    /**
     * The W3C trace context of the message's submission, on the queue as SmtpRelayTraceparent: every delivery
     * attempt, days later, joins that trace (see {@link RelayTracing}).
     */
    public static final String TRACEPARENT = "CamelSmtpRelayTraceparent";

    /** Exchange property holding the span of this submission or delivery attempt. */
    private static final String SPAN = "smtprelaySpan";
    /** Exchange property naming how the attempt ended, for its span. */
    private static final String OUTCOME = "smtprelayOutcome";
    /** Exchange property holding when the delivery attempt started (epoch millis), for the events. */
    private static final String ATTEMPT_START = "smtprelayAttemptStart";

    /**
     * When an operator requeued the entry from the dead letters (epoch milliseconds), on the queue as
     * SmtpRelayRequeued: its lifetime counts from then, so a message that expired is tried for a whole lifetime again.
     */
    public static final String REQUEUED = "CamelSmtpRelayRequeued";

    /**
     * The digest of a submission's envelope and content, on the queue as SmtpRelayDigest: how a client's resend of a
     * message queued just before a crash is recognised after the restart (see {@link ResendGuard}).
     */
    static final String DIGEST = "CamelSmtpRelayDigest";
    /** The most queue entries read on start for their digests: the memory the browse may take stays bounded. */
    static final int RESEND_BROWSE_LIMIT = 1_000;
    /** The newest digests the resend record keeps: at 2,000 messages a second, the last 50 seconds before a crash. */
    static final int RESEND_RECORD_ENTRIES = 100_000;

    /** The headers that travel with a message on the queue, named there without the "Camel" prefix. */
    private static final List<String> QUEUE_HEADERS = List.of(SmtpRelayConstants.ENVELOPE_FROM, SmtpRelayConstants.RECIPIENTS,
            SmtpRelayConstants.ATTEMPTS, SmtpRelayConstants.ARRIVAL, SmtpRelayConstants.WARNED, SmtpRelayConstants.ENRICHED,
            SmtpRelayConstants.REPORT_TEXT, SmtpRelayConstants.QUEUE_ID, SmtpRelayConstants.TRACED, DESTINATION, SIZE, REQUEUED,
            SmtpRelayConstants.SUBMISSION, SmtpRelayConstants.AUTHENTICATED_USER, TRACEPARENT, SmtpRelayConstants.DSN_RET,
            SmtpRelayConstants.DSN_ENVID, SmtpRelayConstants.DSN_NOTIFY, SmtpRelayConstants.DSN_RECIPIENTS,
            SmtpRelayConstants.BODY, SmtpRelayConstants.SMTPUTF8, SmtpRelayConstants.REQUIRE_TLS, DIGEST);
    private static final int QUEUE_PREFIX_CUT = "Camel".length();
    /** Artemis's property of a scheduled message: when it is due. */
    private static final String ARTEMIS_SCHEDULED = "_AMQ_SCHED_DELIVERY";

    /**
     * Octets from which a message in memory counts as large: Artemis's default minLargeMessageSize, from which its
     * client sends a message in chunks anyway.
     */
    static final long LARGE_MESSAGE = 100 * 1024;

    private final RelayRouteSettings settings;
    private volatile DestinationScheduler scheduler;
    private volatile QueueTracker tracker;
    private final IdempotentRepository settled;
    private final OperatorRecord operators;
    private volatile String deliveryUri;
    /** The relay host when the delivery endpoint has one (every message then has one destination); "" for MX mode. */
    private volatile String relayHost;
    /** The delivery endpoint, looked up once: the registry's look-up normalises the URI, on every message otherwise. */
    private volatile Endpoint deliveryEndpoint;
    /** The delivery endpoint's TLS setting, lower case, for the attempts' spans. */
    private volatile String tlsPolicy;
    /** The settings' clock, else the component's: one setting dates the retries and bounces as the Received headers. */
    private volatile Clock clock = Clock.systemDefaultZone();
    private volatile RelayTracing tracing = RelayTracing.NONE;
    /** Where each recipient's {@link DeliveryEvent} goes, in the delivery's transaction; null for no events. */
    private volatile String eventsUri;
    private volatile Duration resendWindow = Duration.ofMinutes(30);
    private volatile ResendGuard resendGuard;
    private volatile java.nio.file.Path resendRecordFile;
    private volatile SettledFileRepository resendRecord;

    public SmtpRelayRoutes(RelayRouteSettings settings) {
        this.settings = settings;
        if (settings.settledRepository() != null) {
            this.settled = settings.settledRepository();
        } else {
            LOG.warn("The relay routes record delivered recipients in memory only: after a restart a message whose "
                     + "delivery was under way may be sent again to recipients that got it; configure a durable settled "
                     + "repository (a file or a database)");
            this.settled = MemoryIdempotentRepository.memoryIdempotentRepository(100_000);
        }
        this.operators = new OperatorRecord(settled);
    }

    /** The mail administrator's orders (hold, delete, bounce) these routes obey, kept in their settled record. */
    public OperatorRecord operatorRecord() {
        return operators;
    }

    /** Where held entries wait until released. */
    public String holdUri() {
        return settings.holdUri();
    }

    /** Reports submissions, delivery attempts and bounces as spans; set before the routes are configured. */
    public SmtpRelayRoutes tracing(RelayTracing tracing) {
        this.tracing = tracing == null ? RelayTracing.NONE : tracing;
        return this;
    }

    /**
     * Publishes one {@link DeliveryEvent} per recipient outcome, as JSON text, to the endpoint: a durable queue such
     * as {@code jms:queue:smtprelay.events}, sent in the delivery's broker transaction so an event is there exactly
     * when the outcome was committed; null for none. Set before the routes are configured.
     */
    public SmtpRelayRoutes events(String uri) {
        this.eventsUri = uri;
        return this;
    }

    /**
     * How long after a start a submission identical (envelope and content) to a message queued before the start is
     * taken as its client's resend and answered 250 without being queued again, once per message: the client sent it
     * before a crash and never read the 250. The messages are those the {@link #resendRecord resend record} has from
     * just before a crash, and the first 1,000 entries on the queue. Zero turns this off. Default 30 minutes.
     * Set before the routes are configured.
     */
    public SmtpRelayRoutes resendWindow(Duration window) {
        this.resendWindow = java.util.Objects.requireNonNull(window, "window");
        return this;
    }

    /**
     * The file where the ingress appends each queued message's digest (with its time and queue id) before the
     * client's 250, and a clean stop a marker; read on the next start so that a resend of a message queued in the last
     * seconds before a crash is recognised, however many entries wait on the queue (the browse on start reads the
     * first 1,000 only). It keeps the newest 100,000 and is locked against a second user, like a
     * {@link SettledFileRepository}; one per instance. Without it only the browse recognises resends. Set before the
     * routes are configured.
     */
    public SmtpRelayRoutes resendRecord(java.nio.file.Path file) {
        this.resendRecordFile = java.util.Objects.requireNonNull(file, "file");
        return this;
    }

    /** The resend record's file, or null when there is none. */
    public java.nio.file.Path getResendRecord() {
        return resendRecordFile;
    }

    /** The events endpoint, or null when the routes publish no events. */
    public String eventsUri() {
        return eventsUri;
    }

    /**
     * Publishes an event to the events endpoint (a no-op without one): for the queue operations, which report the
     * recipients they hold or delete. On the caller's thread, so in its broker transaction if it has one.
     */
    public void publish(DeliveryEvent event) throws Exception {
        publish(List.of(event));
    }

    /** Publishes the events, one queue message each, through one producer template. */
    public void publish(List<DeliveryEvent> events) throws Exception {
        if (eventsUri == null || events.isEmpty()) {
            return;
        }
        ProducerTemplate template = getContext().createProducerTemplate();
        try {
            for (DeliveryEvent event : events) {
                Exchange sent = template.send(eventsUri, e -> e.getMessage().setBody(event.toJson()));
                if (sent.getException() != null) {
                    throw sent.getException();
                }
            }
        } finally {
            template.stop();
        }
    }

    /** Queued entries per destination as these routes saw them, for the queue gauges; there once configured. */
    public QueueTracker tracker() {
        return tracker;
    }

    /** The queue manager of these routes, for metrics and tests; there once the routes are configured. */
    public DestinationScheduler scheduler() {
        return scheduler;
    }

    @Override
    public void configure() throws Exception {
        if (settings.clock() != null) {
            clock = settings.clock();
        } else {
            // the component's clock, so one setting dates the retries and bounces as it dates the Received headers
            SmtpRelayComponent component = getCamelContext().getComponent("smtprelay", SmtpRelayComponent.class);
            if (component != null) {
                clock = component.getClock();
            }
        }
        scheduler = new DestinationScheduler(settings.queueManager(), clock);
        tracker = new QueueTracker(clock);
        resendGuard = new ResendGuard(resendWindow, clock);
        if (settings.ingressUri() != null && resendGuard.enabled()) {
            // called once the routes are warmed up and before any consumer, the listener's or the deliveries', starts
            if (resendRecordFile != null) {
                resendRecord = SettledFileRepository.builder(resendRecordFile).maxEntries(RESEND_RECORD_ENTRIES).build();
                getContext().addService(resendRecord, true);
                // stopped before the record (services stop in reverse) and after the routes: the clean stop's marker
                ResendGuard guard = resendGuard;
                SettledFileRepository record = resendRecord;
                getContext().addService(new org.apache.camel.support.service.ServiceSupport() {
                    @Override
                    protected void doStop() {
                        try {
                            guard.stopped(record);
                        } catch (RuntimeException e) {
                            LOG.warn("Cannot mark the clean stop in the resend record {}: {}", record.getFile(), e.toString());
                        }
                    }
                }, true);
            }
            // Camel calls its startup listeners again whenever routes start later (a route restarted or added): the
            // guard takes what was queued before this start once, or this run's own messages would count as resends
            java.util.concurrent.atomic.AtomicBoolean loaded = new java.util.concurrent.atomic.AtomicBoolean();
            getContext().addStartupListener((context, alreadyStarted) -> {
                if (loaded.compareAndSet(false, true)) {
                    resendGuard.started();
                    loadResendRecord();
                    recoverDigests();
                }
            });
        }
        // the record's lifecycle (a file repository loads its file on start) is the context's
        getContext().addService(settled, true);
        String repositoryName = "smtpRelaySettled-" + Integer.toHexString(System.identityHashCode(this));
        getContext().getRegistry().bind(repositoryName, IdempotentRepository.class, settled);
        deliveryUri = withSettledRecord(synchronous(settings.deliveryUri()), repositoryName);
        deliveryEndpoint = null;

        if (settings.ingressUri() != null) {
            // before the client's 250: a message an enricher will refuse (an InvalidMailException, such as no From
            // header to sign) is refused at end of data with its 5xx status instead of bounced later
            var ingress = from(settings.ingressUri()).routeId("smtprelay-ingress")
                    .process(this::startSubmission)
                    .process(this::checkAtIngress)
                    // a resend of a message queued before a crash ends here: the client gets its 250 for the copy queued
                    .process(this::guardResend)
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
            ingress.process(this::rememberQueued)
                    .process(e -> track(e, true));
        }

        // the large-message options on the consumer change only how large messages arrive: as a spooled stream
        from(settings.withLargeMessageOptions(settings.queueUri())).routeId("smtprelay-delivery")
                // an unexpected failure rolls the entry back for the broker to offer again; before the broker's own
                // limit moves it to its dead-letter address without a word, the routes give up with a report
                .onException(Exception.class).onWhen(SmtpRelayRoutes::lastRedelivery).handled(true)
                    .process(this::gaveUp)
                    .process(this::toQueueFormat)
                    .toD("${exchangeProperty." + NEXT + "}")
                    .process(this::trackNext)
                .end()
                .process(SmtpRelayRoutes::fromQueueFormat)
                .process(e -> track(e, false))
                // a split entry or one put back for a busy destination ends the route here (routeStop)
                .process(this::schedule)
                .process(this::countAttempt)
                .process(this::startAttempt)
                .doTry()
                    .process(this::suspended)
                    // inside the try: a message an enricher refuses (InvalidMailException) is bounced
                    .process(this::enrich)
                    .to(deliveryUri)
                    .process(this::completed)
                    .process(this::delivered)
                .doCatch(SmtpRelayTransientException.class)
                    .process(this::deferred)
                    // an order given while this attempt ran: the retry is held, dropped or returned instead
                    .process(this::obeyOrderOnRetry)
                    .process(this::toQueueFormat)
                    .process(this::sendNext)
                    .process(this::trackNext)
                .doCatch(SmtpRelayPermanentException.class, InvalidMailException.class)
                    .process(this::failed)
                    .process(this::toQueueFormat)
                    .toD("${exchangeProperty." + NEXT + "}")
                    .process(this::trackNext)
                .doCatch(Exception.class)
                    // the error handler does not see inside doTry: roll back, or give up on the last delivery
                    .process(this::unexpected)
                    .process(this::toQueueFormat)
                    .toD("${exchangeProperty." + NEXT + "}")
                    .process(this::trackNext)
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

    /** The producer records and consults the routes' settled record, unless the URI names a repository itself. */
    static String withSettledRecord(String deliveryUri, String repositoryName) {
        if (!deliveryUri.startsWith("smtprelay:") || deliveryUri.matches(".*[?&]settledRepository=.*")) {
            return deliveryUri;
        }
        return deliveryUri + (deliveryUri.contains("?") ? "&" : "?") + "settledRepository=#" + repositoryName;
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
        if (exchange.getMessage().getHeader(SmtpRelayConstants.ARRIVAL) == null) {
            exchange.getMessage().setHeader(SmtpRelayConstants.ARRIVAL, clock.millis());
        }
        toQueueFormat(exchange, stream);
        String next = exchange.getProperty(NEXT, String.class);
        if (stream && next != null) {
            exchange.setProperty(NEXT, settings.withLargeMessageOptions(next));
        }
    }

    /**
     * Puts an exchange holding a raw message and the component's envelope headers ({@code CamelSmtpRelayEnvelopeFrom},
     * {@code CamelSmtpRelayRecipients}, ...) into the queue's format, as the routes do with the bounces they queue: for
     * code that queues mail of its own, such as the TLS-RPT reporter.
     */
    public static void toQueueEntry(Exchange exchange) {
        toQueueFormat(exchange, false);
    }

    /**
     * Only String and number properties survive a JMS queue: the recipients become a JSON array, the body bytes, or
     * with {@code keepStream} the body stays the stream cache it is, for the broker client to stream.
     */
    static void toQueueFormat(Exchange exchange, boolean keepStream) {
        var in = exchange.getMessage();
        Object recipients = in.getHeader(SmtpRelayConstants.RECIPIENTS);
        if (recipients instanceof Collection<?> c) {
            in.setHeader(SmtpRelayConstants.RECIPIENTS, QueueRecipients.encode(c));
        }
        Object report = in.getHeader(SmtpRelayConstants.REPORT);
        if (report != null) {
            if (in.getHeader(SmtpRelayConstants.REPORT_TEXT) == null) {
                in.setHeader(SmtpRelayConstants.REPORT_TEXT, report.toString());
            }
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
        if (in.getHeader(SIZE) == null) {
            in.setHeader(SIZE, keepStream ? in.getBody(StreamCache.class).length() : in.getBody(byte[].class).length);
        }
        for (String header : QUEUE_HEADERS) {
            Object value = in.removeHeader(header);
            if (value != null) {
                in.setHeader(header.substring(QUEUE_PREFIX_CUT), value);
            }
        }
    }

    /**
     * The queue's properties as the producer's headers; the recipients decoded from either format (an entry that
     * cannot be decoded keeps its text, and the delivery refuses it with a report), and the message key defaulting to
     * the JMS message id, which every redelivery of the entry keeps.
     */
    static void fromQueueFormat(Exchange exchange) {
        var in = exchange.getMessage();
        for (String header : QUEUE_HEADERS) {
            Object value = in.removeHeader(header.substring(QUEUE_PREFIX_CUT));
            if (value != null) {
                in.setHeader(header, value);
            }
        }
        if (in.getHeader(SmtpRelayConstants.QUEUE_ID) == null) {
            String id = in.getHeader("JMSMessageID", String.class);
            in.setHeader(SmtpRelayConstants.QUEUE_ID, id != null ? id : exchange.getExchangeId());
        }
        Object recipients = in.getHeader(SmtpRelayConstants.RECIPIENTS);
        if (recipients instanceof String text) {
            try {
                in.setHeader(SmtpRelayConstants.RECIPIENTS, new ArrayList<>(QueueRecipients.decode(text)));
            } catch (IllegalArgumentException e) {
                LOG.warn("{}: unreadable recipients on the queue: {}", queueId(exchange), e.getMessage());
            }
        }
    }

    /** The message's queue id, which names it in every log line (fromQueueFormat gives every entry one). */
    private static String queueId(Exchange exchange) {
        return exchange.getMessage().getHeader(SmtpRelayConstants.QUEUE_ID, exchange.getExchangeId(), String.class);
    }

    // ---------------------------------------------------------------- scheduling (the queue manager's part)

    /**
     * Splits an entry with several destinations into one entry each; puts an entry back when its destination is at
     * its concurrency limit; otherwise admits it (for delivery, or as suspended when its destination backs off).
     */
    private void schedule(Exchange exchange) throws Exception {
        var in = exchange.getMessage();
        Map<String, List<String>> groups = byDestination(exchange);
        Object placed = in.getHeader(DESTINATION);
        if (placed == null || placed.toString().isEmpty()) {
            operators.resolve(queueId(exchange), groups.keySet());
        }
        if (groups.size() > 1) {
            for (Map.Entry<String, List<String>> group : groups.entrySet()) {
                Exchange part = exchange.copy();
                part.getMessage().setHeader(SmtpRelayConstants.RECIPIENTS, new ArrayList<>(group.getValue()));
                part.getMessage().setHeader(DESTINATION, group.getKey());
                sendInTransaction(part, settings.queueUri());
                track(part, true);
            }
            LOG.info("{}: split into {} queue entries, one per destination {}", queueId(exchange), groups.size(),
                    groups.keySet());
            exchange.setRouteStop(true);
            return;
        }
        String destination = groups.isEmpty() ? "" : groups.keySet().iterator().next();
        in.setHeader(DESTINATION, destination);
        if (obeyOrderAtTake(exchange, destination)) {
            exchange.setRouteStop(true);
            return;
        }
        Duration shaped = shapingDelay(exchange, destination);
        if (!shaped.isZero()) {
            LOG.debug("{}: destination {} at its traffic-shaping limit, offered again in {} ms", exchange.getExchangeId(),
                    destination, shaped.toMillis());
            in.setHeader(SmtpRelayConstants.RETRY_DELAY, shaped.toMillis());
            sendInTransaction(exchange, retryUri(shaped.toMillis()));
            track(exchange, true);
            exchange.setRouteStop(true);
            return;
        }
        DestinationScheduler.Admission admission = scheduler.admit(destination);
        switch (admission.verdict()) {
            case BUSY -> {
                long delay = settings.queueManager().busyDelay().toMillis();
                LOG.debug("{}: destination {} at its concurrency limit, offered again in {} ms", queueId(exchange),
                        destination, delay);
                in.setHeader(SmtpRelayConstants.RETRY_DELAY, delay);
                sendInTransaction(exchange, retryUri(delay));
                track(exchange, true);
                exchange.setRouteStop(true);
            }
            case SUSPENDED -> exchange.setProperty(ADMISSION, admission);
            case DELIVER -> {
                exchange.setProperty(ADMISSION, admission);
                // whatever ends the exchange, the slot is given back
                exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                    @Override
                    public void onDone(Exchange done) {
                        scheduler.completed(admission, null);
                    }
                });
            }
        }
    }

    // ---------------------------------------------------------------- the mail administrator's orders

    /**
     * Carries out the order standing for an entry just taken off the queue, in the consumer's transaction: held
     * (sent to the hold queue), deleted (not sent anywhere), bounced (returned to its sender, then dead-lettered).
     * False when there is none and the entry goes on to its delivery.
     */
    private boolean obeyOrderAtTake(Exchange exchange, String destination) throws Exception {
        String id = queueId(exchange);
        OperatorRecord.Order order = operators.orderFor(id, destination);
        if (order == null) {
            return false;
        }
        if (order == OperatorRecord.Order.FLUSH) {
            // taken now: the flush it asked for is this delivery
            operators.remove(id, destination, order);
            return false;
        }
        var in = exchange.getMessage();
        if (in.getHeader(SmtpRelayConstants.ARRIVAL) == null) {
            in.setHeader(SmtpRelayConstants.ARRIVAL, clock.millis());
        }
        orderEvents(exchange, order);
        in.removeHeader(SmtpRelayConstants.RETRY_DELAY);
        // the broker's schedule of the entry travels as a property: sent on as it is, the copy would wait for it again
        in.removeHeader(ARTEMIS_SCHEDULED);
        switch (order) {
            case HOLD -> {
                sendInTransaction(exchange, settings.holdUri());
                LOG.info("{}: held (destination {}), not delivered until released", id, display(destination));
            }
            case DELETE -> LOG.info("{}: deleted by the mail administrator (destination {}), sender not notified", id,
                    display(destination));
            case FLUSH -> throw new IllegalStateException("Expected a flush order to be obeyed by delivering, found it unhandled");
            case DELETE_AND_BOUNCE -> {
                String told = returnToSender(exchange, "deleted by the mail administrator");
                LOG.info("{}: deleted by the mail administrator (destination {}), {}", id, display(destination), told);
            }
            case BOUNCE -> {
                String told = returnToSender(exchange, "returned to sender by the mail administrator");
                in.setHeader(SmtpRelayConstants.REPORT_TEXT, "returned to sender by the mail administrator"
                                                             + System.lineSeparator() + told);
                sendInTransaction(exchange, settings.deadLetterUri());
                LOG.info("{}: returned to sender by the mail administrator (destination {}), {}", id, display(destination), told);
            }
        }
        return true;
    }

    /** The order given while a delivery ran decides where its deferred recipients go instead of the retry. */
    private void obeyOrderOnRetry(Exchange exchange) throws Exception {
        String next = exchange.getProperty(NEXT, String.class);
        if (next == null || next.startsWith(settings.deadLetterUri())) {
            return;
        }
        String id = queueId(exchange);
        String destination = exchange.getMessage().getHeader(DESTINATION, "", String.class);
        // an order given while the entry's first attempt ran names it without the destination it has now
        operators.resolve(id, List.of(destination));
        OperatorRecord.Order order = operators.orderFor(id, destination);
        if (order == null) {
            return;
        }
        orderEvents(exchange, order);
        var in = exchange.getMessage();
        switch (order) {
            case HOLD -> {
                in.removeHeader(SmtpRelayConstants.RETRY_DELAY);
                in.removeHeader(ARTEMIS_SCHEDULED);
                exchange.setProperty(NEXT, settings.holdUri());
                LOG.info("{}: held after this attempt (destination {}), not delivered until released", id, display(destination));
            }
            case DELETE -> {
                exchange.removeProperty(NEXT);
                LOG.info("{}: deleted by the mail administrator after this attempt (destination {}), sender not notified",
                        id, display(destination));
            }
            case DELETE_AND_BOUNCE -> {
                exchange.removeProperty(NEXT);
                String told = returnToSender(exchange, "deleted by the mail administrator");
                LOG.info("{}: deleted by the mail administrator after this attempt (destination {}), {}", id,
                        display(destination), told);
            }
            case BOUNCE -> {
                String told = returnToSender(exchange, "returned to sender by the mail administrator");
                in.setHeader(SmtpRelayConstants.REPORT_TEXT, in.getHeader(SmtpRelayConstants.REPORT_TEXT, "", String.class)
                                                             + System.lineSeparator() + "returned to sender by the mail"
                                                             + " administrator" + System.lineSeparator() + told);
                exchange.setProperty(NEXT, settings.deadLetterUri());
                LOG.info("{}: returned to sender by the mail administrator after this attempt (destination {}), {}", id,
                        display(destination), told);
            }
            case FLUSH -> {
                operators.remove(id, destination, order);
                in.setHeader(SmtpRelayConstants.RETRY_DELAY, 0L);
                exchange.setProperty(NEXT, retryUri(0));
                LOG.info("{}: flushed by the mail administrator during this attempt (destination {}), retried at once", id,
                        display(destination));
            }
        }
    }

    /** Bounces the entry's recipients not yet delivered (the settled record says which) with the reason. */
    private String returnToSender(Exchange exchange, String reason) throws Exception {
        List<RecipientStatus> returned = pending(exchange, Outcome.FAILED, "5.0.0", reason);
        return returned.isEmpty() ? "sender not notified: no undelivered recipient to report on" : bounce(exchange, returned, Notify.FAILURE);
    }

    /** The entry's recipients the settled record does not name, each with the relay's own verdict. */
    private List<RecipientStatus> pending(Exchange exchange, Outcome outcome, String status, String text) {
        String key = queueId(exchange);
        List<RecipientStatus> pending = new ArrayList<>();
        for (String r : recipientsOf(exchange)) {
            try {
                MailAddress address = MailAddress.of(r);
                if (!settled.contains(io.github.camelrelay.smtprelay.SmtpRelayProducer.recordKey(key, address))) {
                    pending.add(RecipientStatus.local(address, outcome, status, text));
                }
            } catch (IllegalArgumentException bad) {
                // an unreadable address cannot be named in a report
            }
        }
        return pending;
    }

    /**
     * The events of an operator's order for the entry's pending recipients: held, deleted, or bounced; in the
     * transaction that carries the order out, so an event is there exactly when the order took effect.
     */
    private void orderEvents(Exchange exchange, OperatorRecord.Order order) throws Exception {
        if (eventsUri == null) {
            return;
        }
        switch (order) {
            case HOLD -> events(exchange, pending(exchange, Outcome.DEFERRED, "4.0.0", "held by the mail administrator"),
                    DeliveryEvent.Type.HELD, null);
            case DELETE, DELETE_AND_BOUNCE -> events(exchange,
                    pending(exchange, Outcome.DEFERRED, "5.0.0", "deleted by the mail administrator"),
                    DeliveryEvent.Type.DELETED, null);
            case BOUNCE -> events(exchange,
                    pending(exchange, Outcome.FAILED, "5.0.0", "returned to sender by the mail administrator"),
                    DeliveryEvent.Type.BOUNCED, null);
            case FLUSH -> {
                // a flush is a delivery attempt, which has events of its own
            }
        }
    }

    private static String display(String destination) {
        return destination.isEmpty() ? "not yet chosen" : destination;
    }

    /** Sends the entry where the exchange property NEXT says, or nowhere when an operator's delete removed it. */
    private void sendNext(Exchange exchange) throws Exception {
        String next = exchange.getProperty(NEXT, String.class);
        if (next == null) {
            return;
        }
        Exchange copy = exchange.copy();
        send(next, e -> {
            e.getMessage().setBody(copy.getMessage().getBody());
            e.getMessage().setHeaders(copy.getMessage().getHeaders());
        });
    }

    /** Counts the entry, in either format, as queued or taken off the queue for each of its destinations. */
    private void track(Exchange exchange, boolean queued) {
        var in = exchange.getMessage();
        Object recipients = in.getHeader(SmtpRelayConstants.RECIPIENTS);
        Object arrival = in.getHeader(SmtpRelayConstants.ARRIVAL);
        if (recipients == null) {
            recipients = in.getHeader(SmtpRelayConstants.RECIPIENTS.substring(QUEUE_PREFIX_CUT));
            arrival = in.getHeader(SmtpRelayConstants.ARRIVAL.substring(QUEUE_PREFIX_CUT));
        }
        List<String> list;
        if (recipients instanceof Collection<?> c) {
            list = c.stream().map(String::valueOf).toList();
        } else if (recipients instanceof String text) {
            try {
                list = QueueRecipients.decode(text);
            } catch (IllegalArgumentException e) {
                return;
            }
        } else {
            return;
        }
        long at = arrival instanceof Number n ? n.longValue() : clock.millis();
        String relay = relayHost(exchange);
        java.util.Set<String> destinations = new java.util.LinkedHashSet<>();
        for (String r : list) {
            try {
                destinations.add(relay.isEmpty() ? MailAddress.of(r).domain().name() : "[" + relay + "]");
            } catch (IllegalArgumentException e) {
                // not an address: the delivery refuses it
            }
        }
        for (String d : destinations) {
            if (queued) {
                tracker.queued(d, at);
            } else {
                tracker.taken(d, at);
            }
        }
    }

    /** An entry sent back to the queue for a retry is queued again; one sent to the dead letters is not. */
    private void trackNext(Exchange exchange) {
        String next = exchange.getProperty(NEXT, String.class);
        if (next != null && !next.startsWith(settings.deadLetterUri()) && !next.startsWith(settings.holdUri())) {
            track(exchange, true);
        }
    }

    /**
     * The entry's recipients by destination, in order: by domain in MX mode, all at the relay host in relay mode;
     * empty when the recipients are not in the header (the producer reads them from the message then) and a single
     * group when one of them is not an address (the delivery refuses it with a report).
     */
    private Map<String, List<String>> byDestination(Exchange exchange) {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        Object header = exchange.getMessage().getHeader(SmtpRelayConstants.RECIPIENTS);
        if (!(header instanceof Collection<?> recipients)) {
            return groups;
        }
        String relay = relayHost(exchange);
        for (Object r : recipients) {
            String destination;
            if (!relay.isEmpty()) {
                destination = "[" + relay + "]";
            } else {
                try {
                    destination = MailAddress.of(String.valueOf(r)).domain().name();
                } catch (IllegalArgumentException e) {
                    return Map.of("", new ArrayList<>(recipients.stream().map(String::valueOf).toList()));
                }
            }
            groups.computeIfAbsent(destination, d -> new ArrayList<>()).add(String.valueOf(r));
        }
        return groups;
    }

    /**
     * How long the destination's traffic-shaping rule (the delivery endpoint's {@code trafficShaping}) holds its mail
     * back: zero when a delivery may start now; while every connection is in use the busy delay; when the rate is
     * spent, until its window frees a message. Not an attempt: the retry schedule is unchanged.
     */
    private Endpoint deliveryEndpoint(Exchange exchange) {
        Endpoint endpoint = deliveryEndpoint;
        if (endpoint == null) {
            endpoint = exchange.getContext().getEndpoint(deliveryUri);
            deliveryEndpoint = endpoint;
        }
        return endpoint;
    }

    private Duration shapingDelay(Exchange exchange, String destination) {
        Endpoint endpoint = deliveryEndpoint(exchange);
        if (!(endpoint instanceof SmtpRelayEndpoint smtp) || destination.isEmpty()) {
            return Duration.ZERO;
        }
        io.github.camelrelay.smtprelay.shaping.TrafficShaper shaper = smtp.shaper();
        if (shaper == null) {
            return Duration.ZERO;
        }
        String name = destination.startsWith("[") ? destination.substring(1, destination.length() - 1) : destination;
        try {
            return shaper.delay(io.github.camelrelay.smtprelay.mail.Domain.of(name), settings.queueManager().busyDelay());
        } catch (IllegalArgumentException e) {
            return Duration.ZERO;
        }
    }

    private String relayHost(Exchange exchange) {
        String host = relayHost;
        if (host == null) {
            Endpoint endpoint = deliveryEndpoint(exchange);
            host = endpoint instanceof SmtpRelayEndpoint smtp && smtp.getConfiguration().isRelayMode()
                    ? smtp.getConfiguration().getRelayHost().strip().toLowerCase(java.util.Locale.ROOT) : "";
            relayHost = host;
        }
        return host;
    }

    /** A suspended destination's mail is deferred at once, without a connection, as Postfix does for a dead one. */
    private void suspended(Exchange exchange) throws Exception {
        DestinationScheduler.Admission admission = exchange.getProperty(ADMISSION, DestinationScheduler.Admission.class);
        if (admission == null || admission.verdict() != DestinationScheduler.Verdict.SUSPENDED) {
            return;
        }
        List<RecipientStatus> statuses = new ArrayList<>();
        for (String r : recipientsOf(exchange)) {
            RecipientStatus s = RecipientStatus.local(MailAddress.of(r), Outcome.DEFERRED, "4.4.1",
                    "delivery temporarily suspended: " + admission.reason());
            statuses.add(s);
            if (DELIVERY_LOG.isInfoEnabled()) {
                DELIVERY_LOG.info("{}: to=<{}>, relay=none, dsn=4.4.1, status=deferred (delivery temporarily suspended: {})",
                        queueId(exchange), r, admission.reason());
            }
        }
        DeliveryReport report = DeliveryReport.of(statuses);
        exchange.getMessage().setHeader(SmtpRelayConstants.REPORT, report);
        throw new SmtpRelayTransientException(exchange, report);
    }

    private static List<String> recipientsOf(Exchange exchange) {
        Object header = exchange.getMessage().getHeader(SmtpRelayConstants.RECIPIENTS);
        if (header instanceof Collection<?> c) {
            return c.stream().map(String::valueOf).toList();
        }
        return header == null ? List.of() : MailAddress.splitList(header.toString());
    }

    /**
     * Tells the scheduler how the delivery went, and gives its slot back; then sends the success notices asked for
     * (NOTIFY=SUCCESS) of recipients this attempt delivered to a server without DSN, which will send none itself.
     */
    private void completed(Exchange exchange) throws Exception {
        DestinationScheduler.Admission admission = exchange.getProperty(ADMISSION, DestinationScheduler.Admission.class);
        DeliveryReport report = report(exchange);
        scheduler.completed(admission, report);
        if (report != null) {
            List<RecipientStatus> relayed = new ArrayList<>();
            for (RecipientStatus s : report.withOutcome(Outcome.DELIVERED)) {
                // replyCode 0: delivered by an earlier attempt (the settled record), which said so then
                if (s.replyCode() > 0 && !s.remoteDsn()) {
                    relayed.add(s);
                }
            }
            bounce(exchange, relayed, Notify.SUCCESS);
        }
    }

    private void countAttempt(Exchange exchange) {
        var in = exchange.getMessage();
        Integer attempts = in.getHeader(SmtpRelayConstants.ATTEMPTS, Integer.class);
        in.setHeader(SmtpRelayConstants.ATTEMPTS, attempts == null ? 1 : attempts + 1);
        if (in.getHeader(SmtpRelayConstants.ARRIVAL) == null) {
            in.setHeader(SmtpRelayConstants.ARRIVAL, clock.millis());
        }
        in.removeHeader(SmtpRelayConstants.RETRY_DELAY);
    }

    // ---------------------------------------------------------------- tracing and events

    /** The span of the submission, ended when the listener's exchange is: queued, refused or failed. */
    private void startSubmission(Exchange exchange) {
        RelayTracing.Span span = span(() -> tracing.submission(exchange));
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onComplete(Exchange done) {
                stop(span, "queued", null);
            }

            @Override
            public void onFailure(Exchange done) {
                stop(span, done.getException() instanceof InvalidMailException ? "refused" : "error", done.getException());
            }
        });
    }

    /** The span of this delivery attempt, in the submission's trace, ended with the outcome the attempt set. */
    private void startAttempt(Exchange exchange) {
        exchange.setProperty(ATTEMPT_START, clock.millis());
        String destination = exchange.getMessage().getHeader(DESTINATION, "", String.class);
        RelayTracing.Span span = span(() -> tracing.attempt(exchange, destination, tlsPolicy(exchange)));
        exchange.setProperty(SPAN, span);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onComplete(Exchange done) {
                stop(span, done.getProperty(OUTCOME, "error", String.class), null);
            }

            @Override
            public void onFailure(Exchange done) {
                // rolled back: the broker offers the entry again
                stop(span, "error", done.getException());
            }
        });
    }

    /** A tracing failure must never fail the mail it traces. */
    private static RelayTracing.Span span(java.util.function.Supplier<RelayTracing.Span> start) {
        try {
            return start.get();
        } catch (RuntimeException e) {
            LOG.debug("Cannot start a tracing span: {}", e.toString());
            return RelayTracing.Span.NONE;
        }
    }

    private static void stop(RelayTracing.Span span, String outcome, Throwable error) {
        try {
            span.stop(outcome, error);
        } catch (RuntimeException e) {
            LOG.debug("Cannot end a tracing span: {}", e.toString());
        }
    }

    private String tlsPolicy(Exchange exchange) {
        String policy = tlsPolicy;
        if (policy == null) {
            Endpoint endpoint = deliveryEndpoint(exchange);
            policy = endpoint instanceof SmtpRelayEndpoint smtp && smtp.getConfiguration().effectiveTls() != null
                    ? smtp.getConfiguration().effectiveTls().name().toLowerCase(java.util.Locale.ROOT) : "none";
            tlsPolicy = policy;
        }
        return policy;
    }

    /** Every recipient was delivered (or settled by an earlier attempt). */
    private void delivered(Exchange exchange) throws Exception {
        exchange.setProperty(OUTCOME, "delivered");
        DeliveryReport report = report(exchange);
        if (report != null) {
            events(exchange, report.statuses(), DeliveryEvent.Type.DEFERRED, null);
        }
    }

    /**
     * Publishes one event per recipient of this attempt: delivered, bounced (failed), and deferred or, when the
     * message gave up, expired. A recipient the settled record reports (delivered by an earlier attempt, no reply of
     * its own) had its event then.
     */
    private void events(Exchange exchange, List<RecipientStatus> statuses, DeliveryEvent.Type deferredAs, Instant nextAttempt)
            throws Exception {
        if (eventsUri == null || statuses.isEmpty()) {
            return;
        }
        var in = exchange.getMessage();
        Instant now = clock.instant();
        Long arrival = in.getHeader(SmtpRelayConstants.ARRIVAL, Long.class);
        Long start = exchange.getProperty(ATTEMPT_START, Long.class);
        Integer attempts = in.getHeader(SmtpRelayConstants.ATTEMPTS, Integer.class);
        String destination = in.getHeader(DESTINATION, "", String.class);
        String messageId = messageId(exchange);
        String sender = in.getHeader(SmtpRelayConstants.ENVELOPE_FROM, String.class);
        if (sender == null) {
            MailAddress derived = ExchangeMailReader.envelopeSender(exchange);
            sender = derived == null ? "" : derived.address();
        }
        List<DeliveryEvent> events = new ArrayList<>();
        for (RecipientStatus s : statuses) {
            if (s.outcome() == Outcome.DELIVERED && s.replyCode() == 0) {
                continue;
            }
            DeliveryEvent.Type type = switch (s.outcome()) {
                case DELIVERED -> DeliveryEvent.Type.DELIVERED;
                case DEFERRED -> deferredAs;
                default -> DeliveryEvent.Type.BOUNCED;
            };
            events.add(DeliveryEvent.builder(type, s.recipient().address(), now)
                    .queueId(queueId(exchange)).messageId(messageId).sender(sender)
                    .destination(destination.isEmpty() ? s.recipient().domain().name() : destination)
                    .reply(DeliveryEvent.Reply.of(s)).attempts(attempts == null ? 0 : attempts)
                    .arrival(arrival == null ? null : Instant.ofEpochMilli(arrival))
                    .nextAttempt(type == DeliveryEvent.Type.DEFERRED ? nextAttempt : null)
                    .attemptMillis(start == null ? 0 : Math.max(0, now.toEpochMilli() - start))
                    .build());
        }
        publish(events);
    }

    /** The message's Message-ID without its angle brackets, or null when it has none or cannot be read. */
    private static String messageId(Exchange exchange) {
        try (InputStream raw = MessageContent.of(exchange).open()) {
            String id = io.github.camelrelay.smtprelay.mail.HeaderSection.read(raw).get("Message-ID", " ");
            return id == null ? null : id.strip().replaceAll("^<|>$", "");
        } catch (Exception e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- enrichment and outcomes

    /**
     * Whether the routes vouch for the message, so enrich and sign it: not when the listener says it only arrived for
     * a local domain; an entry from elsewhere (an application's route, any JMS client) is trusted as before.
     */
    static boolean isSubmission(Exchange exchange) {
        return !Boolean.FALSE.equals(exchange.getMessage().getHeader(SmtpRelayConstants.SUBMISSION, Boolean.class));
    }

    /**
     * Runs the enrichers once per message (a retried message was enriched, and maybe signed, already), and only for a
     * submission: inbound mail for a local domain is relayed as it came.
     */
    private void enrich(Exchange exchange) throws Exception {
        if (exchange.getMessage().getHeader(SmtpRelayConstants.ENRICHED) != null) {
            return;
        }
        if (!isSubmission(exchange)) {
            LOG.debug("{}: not enriched or signed: received for a local domain, not a submission", queueId(exchange));
            return;
        }
        for (var p : settings.enrichers()) {
            p.process(exchange);
        }
        exchange.getMessage().setHeader(SmtpRelayConstants.ENRICHED, true);
    }

    /**
     * Asks every enricher that can tell ({@link io.github.camelrelay.smtprelay.enrich.MessageCheck}) whether it will
     * refuse the message; one that will refuses it here, which the listener answers with 550 and the status. Any
     * other failure of a check must not cost the client its message: the enrichment before delivery decides then.
     */
    private void checkAtIngress(Exchange exchange) throws InvalidMailException {
        if (!isSubmission(exchange)) {
            // not enriched, so nothing an enricher would refuse applies
            return;
        }
        for (Processor p : settings.enrichers()) {
            if (p instanceof io.github.camelrelay.smtprelay.enrich.MessageCheck check) {
                try {
                    check.check(exchange);
                } catch (InvalidMailException refused) {
                    if (refused.getEnhancedStatus() != null && refused.getEnhancedStatus().startsWith("5.")) {
                        throw refused;
                    }
                } catch (RuntimeException e) {
                    LOG.warn("{}: enrichment check failed at the ingress ({}); left to the enrichment before delivery",
                            exchange.getExchangeId(), e.toString());
                }
            }
        }
    }

    /** Takes the digests the resend record has from just before a crash, for {@link #guardResend}. */
    private void loadResendRecord() {
        if (resendRecord == null) {
            return;
        }
        try {
            int found = resendGuard.load(resendRecord);
            if (found > 0) {
                LOG.info("{} messages queued just before the last crash found in {}: a client's resend of one of them within {}"
                         + " is not queued again", found, resendRecord.getFile(), resendWindow);
            }
        } catch (RuntimeException e) {
            LOG.warn("Cannot read the resend record {} ({}): the resends of messages queued before this start are queued again",
                    resendRecord.getFile(), e.toString());
        }
    }

    /** Reads the digests of the entries on the queue, for {@link #guardResend}. */
    private void recoverDigests() {
        Endpoint queue = getContext().getEndpoint(settings.queueUri());
        if (!(queue instanceof BrowsableEndpoint browsable)) {
            LOG.info("Resends of messages queued before a crash are not recognised: {} cannot be browsed", settings.queueUri());
            return;
        }
        try {
            int found = resendGuard.recover(browsable, DIGEST.substring(QUEUE_PREFIX_CUT),
                    SmtpRelayConstants.QUEUE_ID.substring(QUEUE_PREFIX_CUT), RESEND_BROWSE_LIMIT);
            if (found > 0) {
                LOG.info("{} queue entries found on start: a client's resend of one of them within {} is not queued again",
                        found, resendWindow);
            }
        } catch (RuntimeException e) {
            LOG.warn("Cannot browse {} for the entries queued before this start ({}): their clients' resends are queued again",
                    settings.queueUri(), e.toString());
        }
    }

    /** Ends the ingress of a submission that repeats an entry found on the queue on start: that entry is the message. */
    private void guardResend(Exchange exchange) throws Exception {
        if (resendGuard == null || !resendGuard.enabled()) {
            return;
        }
        var in = exchange.getMessage();
        Object recipients = in.getHeader(SmtpRelayConstants.RECIPIENTS);
        List<String> list = recipients instanceof Collection<?> c ? c.stream().map(String::valueOf).toList()
                : recipients == null ? List.of() : List.of(String.valueOf(recipients));
        String digest = ResendGuard.digest(exchange, in.getHeader(SmtpRelayConstants.ENVELOPE_FROM, String.class), list);
        String original = resendGuard.originalOf(digest);
        if (original != null) {
            LOG.info("{}: not queued: a resend of {}, queued before the restart with the same envelope and content", queueId(exchange),
                    original);
            exchange.setRouteStop(true);
            return;
        }
        in.setHeader(DIGEST, digest);
        exchange.setProperty(DIGEST, digest);
    }

    /**
     * The broker has the message: its digest goes into the resend record before the client's 250, so a resend after
     * a crash is found there however many entries the queue holds. A record that fails here costs only that
     * recognition; the message is queued and the client gets its 250.
     */
    private void rememberQueued(Exchange exchange) {
        String digest = exchange.getProperty(DIGEST, String.class);
        if (digest == null || resendRecord == null) {
            return;
        }
        try {
            resendGuard.remember(resendRecord, digest, queueId(exchange));
        } catch (RuntimeException e) {
            LOG.warn("{}: queued, but its digest could not be recorded (a resend after a crash would be queued again): {}",
                    queueId(exchange), e.toString());
        }
    }

    /** Some recipients are deferred: bounce the ones that failed, then retry later or give up. */
    private void deferred(Exchange exchange) throws Exception {
        completed(exchange);
        DeliveryReport report = report(exchange);
        bounce(exchange, report.withOutcome(Outcome.FAILED), Notify.FAILURE);
        var in = exchange.getMessage();
        Instant arrival = Instant.ofEpochMilli(in.getHeader(SmtpRelayConstants.ARRIVAL, Long.class));
        Long requeued = in.getHeader(REQUEUED, Long.class);
        if (requeued != null && requeued > arrival.toEpochMilli()) {
            arrival = Instant.ofEpochMilli(requeued);
        }
        Instant now = clock.instant();
        RetrySchedule schedule = settings.schedule();
        int attempts = in.getHeader(SmtpRelayConstants.ATTEMPTS, Integer.class);
        if (schedule.expired(arrival, now)) {
            LOG.info("{}: expired after {} attempts, returned to sender", queueId(exchange), attempts);
            List<RecipientStatus> expired = new ArrayList<>();
            for (RecipientStatus s : report.withOutcome(Outcome.DEFERRED)) {
                expired.add(new RecipientStatus(s.recipient(), Outcome.FAILED, s.replyCode(), s.enhancedStatus(),
                        "delivery temporarily suspended, giving up: " + s.replyText(), s.host(), s.ip(), s.port(), s.tls()));
            }
            String told = bounce(exchange, expired, Notify.FAILURE);
            in.setHeader(SmtpRelayConstants.REPORT_TEXT, "expired after " + attempts + " attempts: " + report
                                                         + System.lineSeparator() + told);
            exchange.setProperty(NEXT, settings.deadLetterUri());
            exchange.setProperty(OUTCOME, "expired");
            events(exchange, report.statuses(), DeliveryEvent.Type.EXPIRED, null);
            return;
        }
        if (schedule.warningDue(arrival, now, Boolean.TRUE.equals(in.getHeader(SmtpRelayConstants.WARNED, Boolean.class)))) {
            bounce(exchange, report.withOutcome(Outcome.DEFERRED), Notify.DELAY);
            in.setHeader(SmtpRelayConstants.WARNED, true);
        }
        Duration delay = schedule.delayAfter(attempts);
        in.setHeader(SmtpRelayConstants.RETRY_DELAY, delay.toMillis());
        exchange.setProperty(NEXT, retryUri(delay.toMillis()));
        exchange.setProperty(OUTCOME, "deferred");
        events(exchange, report.statuses(), DeliveryEvent.Type.DEFERRED, now.plus(delay));
    }

    private String retryUri(long delayMillis) {
        return settings.retryUri().replace("${header." + SmtpRelayConstants.RETRY_DELAY + "}", String.valueOf(delayMillis));
    }

    /**
     * Nothing is left to try: the failed recipients are bounced with the reason, and the message goes to the dead
     * letters with a report that says why and whether the sender was told. A message the delivery or an enricher
     * refused as a whole (no valid recipient, no From to sign) is bounced for every recipient it names.
     */
    private void failed(Exchange exchange) throws Exception {
        completed(exchange);
        exchange.setProperty(NEXT, settings.deadLetterUri());
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String text;
        String told;
        exchange.setProperty(OUTCOME, "bounced");
        if (e instanceof SmtpRelayException relay) {
            told = bounce(exchange, relay.getReport().withOutcome(Outcome.FAILED), Notify.FAILURE);
            text = relay.getReport().toString();
            events(exchange, relay.getReport().statuses(), DeliveryEvent.Type.DEFERRED, null);
        } else {
            String status = e instanceof InvalidMailException invalid && invalid.getEnhancedStatus() != null
                    ? invalid.getEnhancedStatus() : "5.6.0";
            String reason = e == null ? "refused" : e.getMessage();
            List<RecipientStatus> refused = new ArrayList<>();
            for (String r : recipientsOf(exchange)) {
                try {
                    refused.add(RecipientStatus.local(MailAddress.of(r), Outcome.FAILED, status, "message refused: " + reason));
                } catch (IllegalArgumentException bad) {
                    // an unreadable address cannot be named in a report
                }
            }
            LOG.info("{}: refused before delivery, returned to sender: {}", queueId(exchange), reason);
            told = refused.isEmpty() ? "sender not notified: no recipient to report on" : bounce(exchange, refused, Notify.FAILURE);
            events(exchange, refused, DeliveryEvent.Type.DEFERRED, null);
            text = "refused before delivery (" + status + "): " + reason
                   + (refused.isEmpty() ? "" : System.lineSeparator() + DeliveryReport.of(refused));
        }
        exchange.getMessage().setHeader(SmtpRelayConstants.REPORT_TEXT, text + System.lineSeparator() + told);
    }

    /**
     * Deliveries of one queue entry that may end in an unexpected failure (an exception that is not an SMTP outcome,
     * such as a broker send that fails), each rolled back for the broker to offer the entry again, before the routes
     * dead-letter it with a report and bounce it. Below Artemis's default max-delivery-attempts (10), which the starter
     * keeps for its queue, so the broker's own move to its dead-letter address, which has no report, does not happen.
     */
    public static final int MAX_ROLLBACKS = 5;

    /** Whether this is the last delivery of the entry the routes let roll back (JMSXDeliveryCount, from 1). */
    static boolean lastRedelivery(Exchange exchange) {
        Integer count = exchange.getMessage().getHeader("JMSXDeliveryCount", Integer.class);
        return count != null && count >= MAX_ROLLBACKS;
    }

    /** Rethrows an unexpected failure, for the broker to offer the entry again, except on its last delivery. */
    private void unexpected(Exchange exchange) throws Exception {
        if (!lastRedelivery(exchange)) {
            Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
            throw e != null ? e : new IllegalStateException("delivery failed");
        }
        gaveUp(exchange);
    }

    /**
     * The entry failed {@value #MAX_ROLLBACKS} times with an unexpected error: its recipients not yet delivered are
     * bounced with that error, and it goes to the dead letters with a report that says so.
     */
    private void gaveUp(Exchange exchange) throws Exception {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        exchange.setProperty(NEXT, settings.deadLetterUri());
        if (exchange.getMessage().getHeader(SmtpRelayConstants.QUEUE_ID) == null) {
            fromQueueFormat(exchange);
        }
        String key = exchange.getMessage().getHeader(SmtpRelayConstants.QUEUE_ID, String.class);
        String reason = "failed " + MAX_ROLLBACKS + " times with an unexpected error: " + (e == null ? "unknown" : e);
        List<RecipientStatus> failed = new ArrayList<>();
        for (String r : recipientsOf(exchange)) {
            try {
                MailAddress address = MailAddress.of(r);
                if (key == null || !settled.contains(io.github.camelrelay.smtprelay.SmtpRelayProducer.recordKey(key, address))) {
                    failed.add(RecipientStatus.local(address, Outcome.FAILED, "5.3.0", "message could not be processed: " + reason));
                }
            } catch (IllegalArgumentException bad) {
                // an unreadable address cannot be named in a report
            }
        }
        LOG.warn("{}: queue entry {} {}; dead-lettered", exchange.getExchangeId(), key, reason);
        String told = failed.isEmpty() ? "sender not notified: no undelivered recipient to report on" : bounce(exchange, failed, Notify.FAILURE);
        exchange.setProperty(OUTCOME, "bounced");
        events(exchange, failed, DeliveryEvent.Type.DEFERRED, null);
        exchange.getMessage().setHeader(SmtpRelayConstants.REPORT_TEXT, reason
                + (failed.isEmpty() ? "" : System.lineSeparator() + DeliveryReport.of(failed)) + System.lineSeparator() + told);
    }

    private static DeliveryReport report(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (e instanceof SmtpRelayException relay) {
            return relay.getReport();
        }
        return exchange.getMessage().getHeader(SmtpRelayConstants.REPORT, DeliveryReport.class);
    }

    /**
     * Queues a notification to the envelope sender (or, when the entry has none, the message's Sender or From, as the
     * producer derives it), from the null sender, through the same durable queue. Says whom it told, or why no one.
     */
    private String bounce(Exchange exchange, List<RecipientStatus> all, Notify kind) throws Exception {
        DsnRequest dsn = dsnRequest(exchange);
        List<RecipientStatus> statuses = all.stream().filter(s -> dsn.recipient(s.recipient()).wants(kind)).toList();
        if (statuses.size() < all.size()) {
            LOG.info("{}: no {} notification for {} of {} recipients: not asked for (NOTIFY)", queueId(exchange),
                    kind.name().toLowerCase(java.util.Locale.ROOT), all.size() - statuses.size(), all.size());
        }
        if (statuses.isEmpty()) {
            return all.isEmpty() ? "" : "sender not notified: NOTIFY did not ask for it";
        }
        MailAddress sender = ExchangeMailReader.envelopeSender(exchange);
        if (sender == null) {
            LOG.warn("{}: not bounced: no envelope sender and no Sender or From header to return it to", queueId(exchange));
            return "sender not notified: no envelope sender and no Sender or From header";
        }
        if (!DeliveryStatusNotification.mayNotify(sender)) {
            LOG.info("{}: not bounced: the sender is the null sender", queueId(exchange));
            return "sender not notified: the null sender";
        }
        MessageContent content = MessageContent.of(exchange);
        Instant arrival = Instant.ofEpochMilli(exchange.getMessage().getHeader(SmtpRelayConstants.ARRIVAL, Long.class));
        byte[] notice;
        try (InputStream original = content.open()) {
            DeliveryReport report = DeliveryReport.of(statuses);
            notice = switch (kind) {
                case DELAY -> DeliveryStatusNotification.delay(settings.reportingMta(), sender, report, original, arrival,
                        settings.schedule().giveUpAt(arrival), clock, dsn);
                case SUCCESS -> DeliveryStatusNotification.relayed(settings.reportingMta(), sender, report, original, arrival,
                        clock, dsn);
                default -> DeliveryStatusNotification.failure(settings.reportingMta(), sender, report, original, arrival,
                        clock, dsn);
            };
        }
        String bounceId = exchange.getContext().getUuidGenerator().generateUuid();
        Map<String, Object> traced = new java.util.HashMap<>();
        RelayTracing.Span attempt = exchange.getProperty(SPAN, RelayTracing.Span.NONE, RelayTracing.Span.class);
        RelayTracing.Span span = span(() -> tracing.bounce(attempt, traced, sender.domain().name(),
                kind == Notify.DELAY ? "delay" : kind == Notify.SUCCESS ? "relayed" : "failure"));
        try {
            send(settings.queueUri(), e -> {
                e.getMessage().getHeaders().putAll(traced);
                e.getMessage().setBody(notice);
                e.getMessage().setHeader(SmtpRelayConstants.QUEUE_ID, bounceId);
                e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_FROM, "");
                e.getMessage().setHeader(SmtpRelayConstants.RECIPIENTS, List.of(sender.address()));
                e.getMessage().setHeader(SmtpRelayConstants.ENRICHED, true);
                e.getMessage().setHeader(SmtpRelayConstants.ARRIVAL, clock.millis());
                toQueueFormat(e, false);
            });
        } catch (Exception e) {
            stop(span, "error", e);
            throw e;
        }
        stop(span, "queued", null);
        tracker.queued(relayHost(exchange).isEmpty() ? sender.domain().name() : "[" + relayHost(exchange) + "]", clock.millis());
        LOG.info("{}: sender {} notification: {} for <{}>", queueId(exchange),
                kind == Notify.DELAY ? "delay" : kind == Notify.SUCCESS ? "success" : "non-delivery", bounceId, sender);
        return "sender notified: <" + sender + ">";
    }

    /** The entry's DSN request; one that cannot be read asks for nothing, so the defaults of RFC 3461 apply. */
    private static DsnRequest dsnRequest(Exchange exchange) {
        try {
            DsnRequest dsn = DsnRequest.of(exchange.getMessage());
            if (Boolean.TRUE.equals(exchange.getMessage().getHeader(SmtpRelayConstants.REQUIRE_TLS, Boolean.class))) {
                // the notice goes back without REQUIRETLS (RFC 8689 4.2.2), so it carries the headers, never the content
                return new DsnRequest(Ret.HDRS, dsn.envid(), dsn.defaultNotify(), dsn.recipients());
            }
            return dsn;
        } catch (IllegalArgumentException e) {
            LOG.warn("{}: unreadable DSN request, notifying as RFC 3461 does without one: {}", queueId(exchange), e.getMessage());
            return DsnRequest.NONE;
        }
    }

    /**
     * Sends the exchange, in the queue format, on the consumer's thread, so the send belongs to the consumer's
     * transaction.
     */
    private void sendInTransaction(Exchange exchange, String uri) throws Exception {
        toQueueFormat(exchange);
        boolean stream = settings.largeMessageOptions() != null && isLarge(exchange);
        Exchange copy = exchange.copy();
        send(stream ? settings.withLargeMessageOptions(uri) : uri, e -> {
            e.getMessage().setBody(copy.getMessage().getBody());
            e.getMessage().setHeaders(copy.getMessage().getHeaders());
        });
    }

    private void send(String uri, Processor processor) throws Exception {
        ProducerTemplate template = getContext().createProducerTemplate();
        try {
            Exchange sent = template.send(uri, processor);
            if (sent.getException() != null) {
                throw sent.getException();
            }
        } finally {
            template.stop();
        }
    }
}
