package io.github.camelrelay.springboot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.camelrelay.smtprelay.enrich.DkimSigner;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code camel.smtprelay.relay.*} properties: a store-and-forward mail relay built from
 * {@link io.github.camelrelay.smtprelay.relay.SmtpRelayRoutes}. Mail comes in over SMTP (or from any JMS producer),
 * waits in a durable queue, is enriched once (application hook, Message-ID and Date, extra headers, DKIM last) and
 * delivered; deferred mail goes back to the queue with a broker delivery delay, failed mail is bounced to its sender
 * and kept in the dead-letter queue.
 * <p>
 * Nothing happens unless {@code camel.smtprelay.relay.enabled=true}. The delivery endpoint's options (relay host,
 * DNS servers, TLS, ...) are the {@code camel.component.smtprelay.*} properties, as for any smtprelay endpoint.
 */
@ConfigurationProperties(prefix = "camel.smtprelay.relay")
public class SmtpRelayRoutesProperties {

    /**
     * Whether to create the relay routes (SMTP ingress, durable queue, enrichment, delivery, retries, bounces and
     * dead letters) and, when the application has none, a transacted jms component over its JMS ConnectionFactory.
     */
    private boolean enabled;

    /**
     * The host name that bounces and delay warnings name as their Reporting-MTA. Unset means the local host name.
     */
    private String reportingMta;

    /**
     * Whether the relay routes may run on an embedded broker that keeps its messages in memory only
     * (spring.artemis.embedded.persistent=false, Spring Boot's default), where a restart loses every queued message.
     * For tests; off by default, so such a start fails and says what to set.
     */
    private boolean allowNonPersistentBroker;

    /**
     * Whether to check an external broker at start-up: that the dead-letter queue exists and that a message sent
     * with a delivery delay (which the retry schedule relies on) is held back. A failed check fails the start and
     * says what to configure. The embedded broker is configured by the starter instead.
     */
    private boolean brokerCheck = true;

    private final Ingress ingress = new Ingress();
    private final QueueManager queueManager = new QueueManager();
    private final Settled settled = new Settled();
    private final Queue queue = new Queue();
    private final Delivery delivery = new Delivery();
    private final Retry retry = new Retry();
    private final Enrichment enrichment = new Enrichment();
    private final Dkim dkim = new Dkim();
    private final Events events = new Events();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getReportingMta() {
        return reportingMta;
    }

    public void setReportingMta(String reportingMta) {
        this.reportingMta = reportingMta;
    }

    public boolean isBrokerCheck() {
        return brokerCheck;
    }

    public void setBrokerCheck(boolean brokerCheck) {
        this.brokerCheck = brokerCheck;
    }

    public boolean isAllowNonPersistentBroker() {
        return allowNonPersistentBroker;
    }

    public void setAllowNonPersistentBroker(boolean allowNonPersistentBroker) {
        this.allowNonPersistentBroker = allowNonPersistentBroker;
    }

    public QueueManager getQueueManager() {
        return queueManager;
    }

    public Settled getSettled() {
        return settled;
    }

    public Ingress getIngress() {
        return ingress;
    }

    public Queue getQueue() {
        return queue;
    }

    public Delivery getDelivery() {
        return delivery;
    }

    public Retry getRetry() {
        return retry;
    }

    public Enrichment getEnrichment() {
        return enrichment;
    }

    public Dkim getDkim() {
        return dkim;
    }

    public Events getEvents() {
        return events;
    }

    /** The SMTP listener that accepts mail into the queue. */
    public static class Ingress {

        /**
         * Whether to accept mail over SMTP. When false, mail enters only through the queue (any JMS producer: raw
         * message as body, String properties SmtpRelayEnvelopeFrom and SmtpRelayRecipients).
         */
        private boolean enabled = true;

        /**
         * The complete smtprelay consumer URI, such as smtprelay:in?port=2525&users=RAW(...). When set, the other
         * ingress properties are not used.
         */
        private String uri;

        /** TCP port the SMTP listener accepts connections on. */
        private int port = 2525;

        /**
         * The address the SMTP listener binds to. Unset means the component's default (127.0.0.1); 0.0.0.0 listens
         * on every interface.
         */
        private String bindAddress;

        /**
         * Comma separated networks (CIDR) whose clients may relay without authentication. Unset means the
         * component's default (loopback only).
         */
        private String relayNetworks;

        /**
         * Comma separated domains this relay accepts mail for from anyone (as the final destination's relay). Unset
         * means none: only trusted or authenticated clients can send.
         */
        private String localDomains;

        /**
         * Further smtprelay consumer options, appended to the URI, for example users or maxMessageSize. Values with
         * URI syntax in them (+, &, %, ...) are wrapped in RAW(...) so they arrive unchanged.
         */
        private Map<String, String> options = new LinkedHashMap<>();

        /**
         * For how long after a start a message identical (envelope and content) to one queued just before a crash
         * (per the resend record, or found on the queue) is taken as its client's resend and answered 250
         * without being queued again: the client had sent it just before a crash and never read the 250. 0 turns this
         * off.
         */
        private Duration resendWindow = Duration.ofMinutes(30);

        /**
         * A file where each queued message's digest is appended before its 250 (and a marker on a clean stop), read
         * on the next start so that a client's resend of a message queued in the last seconds before a crash is
         * recognised however long the queue is (without it, only the first 1,000 entries on the queue are). One per instance; it keeps the newest
         * 100,000. Default: beside settled.file, with ".resend" added to its name, when that is set and
         * settled.repository is not.
         */
        private String resendRecord;

        public Duration getResendWindow() {
            return resendWindow;
        }

        public void setResendWindow(Duration resendWindow) {
            this.resendWindow = resendWindow;
        }

        public String getResendRecord() {
            return resendRecord;
        }

        public void setResendRecord(String resendRecord) {
            this.resendRecord = resendRecord;
        }

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getUri() {
            return uri;
        }

        public void setUri(String uri) {
            this.uri = uri;
        }

        public int getPort() {
            return port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public String getBindAddress() {
            return bindAddress;
        }

        public void setBindAddress(String bindAddress) {
            this.bindAddress = bindAddress;
        }

        public String getRelayNetworks() {
            return relayNetworks;
        }

        public void setRelayNetworks(String relayNetworks) {
            this.relayNetworks = relayNetworks;
        }

        public String getLocalDomains() {
            return localDomains;
        }

        public void setLocalDomains(String localDomains) {
            this.localDomains = localDomains;
        }

        public Map<String, String> getOptions() {
            return options;
        }

        public void setOptions(Map<String, String> options) {
            this.options = options;
        }
    }

    /** The durable queue the mail waits in, and the dead-letter queue. */
    public static class Queue {

        /**
         * The Camel component (scheme) of the queues. The relay creates a transacted jms component when the
         * application has a JMS ConnectionFactory and no bean named jms.
         */
        private String component = "jms";

        /** The queue that accepted mail and retries wait in. */
        private String name = "smtprelay.outbound";

        /** The queue that failed and expired messages end in, with their delivery report. */
        private String deadLetterName = "smtprelay.dead";

        /**
         * The hold queue: where entries an operator put on hold wait, undelivered, until released (nothing consumes
         * it).
         */
        private String holdName = "smtprelay.hold";

        /**
         * Messages delivered at once by this instance: the queue's concurrent consumers, a bounded pool shared by all
         * destinations, each of which may take at most queue-manager.destination-concurrency of it. Several instances
         * on one broker share the queue as competing consumers.
         */
        private int concurrentConsumers = 50;

        /** Further options of the queue endpoint, appended to its URI (values with URI syntax in RAW(...)). */
        private Map<String, String> options = new LinkedHashMap<>();

        /**
         * How often the queue gauges are set to what the broker holds (an Artemis broker, read through its management
         * address), so they count every instance's mail and what was queued before a restart; 0 turns it off and the
         * gauges count only what this instance queued since it started.
         */
        private Duration gaugeRefresh = Duration.ofSeconds(30);

        /**
         * How many destinations, those with the most recipients queued, get series of their own in the per-destination
         * queue gauges (smtprelay.queue.destination.*); the rest are summed under the destination "other".
         */
        private int gaugeDestinations = 20;

        public int getGaugeDestinations() {
            return gaugeDestinations;
        }

        public void setGaugeDestinations(int gaugeDestinations) {
            this.gaugeDestinations = gaugeDestinations;
        }

        public Duration getGaugeRefresh() {
            return gaugeRefresh;
        }

        public void setGaugeRefresh(Duration gaugeRefresh) {
            this.gaugeRefresh = gaugeRefresh;
        }

        public String getComponent() {
            return component;
        }

        public void setComponent(String component) {
            this.component = component;
        }

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public String getHoldName() {
            return holdName;
        }

        public void setHoldName(String holdName) {
            this.holdName = holdName;
        }

        public String getDeadLetterName() {
            return deadLetterName;
        }

        public void setDeadLetterName(String deadLetterName) {
            this.deadLetterName = deadLetterName;
        }

        public int getConcurrentConsumers() {
            return concurrentConsumers;
        }

        public void setConcurrentConsumers(int concurrentConsumers) {
            this.concurrentConsumers = concurrentConsumers;
        }

        public Map<String, String> getOptions() {
            return options;
        }

        public void setOptions(Map<String, String> options) {
            this.options = options;
        }
    }

    /** Per-destination scheduling, after Postfix's queue manager. */
    public static class QueueManager {

        /**
         * Deliveries to one destination (a recipient domain, or the relay host) at once in this instance, like
         * Postfix's default_destination_concurrency_limit; a 421 or 4.7.x reply halves it, successes give it back.
         */
        private int destinationConcurrency = 20;

        /**
         * How long a destination that failed at the connection level is left alone (its mail deferred without a
         * connection) before one probe; doubled after each failed probe up to backoff-max.
         */
        private Duration backoffInitial = Duration.ofSeconds(60);

        /** The longest back-off of an unreachable destination. */
        private Duration backoffMax = Duration.ofSeconds(4000);

        public int getDestinationConcurrency() {
            return destinationConcurrency;
        }

        public void setDestinationConcurrency(int destinationConcurrency) {
            this.destinationConcurrency = destinationConcurrency;
        }

        public Duration getBackoffInitial() {
            return backoffInitial;
        }

        public void setBackoffInitial(Duration backoffInitial) {
            this.backoffInitial = backoffInitial;
        }

        public Duration getBackoffMax() {
            return backoffMax;
        }

        public void setBackoffMax(Duration backoffMax) {
            this.backoffMax = backoffMax;
        }
    }

    /**
     * The durable record of delivered recipients, so that no rollback, broker redelivery or restart sends a message
     * again to a recipient that got it. One of: a bean, a file, or (neither set) memory only, with a warning.
     */
    public static class Settled {

        /**
         * The name of an application bean implementing Camel's IdempotentRepository, for example a camel-sql
         * JdbcMessageIdRepository on a database that several relay instances share. Wins over file.
         */
        private String repository;

        /** A file for a SettledFileRepository (one append per recipient), for a single relay instance; created when missing. */
        private String file;

        /** Entries the file repository keeps in memory and in its file; the oldest go first. */
        private int maxEntries = 1_000_000;

        public String getRepository() {
            return repository;
        }

        public void setRepository(String repository) {
            this.repository = repository;
        }

        public String getFile() {
            return file;
        }

        public void setFile(String file) {
            this.file = file;
        }

        public int getMaxEntries() {
            return maxEntries;
        }

        public void setMaxEntries(int maxEntries) {
            this.maxEntries = maxEntries;
        }
    }

    /** The smtprelay producer that delivers. */
    public static class Delivery {

        /**
         * The smtprelay producer URI. Its options default to the camel.component.smtprelay.* properties (relay
         * host, DNS servers, TLS, ...).
         */
        private String uri = "smtprelay:outbound";

        /** Further smtprelay producer options, appended to the URI (values with URI syntax in RAW(...)). */
        private Map<String, String> options = new LinkedHashMap<>();

        public String getUri() {
            return uri;
        }

        public void setUri(String uri) {
            this.uri = uri;
        }

        public Map<String, String> getOptions() {
            return options;
        }

        public void setOptions(Map<String, String> options) {
            this.options = options;
        }
    }

    /** When deferred mail is tried again, in the spirit of Postfix's queue manager. */
    public static class Retry {

        /** The wait before the first retry; each later wait is doubled up to max-delay. */
        private Duration initialDelay = Duration.ofMinutes(5);

        /** The longest wait between two attempts. */
        private Duration maxDelay = Duration.ofSeconds(4000);

        /** How long after its arrival a message that is still deferred is returned to its sender. */
        private Duration lifetime = Duration.ofDays(5);

        /**
         * After how long a still deferred message earns its sender one delay warning (RFC 3464, Action: delayed).
         * 0 sends none.
         */
        private Duration delayWarning = Duration.ZERO;

        public Duration getInitialDelay() {
            return initialDelay;
        }

        public void setInitialDelay(Duration initialDelay) {
            this.initialDelay = initialDelay;
        }

        public Duration getMaxDelay() {
            return maxDelay;
        }

        public void setMaxDelay(Duration maxDelay) {
            this.maxDelay = maxDelay;
        }

        public Duration getLifetime() {
            return lifetime;
        }

        public void setLifetime(Duration lifetime) {
            this.lifetime = lifetime;
        }

        public Duration getDelayWarning() {
            return delayWarning;
        }

        public void setDelayWarning(Duration delayWarning) {
            this.delayWarning = delayWarning;
        }
    }

    /** What is done to each message once, before its first delivery attempt. */
    public static class Enrichment {

        /**
         * The name of a bean implementing SmtpRelayEnrichmentHook or org.apache.camel.Processor, run first: before
         * the Message-ID, Date and extra headers are added and before DKIM signing.
         */
        private String hook;

        /**
         * The right-hand side of the Message-IDs given to messages without one. Unset means the reporting MTA name.
         */
        private String messageIdDomain;

        /**
         * Header fields added to every message, name to value, for example X-Relayed-By. Use the bracket form for
         * names with capitals: extra-headers.[X-Relayed-By].
         */
        private Map<String, String> extraHeaders = new LinkedHashMap<>();

        public String getHook() {
            return hook;
        }

        public void setHook(String hook) {
            this.hook = hook;
        }

        public String getMessageIdDomain() {
            return messageIdDomain;
        }

        public void setMessageIdDomain(String messageIdDomain) {
            this.messageIdDomain = messageIdDomain;
        }

        public Map<String, String> getExtraHeaders() {
            return extraHeaders;
        }

        public void setExtraHeaders(Map<String, String> extraHeaders) {
            this.extraHeaders = extraHeaders;
        }
    }

    /**
     * DKIM signing (RFC 6376, rsa-sha256, relaxed/relaxed), the last change to a message. On when domain, selector
     * and private key are all set.
     */
    public static class Dkim {

        /** The signing domain (d=), whose DNS publishes the public key at selector._domainkey.domain. */
        private String domain;

        /** The selector (s=) naming the key under the domain. */
        private String selector;

        /**
         * The RSA private key in PKCS#8 PEM form (BEGIN PRIVATE KEY): the PEM text itself, or where to read it, as
         * a file path or a Spring resource location such as classpath:dkim.pem or file:/etc/relay/dkim.pem.
         */
        private String privateKey;

        /** The header fields signed when the message has them; From is always among them. */
        private List<String> signedHeaders = new ArrayList<>(DkimSigner.DEFAULT_SIGNED_HEADERS);

        public String getDomain() {
            return domain;
        }

        public void setDomain(String domain) {
            this.domain = domain;
        }

        public String getSelector() {
            return selector;
        }

        public void setSelector(String selector) {
            this.selector = selector;
        }

        public String getPrivateKey() {
            return privateKey;
        }

        public void setPrivateKey(String privateKey) {
            this.privateKey = privateKey;
        }

        public List<String> getSignedHeaders() {
            return signedHeaders;
        }

        public void setSignedHeaders(List<String> signedHeaders) {
            this.signedHeaders = signedHeaders;
        }
    }

    /**
     * The delivery event stream: one JSON event per recipient outcome, put on a durable queue of its own in the
     * delivery's transaction and forwarded from there, in batches, to the endpoint named by {@code uri}.
     */
    public static class Events {

        /**
         * The Camel endpoint the events go to, each batch as one JSON array, for example kafka:mail-events or
         * https://hooks.example.com/mail (posted with Content-Type application/json). Unset means no events.
         */
        private String uri;

        /** The durable queue the events wait in until they are forwarded (on the relay's broker, through its jms component). */
        private String queue = "smtprelay.events";

        /** The most events in one batch. */
        private int batchSize = 100;

        /** How long a batch waits for more events before it is sent with fewer than batch-size. */
        private Duration batchWait = Duration.ofSeconds(1);

        /**
         * The longest wait between two tries of a batch the endpoint refused or did not answer; the waits double from
         * one second up to this. The events stay on their queue meanwhile, and mail keeps flowing.
         */
        private Duration maxRetryDelay = Duration.ofMinutes(1);

        public String getUri() {
            return uri;
        }

        public void setUri(String uri) {
            this.uri = uri;
        }

        public String getQueue() {
            return queue;
        }

        public void setQueue(String queue) {
            this.queue = queue;
        }

        public int getBatchSize() {
            return batchSize;
        }

        public void setBatchSize(int batchSize) {
            this.batchSize = batchSize;
        }

        public Duration getBatchWait() {
            return batchWait;
        }

        public void setBatchWait(Duration batchWait) {
            this.batchWait = batchWait;
        }

        public Duration getMaxRetryDelay() {
            return maxRetryDelay;
        }

        public void setMaxRetryDelay(Duration maxRetryDelay) {
            this.maxRetryDelay = maxRetryDelay;
        }
    }
}
