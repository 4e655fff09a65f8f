package io.github.camelrelay.smtprelay.tlsrpt;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.SmtpRelayListener;
import io.github.camelrelay.smtprelay.dns.MxResolver;
import io.github.camelrelay.smtprelay.mail.Domain;
import io.github.camelrelay.smtprelay.mail.MailAddress;
import io.github.camelrelay.smtprelay.relay.SmtpRelayRoutes;
import io.github.camelrelay.smtprelay.tlspolicy.TlsResult;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * SMTP TLS Reporting (RFC 8460) for the relay's deliveries: as an {@link SmtpRelayListener} it counts every
 * {@link TlsResult} the producer reports, per report window (a UTC day by default, section 4.1) and policy, on disk
 * so the counts survive a restart; once a window has ended, {@link #sendReports} looks up each policy domain's
 * {@code _smtp._tls} TXT record and sends it its report: to each {@code mailto:} address as mail, sent to a Camel
 * endpoint (the relay routes' queue, or any endpoint taking the component's envelope headers), and to each
 * {@code https:} URI as a POST of the gzip-compressed JSON (no redirects followed, with timeouts). A report that
 * could not be sent everywhere is tried again at each later run for {@link Builder#retryFor} after its window ended
 * (section 5.5); a domain without a record gets none, and its counts are dropped.
 * <p>
 * As a Camel service (add it with {@code context.addService(reporter)}, or start it with a context set) it runs
 * {@link #sendReports} on its own thread: every hour, or every interval when that is shorter, a minute past the
 * boundary, so a window's reports go out a minute after it ends. Register it as a bean so the producer finds it
 * (every {@link SmtpRelayListener} bean is called). One reporter per directory.
 */
public final class TlsRptReporter extends ServiceSupport implements SmtpRelayListener, CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(TlsRptReporter.class);

    /** How long after a boundary the scheduled run comes, so the window's last sessions are counted. */
    static final Duration RUN_DELAY = Duration.ofMinutes(1);
    /** Runs at least this often, so failed sends are retried within the hour. */
    static final Duration MAX_RUN_GAP = Duration.ofHours(1);
    static final int DEFAULT_MAX_POLICIES = 10_000;
    static final int DEFAULT_MAX_DETAILS = 100;

    private final TlsRptStore store;
    private final long intervalSeconds;
    private final String organizationName;
    private final String contactInfo;
    private final String submitter;
    private final MailAddress reportSender;
    private final String mailUri;
    private final boolean queueFormat;
    private final String sendingMtaIp;
    private final Resolver resolver;
    private final Clock clock;
    private final Duration retryFor;
    private final Duration httpTimeout;
    private final HttpClient http;
    private volatile CamelContext camelContext;
    private volatile ProducerTemplate template;
    private volatile ScheduledExecutorService executor;

    private TlsRptReporter(Builder b) {
        this.store = TlsRptStore.open(b.directory, b.maxPolicies, b.maxDetails);
        this.intervalSeconds = b.interval.toSeconds();
        this.organizationName = b.organizationName;
        this.contactInfo = b.contactInfo;
        this.submitter = b.submitter;
        this.reportSender = b.reportSender;
        this.mailUri = b.mailUri;
        this.queueFormat = b.queueFormat;
        this.sendingMtaIp = b.sendingMtaIp;
        this.resolver = b.resolver != null ? b.resolver : MxResolver.resolverFor(null, Duration.ofSeconds(10));
        this.clock = b.clock;
        this.retryFor = b.retryFor;
        this.httpTimeout = b.httpTimeout;
        HttpClient.Builder http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(b.httpTimeout);
        if (b.sslContext != null) {
            http.sslContext(b.sslContext);
        }
        this.http = http.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    // ---------------------------------------------------------------- counting

    @Override
    public void tlsResult(TlsResult result) {
        Instant start = windowStart(clock.instant());
        store.add(start, start.plusSeconds(intervalSeconds), result);
    }

    /** The start of the window holding the instant: windows are whole intervals from the epoch, so days are UTC days. */
    Instant windowStart(Instant t) {
        return Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), intervalSeconds) * intervalSeconds);
    }

    // ---------------------------------------------------------------- reporting

    /**
     * Sends the reports of every window that ended by {@code now} and is not done with yet, and gives up on the
     * ones older than {@link Builder#retryFor}. Blocks for DNS, HTTPS and the mail endpoint; the scheduled runs call
     * it, and it may be called by hand (at most one run at a time).
     *
     * @return how many reports went out in this run, counting each destination
     */
    public synchronized int sendReports(Instant now) {
        int sent = 0;
        for (ReportWindow window : store.endedBy(now)) {
            ReportWindow counts = store.copy(window);
            if (window.end.plus(retryFor).isBefore(now)) {
                List<String> pending = counts.domains().stream().filter(d -> !counts.done.contains(d)).toList();
                if (!pending.isEmpty()) {
                    LOG.warn("TLS-RPT reports of {} for {} not sent within {} of the window's end: given up", window.start,
                             pending, retryFor);
                }
                store.delete(window);
                continue;
            }
            for (String domain : counts.domains()) {
                if (!counts.done.contains(domain)) {
                    sent += report(window, counts, domain);
                }
            }
            if (store.copy(window).isDone()) {
                store.delete(window);
            }
        }
        return sent;
    }

    private int report(ReportWindow window, ReportWindow counts, String domain) {
        TlsRptRecord record;
        try {
            record = record(domain);
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("TLS-RPT report of {} for {} not sent: {}; trying again at the next run", window.start, domain, e.getMessage());
            return 0;
        }
        if (record == null) {
            LOG.debug("No TLS-RPT record for {}: its counts of {} are dropped", domain, window.start);
            store.markDone(window, domain);
            return 0;
        }
        TlsRptReport report = new TlsRptReport(counts, domain, organizationName, contactInfo, submitter, sendingMtaIp);
        byte[] gzip = report.gzip();
        int sent = 0;
        boolean all = true;
        for (MailAddress to : record.mailto()) {
            String destination = "mailto:" + to.address();
            if (counts.sent.contains(ReportWindow.sentKey(domain, destination))) {
                continue;
            }
            try {
                String queued = mail(report, gzip, to);
                store.markSent(window, domain, destination);
                sent++;
                LOG.info("TLS-RPT report {} for {} sent to <{}>: queued as {}", report.id(), domain, to, queued);
            } catch (Exception e) {
                all = false;
                LOG.warn("TLS-RPT report {} for {} not sent to <{}>: {}; trying again at the next run", report.id(), domain, to,
                         e.toString());
            }
        }
        for (URI uri : record.https()) {
            String destination = uri.toString();
            if (counts.sent.contains(ReportWindow.sentKey(domain, destination))) {
                continue;
            }
            try {
                int status = post(uri, gzip);
                store.markSent(window, domain, destination);
                sent++;
                LOG.info("TLS-RPT report {} for {} sent to {}: HTTP {}", report.id(), domain, uri, status);
            } catch (IOException e) {
                all = false;
                LOG.warn("TLS-RPT report {} for {} not sent to {}: {}; trying again at the next run", report.id(), domain, uri,
                         e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return sent;
            }
        }
        if (all) {
            store.markDone(window, domain);
        }
        return sent;
    }

    /** The one TLSRPTv1 record at _smtp._tls.&lt;domain&gt;; null when there is none or more than one (section 3). */
    TlsRptRecord record(String domain) throws IOException {
        Lookup lookup;
        try {
            lookup = new Lookup(Name.fromString("_smtp._tls." + domain + "."), Type.TXT, DClass.IN);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("Expected a domain name but found '" + domain + "'", e);
        }
        lookup.setResolver(resolver);
        lookup.setCache(null);
        Record[] answers = lookup.run();
        if (lookup.getResult() == Lookup.TRY_AGAIN) {
            throw new IOException("the look-up of _smtp._tls." + domain + " TXT failed: " + lookup.getErrorString());
        }
        List<String> found = new ArrayList<>();
        if (answers != null) {
            for (Record r : answers) {
                if (r instanceof TXTRecord txt) {
                    String text = String.join("", txt.getStrings());
                    if (TlsRptRecord.isTlsRptRecord(text)) {
                        found.add(text);
                    }
                }
            }
        }
        return found.size() == 1 ? TlsRptRecord.parse(found.get(0)) : null;
    }

    /** Sends the report's mail to the mail endpoint; says under which queue id. */
    private String mail(TlsRptReport report, byte[] gzip, MailAddress to) throws Exception {
        ProducerTemplate t = template;
        if (t == null) {
            throw new IllegalStateException("Expected the reporter started with a CamelContext to send mail to " + mailUri
                                            + " but it is not started");
        }
        byte[] message = ReportMail.build(report, gzip, reportSender, to, clock);
        String queueId = "tlsrpt-" + camelContext.getUuidGenerator().generateUuid();
        Exchange result = t.send(mailUri, e -> {
            e.getMessage().setBody(message);
            e.getMessage().setHeader(SmtpRelayConstants.ENVELOPE_FROM, reportSender.address());
            e.getMessage().setHeader(SmtpRelayConstants.RECIPIENTS, List.of(to.address()));
            e.getMessage().setHeader(SmtpRelayConstants.QUEUE_ID, queueId);
            if (queueFormat) {
                SmtpRelayRoutes.toQueueEntry(e);
            }
        });
        if (result.getException() != null) {
            throw result.getException();
        }
        return queueId;
    }

    /** POSTs the report (section 5.4); any 2xx status is success. */
    private int post(URI uri, byte[] gzip) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(httpTimeout)
                .header("Content-Type", ReportMail.MEDIA_TYPE)
                .POST(HttpRequest.BodyPublishers.ofByteArray(gzip)).build();
        HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() / 100 != 2) {
            throw new IOException("expected a 2xx status from " + uri + " but got " + response.statusCode()
                                  + (response.statusCode() / 100 == 3 ? " (redirects are not followed)" : ""));
        }
        return response.statusCode();
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    protected void doStart() throws Exception {
        CamelContext context = camelContext;
        if (context == null) {
            throw new IllegalStateException("Expected a CamelContext set on the TLS-RPT reporter (setCamelContext, or "
                                            + "context.addService) but found none");
        }
        template = context.createProducerTemplate();
        long every = Math.min(intervalSeconds, MAX_RUN_GAP.toSeconds());
        Instant now = clock.instant();
        long nextBoundary = (Math.floorDiv(now.getEpochSecond(), every) + 1) * every;
        long firstDelay = nextBoundary + RUN_DELAY.toSeconds() - now.getEpochSecond();
        executor = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "TlsRptReporter");
        executor.scheduleAtFixedRate(this::scheduledRun, firstDelay, every, TimeUnit.SECONDS);
        LOG.info("TLS-RPT reporter started: windows of {}, runs every {} s from {}", Duration.ofSeconds(intervalSeconds), every,
                 now.plusSeconds(firstDelay));
    }

    private void scheduledRun() {
        try {
            sendReports(clock.instant());
        } catch (RuntimeException e) {
            // a run that failed must not end the schedule
            LOG.warn("TLS-RPT run failed; the next one will try again", e);
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (executor != null) {
            camelContext.getExecutorServiceManager().shutdown(executor);
            executor = null;
        }
        if (template != null) {
            template.stop();
            template = null;
        }
    }

    /** Settings of a {@link TlsRptReporter}; directory, organization name, contact info, submitter, report sender and mail endpoint are required. */
    public static final class Builder {

        private Path directory;
        private Duration interval = Duration.ofDays(1);
        private String organizationName;
        private String contactInfo;
        private String submitter;
        private MailAddress reportSender;
        private String mailUri;
        private boolean queueFormat;
        private String sendingMtaIp;
        private Resolver resolver;
        private Clock clock = Clock.systemUTC();
        private SSLContext sslContext;
        private Duration retryFor = Duration.ofDays(1);
        private Duration httpTimeout = Duration.ofSeconds(30);
        private int maxPolicies = DEFAULT_MAX_POLICIES;
        private int maxDetails = DEFAULT_MAX_DETAILS;

        private Builder() {
        }

        /** Where the counts are kept (created if missing); one reporter per directory. */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * The report window: one day by default, as RFC 8460 section 4.1 asks; a shorter one must divide a day, so
         * windows stay aligned to UTC midnight.
         */
        public Builder interval(Duration interval) {
            if (interval == null || interval.toSeconds() < 60 || interval.toNanosPart() != 0
                || Duration.ofDays(1).toSeconds() % interval.toSeconds() != 0) {
                throw new IllegalArgumentException("Expected a report interval of whole seconds, at least a minute, that divides a day"
                                                   + " (1d, 12h, 1h, 15m...) but found " + interval);
            }
            this.interval = interval;
            return this;
        }

        /** The report's organization-name: who runs this relay. */
        public Builder organizationName(String organizationName) {
            this.organizationName = required(organizationName, "organization name");
            return this;
        }

        /** The report's contact-info: an address (or other contact) for questions about the reports. */
        public Builder contactInfo(String contactInfo) {
            this.contactInfo = required(contactInfo, "contact info");
            return this;
        }

        /** The submitter: this relay's domain, in the mail's headers and the report's file name (section 5.1). */
        public Builder submitter(String submitter) {
            this.submitter = Domain.of(required(submitter, "submitter")).name();
            return this;
        }

        /** The From and envelope sender of mailed reports. */
        public Builder reportSender(String address) {
            this.reportSender = MailAddress.of(required(address, "report sender"));
            return this;
        }

        /**
         * The Camel endpoint mailed reports are sent to, with the component's envelope headers
         * ({@code CamelSmtpRelayEnvelopeFrom}, {@code CamelSmtpRelayRecipients}): an {@code smtprelay:} producer or a
         * route of the application's.
         */
        public Builder mailEndpoint(String uri) {
            this.mailUri = required(uri, "mail endpoint");
            this.queueFormat = false;
            return this;
        }

        /** The relay routes' queue, which mailed reports are put on in its format (as the routes queue bounces). */
        public Builder relayQueue(String uri) {
            this.mailUri = required(uri, "relay queue");
            this.queueFormat = true;
            return this;
        }

        /** This relay's outbound address, given as sending-mta-ip in the failure details; left out when not set. */
        public Builder sendingMtaIp(String ip) {
            if (ip != null && !ip.isBlank() && !ip.strip().matches("[0-9a-fA-F:.]+")) {
                throw new IllegalArgumentException("Expected an IPv4 or IPv6 address as the sending MTA's address but found '" + ip + "'");
            }
            this.sendingMtaIp = ip == null || ip.isBlank() ? null : ip.strip();
            return this;
        }

        /** The DNS servers asked for the TLSRPT records (see MxResolver.resolverFor); the system's when not set. */
        public Builder resolver(Resolver resolver) {
            this.resolver = resolver;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Whom to trust for the https report endpoints' certificates; the JVM's default trust when not set. */
        public Builder sslContext(SSLContext sslContext) {
            this.sslContext = sslContext;
            return this;
        }

        /** How long after its window a report that failed to send is still tried (24 hours, RFC 8460 section 5.5). */
        public Builder retryFor(Duration retryFor) {
            if (retryFor == null || retryFor.isNegative()) {
                throw new IllegalArgumentException("Expected a retry period of zero or more but found " + retryFor);
            }
            this.retryFor = retryFor;
            return this;
        }

        /** Connect and response timeout of each https POST. */
        public Builder httpTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("Expected a positive HTTP timeout but found " + timeout);
            }
            this.httpTimeout = timeout;
            return this;
        }

        /** The most policies a window counts, which bounds its memory; results of further policies are not counted. */
        public Builder maxPolicies(int maxPolicies) {
            if (maxPolicies < 1) {
                throw new IllegalArgumentException("Expected at least 1 as the most policies per window but found " + maxPolicies);
            }
            this.maxPolicies = maxPolicies;
            return this;
        }

        Builder maxDetails(int maxDetails) {
            this.maxDetails = maxDetails;
            return this;
        }

        /** Loads the counts kept in the directory. */
        public TlsRptReporter build() {
            List<String> missing = new ArrayList<>();
            if (directory == null) {
                missing.add("directory");
            }
            if (organizationName == null) {
                missing.add("organization name");
            }
            if (contactInfo == null) {
                missing.add("contact info");
            }
            if (submitter == null) {
                missing.add("submitter");
            }
            if (reportSender == null) {
                missing.add("report sender");
            }
            if (mailUri == null) {
                missing.add("mail endpoint or relay queue");
            }
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("Expected the TLS-RPT reporter's " + String.join(", ", missing)
                                                   + " to be set but found none");
            }
            return new TlsRptReporter(this);
        }

        private static String required(String value, String what) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("Expected a " + what + " for TLS-RPT but found none");
            }
            return value.strip();
        }
    }
}
