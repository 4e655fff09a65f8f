package io.github.camelrelay.springboot;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.camelrelay.smtprelay.InvalidMailException;
import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.enrich.DkimSigner;
import io.github.camelrelay.smtprelay.enrich.HeaderEnricher;
import io.github.camelrelay.smtprelay.mail.Domain;
import io.github.camelrelay.smtprelay.relay.QueueManagerSettings;
import io.github.camelrelay.smtprelay.relay.RelayRouteSettings;
import io.github.camelrelay.smtprelay.relay.SettledFileRepository;
import io.github.camelrelay.smtprelay.relay.RelayTracing;
import io.github.camelrelay.smtprelay.relay.RetrySchedule;
import io.github.camelrelay.smtprelay.relay.SmtpRelayRoutes;
import jakarta.jms.ConnectionFactory;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.spi.IdempotentRepository;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;
import org.springframework.jms.connection.CachingConnectionFactory;
import org.springframework.util.ClassUtils;
import org.springframework.util.ResourceUtils;

/**
 * A store-and-forward mail relay from properties, switched on by {@code camel.smtprelay.relay.enabled=true}: the
 * {@link SmtpRelayRoutes} route builder (SMTP ingress, durable queue, enrichment, delivery, retries through the
 * broker's delivery delay, bounces, dead letters) with its {@link RelayRouteSettings} built from
 * {@link SmtpRelayRoutesProperties}, and a transacted {@code jms} component over the application's JMS
 * {@link ConnectionFactory} (for example Spring Boot's Artemis one) when the application defines no bean named
 * {@code jms}.
 * <p>
 * Either bean can be replaced: an application {@code RelayRouteSettings} bean takes the place of the properties, an
 * application {@code SmtpRelayRoutes} bean the place of the routes.
 */
// after Boot's JMS auto-configurations, so their ConnectionFactory is there to be found; by name, so the starter
// needs neither spring-boot-artemis nor spring-boot-jms
@AutoConfiguration(afterName = {
        "org.springframework.boot.artemis.autoconfigure.ArtemisAutoConfiguration",
        "org.springframework.boot.jms.autoconfigure.JmsAutoConfiguration" })
@ConditionalOnProperty(prefix = "camel.smtprelay.relay", name = "enabled", havingValue = "true")
@EnableConfigurationProperties(SmtpRelayRoutesProperties.class)
@Import(SmtpRelayBrokerConfiguration.EmbeddedArtemis.class)
public class SmtpRelayRoutesAutoConfiguration {

    private static final String JMS_COMPONENT = "org.apache.camel.component.jms.JmsComponent";

    /** The connection factory the ingress sends through, by the name its endpoint URI refers to. */
    static final String ENQUEUE_CONNECTION_FACTORY = "smtpRelayEnqueueConnectionFactory";

    /** Sessions kept open for the ingress's sends: enough for as many SMTP clients sending at once. */
    static final int ENQUEUE_SESSIONS = 64;

    /** The camel-jms option that streams a message through Artemis as a large message, from and to disk. */
    static final String ARTEMIS_STREAMING = "artemisStreamingEnabled";

    /** ActiveMQClient.DEFAULT_CONSUMER_WINDOW_SIZE, which the starter does not link against. */
    static final int ARTEMIS_DEFAULT_CONSUMER_WINDOW = 1024 * 1024;

    private static final String EMBEDDED_ARTEMIS = "org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ";

    private static final String ARTEMIS_CONNECTION_FACTORY = "org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory";

    /** The routes' settings from the properties: endpoint URIs, retry schedule and the enrichment steps. */
    @Bean
    @ConditionalOnMissingBean
    public RelayRouteSettings smtpRelayRouteSettings(SmtpRelayRoutesProperties properties, BeanFactory beans,
                                                     ResourceLoader resources, Environment env) {
        requirePersistentBroker(properties, beans, env);
        return settings(properties, beans, resources);
    }

    /** Checks an external broker's dead-letter queue and delivery delay at start-up (the embedded one is configured). */
    @Bean
    @ConditionalOnClass(name = "jakarta.jms.ConnectionFactory")
    static SmartInitializingSingleton smtpRelayBrokerCheck(SmtpRelayRoutesProperties properties, BeanFactory beans) {
        return new SmtpRelayBrokerConfiguration.BrokerCheck(properties, beans);
    }

    /**
     * The relay routes; Camel's Spring Boot support adds every RouteBuilder bean to the Camel context. With spans
     * when there is a {@link RelayTracing} bean (SmtpRelayTracingAutoConfiguration makes one on the application's
     * ObservationRegistry), and publishing delivery events to the events queue when events.uri is set.
     */
    @Bean
    @ConditionalOnMissingBean
    public SmtpRelayRoutes smtpRelayRoutes(RelayRouteSettings settings, SmtpRelayRoutesProperties properties,
                                           ObjectProvider<RelayTracing> tracing) {
        SmtpRelayRoutes routes = new SmtpRelayRoutes(settings).tracing(tracing.getIfAvailable())
                .resendWindow(properties.getIngress().getResendWindow());
        String resendRecord = isSet(properties.getIngress().getResendRecord()) ? properties.getIngress().getResendRecord()
                : isSet(properties.getSettled().getFile()) && !isSet(properties.getSettled().getRepository())
                ? properties.getSettled().getFile() + ".resend" : null;
        if (resendRecord != null) {
            routes.resendRecord(java.nio.file.Path.of(resendRecord.strip()));
        }
        SmtpRelayRoutesProperties.Events events = properties.getEvents();
        if (isSet(events.getUri())) {
            routes.events(properties.getQueue().getComponent() + ":queue:" + required(events.getQueue(), "events.queue"));
        }
        return routes;
    }

    /**
     * The {@code jms} component the queue URIs name, over the application's ConnectionFactory. Transacted with local
     * JMS transactions: a message leaves the queue only when its route succeeded, so a crash mid-delivery leaves it
     * there.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = { JMS_COMPONENT, "jakarta.jms.ConnectionFactory" })
    static class JmsComponentConfiguration {

        @Bean(name = "jms")
        @ConditionalOnMissingBean(name = "jms")
        @ConditionalOnBean(ConnectionFactory.class)
        JmsComponent jms(ConnectionFactory connectionFactory) {
            JmsComponent jms = new JmsComponent();
            // Boot wraps its ConnectionFactory in a session cache; listener containers must use the real one (as
            // Boot's own @JmsListener containers do), or cached consumers hold messages the other instances could take
            jms.setConnectionFactory(withoutPrefetch(target(connectionFactory)));
            jms.setTransacted(true);
            // local JMS transactions on the listener's session, no transaction manager: then the listener may keep
            // its connection, session and consumer between messages instead of opening them for every receive
            jms.setLazyCreateTransactionManager(false);
            jms.setCacheLevelName("CACHE_CONSUMER");
            return jms;
        }

        /**
         * The ingress's sends keep one connection and a set of sessions and producers instead of opening them per
         * message (which was a tenth of the relay server's CPU). Not an autowire candidate: the application's own
         * ConnectionFactory stays the only one injected by type; the ingress endpoint names this one.
         */
        @Bean(name = ENQUEUE_CONNECTION_FACTORY, autowireCandidate = false)
        @ConditionalOnMissingBean(name = ENQUEUE_CONNECTION_FACTORY)
        @ConditionalOnBean(ConnectionFactory.class)
        CachingConnectionFactory smtpRelayEnqueueConnectionFactory(ConnectionFactory connectionFactory) {
            CachingConnectionFactory caching = new CachingConnectionFactory(target(connectionFactory));
            caching.setSessionCacheSize(ENQUEUE_SESSIONS);
            caching.setCacheProducers(true);
            caching.setCacheConsumers(false);
            return caching;
        }

        /**
         * An Artemis client buffers up to 1 MiB of messages per consumer by default; a queue consumer held by a slow
         * destination would sit on messages for healthy ones for the whole of its attempt. So, unless the
         * application chose a window itself, the relay's consumers take one message at a time.
         */
        static ConnectionFactory withoutPrefetch(ConnectionFactory connectionFactory) {
            if (!isArtemis(connectionFactory)) {
                return connectionFactory;
            }
            try {
                var get = connectionFactory.getClass().getMethod("getConsumerWindowSize");
                if ((int) get.invoke(connectionFactory) == ARTEMIS_DEFAULT_CONSUMER_WINDOW) {
                    connectionFactory.getClass().getMethod("setConsumerWindowSize", int.class).invoke(connectionFactory, 0);
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(SmtpRelayRoutesAutoConfiguration.class).warn(
                        "Cannot set the Artemis consumer window to 0 (set consumerWindowSize=0 on the broker URL): {}", e.toString());
            }
            return connectionFactory;
        }

        private static boolean isArtemis(ConnectionFactory connectionFactory) {
            for (Class<?> c = connectionFactory.getClass(); c != null; c = c.getSuperclass()) {
                if (c.getName().equals(ARTEMIS_CONNECTION_FACTORY)) {
                    return true;
                }
            }
            return false;
        }

        private static ConnectionFactory target(ConnectionFactory connectionFactory) {
            return connectionFactory instanceof CachingConnectionFactory caching && caching.getTargetConnectionFactory() != null
                    ? caching.getTargetConnectionFactory() : connectionFactory;
        }

        /**
         * Whether the application's ConnectionFactory is Artemis's: camel-jms's Artemis streaming sets client
         * properties that other brokers' clients refuse, so it is switched on only then.
         */
        static boolean artemis(BeanFactory beans) {
            ConnectionFactory connectionFactory = beans.getBeanProvider(ConnectionFactory.class).getIfUnique();
            if (connectionFactory == null) {
                return false;
            }
            for (Class<?> c = target(connectionFactory).getClass(); c != null; c = c.getSuperclass()) {
                if (c.getName().equals(ARTEMIS_CONNECTION_FACTORY)) {
                    return true;
                }
            }
            return false;
        }
    }

    static RelayRouteSettings settings(SmtpRelayRoutesProperties p, BeanFactory beans, ResourceLoader resources) {
        String reportingMta = p.getReportingMta() != null && !p.getReportingMta().isBlank()
                ? Domain.of(p.getReportingMta().strip()).name() : localHostName();
        SmtpRelayRoutesProperties.Queue q = p.getQueue();
        if ("jms".equals(q.getComponent()) && !ClassUtils.isPresent(JMS_COMPONENT, SmtpRelayRoutesAutoConfiguration.class.getClassLoader())) {
            throw new IllegalStateException("Expected camel-jms on the classpath for the relay queue (camel.smtprelay.relay.queue.component=jms)"
                                            + " but it is missing: add org.apache.camel:camel-jms and a JMS ConnectionFactory such as"
                                            + " spring-boot-starter-artemis");
        }
        if (q.getConcurrentConsumers() < 1) {
            throw new IllegalArgumentException("Expected camel.smtprelay.relay.queue.concurrent-consumers of 1 or more but found "
                                               + q.getConcurrentConsumers());
        }
        String queueBase = q.getComponent() + ":queue:" + required(q.getName(), "queue.name");
        Map<String, String> queueOptions = new LinkedHashMap<>();
        // transacted on the endpoint too, so the queue stays transacted with an application's own jms component
        queueOptions.put("transacted", "true");
        queueOptions.put("concurrentConsumers", String.valueOf(q.getConcurrentConsumers()));
        queueOptions.putAll(q.getOptions());
        String queueUri = uri(queueBase, queueOptions);
        // written here rather than derived by RelayRouteSettings, whose derivation breaks a URI whose first option
        // is transacted; the retry is a plain send with the broker's delivery delay (JMS 2.0)
        Map<String, String> retryOptions = new LinkedHashMap<>(q.getOptions());
        retryOptions.remove("transacted");
        retryOptions.put("deliveryDelay", "${header." + SmtpRelayConstants.RETRY_DELAY + "}");
        String retryUri = uri(queueBase, retryOptions);
        String deadLetterUri = q.getComponent() + ":queue:" + required(q.getDeadLetterName(), "queue.dead-letter-name");
        String holdUri = q.getComponent() + ":queue:" + required(q.getHoldName(), "queue.hold-name");
        String enqueueUri = null;
        if ("jms".equals(q.getComponent()) && beans.containsBean(ENQUEUE_CONNECTION_FACTORY)) {
            // outside any transaction: a persistent send returns once the broker has the message on disk
            Map<String, String> enqueueOptions = new LinkedHashMap<>(q.getOptions());
            enqueueOptions.put("transacted", "false");
            enqueueOptions.put("connectionFactory", "#" + ENQUEUE_CONNECTION_FACTORY);
            enqueueUri = uri(queueBase, enqueueOptions);
        }
        // a large message (a 25 MiB one is allowed by default) goes through Artemis as a large message, streamed from
        // the ingress's spool file and into the delivery's, instead of as a BytesMessage held in memory several times;
        // an artemisStreamingEnabled in queue.options is the application's own choice for every message
        String largeMessageOptions = "jms".equals(q.getComponent()) && !q.getOptions().containsKey(ARTEMIS_STREAMING)
                                     && JmsComponentConfiguration.artemis(beans) ? ARTEMIS_STREAMING + "=true" : null;
        String deliveryUri = uri(required(p.getDelivery().getUri(), "delivery.uri"), p.getDelivery().getOptions());

        SmtpRelayRoutesProperties.Retry r = p.getRetry();
        RetrySchedule schedule = new RetrySchedule(r.getInitialDelay(), r.getMaxDelay(), r.getLifetime(), r.getDelayWarning());

        List<RelayEnrichment.Step> steps = new ArrayList<>();
        Processor hook = hook(p.getEnrichment().getHook(), beans);
        if (hook != null) {
            steps.add(new RelayEnrichment.Step("hook " + p.getEnrichment().getHook(), hook));
        }
        String idDomain = p.getEnrichment().getMessageIdDomain() != null && !p.getEnrichment().getMessageIdDomain().isBlank()
                ? p.getEnrichment().getMessageIdDomain().strip() : reportingMta;
        steps.add(new RelayEnrichment.Step("headers", new HeaderEnricher(idDomain, p.getEnrichment().getExtraHeaders())));
        Processor dkim = dkim(p.getDkim(), resources);
        if (dkim != null) {
            // last: any later change to the signed headers or the body would break the signature
            steps.add(new RelayEnrichment.Step("DKIM", dkim));
        }

        SmtpRelayRoutesProperties.QueueManager qm = p.getQueueManager();
        QueueManagerSettings queueManager = QueueManagerSettings.DEFAULTS.withDestinationConcurrency(qm.getDestinationConcurrency())
                .withBackoff(qm.getBackoffInitial(), qm.getBackoffMax());
        return new RelayRouteSettings(ingressUri(p.getIngress()), queueUri, retryUri, deliveryUri, deadLetterUri, reportingMta,
                schedule, List.of(new RelayEnrichment(steps)), enqueueUri, largeMessageOptions)
                .withQueueManager(queueManager).withSettledRepository(settledRepository(p.getSettled(), beans))
                .withHoldUri(holdUri);
    }

    /** The settled record the properties name: a bean, a file, or null (the routes then keep one in memory). */
    static IdempotentRepository settledRepository(SmtpRelayRoutesProperties.Settled s, BeanFactory beans) {
        if (isSet(s.getRepository())) {
            try {
                return beans.getBean(s.getRepository().strip(), IdempotentRepository.class);
            } catch (org.springframework.beans.BeansException e) {
                throw new IllegalStateException("Expected a bean named '" + s.getRepository().strip() + "' implementing "
                                                + IdempotentRepository.class.getName() + " for camel.smtprelay.relay.settled.repository"
                                                + " but found " + e.getMessage(), e);
            }
        }
        if (isSet(s.getFile())) {
            if (s.getMaxEntries() < 1) {
                throw new IllegalArgumentException("Expected camel.smtprelay.relay.settled.max-entries of 1 or more but found "
                                                   + s.getMaxEntries());
            }
            return SettledFileRepository.builder(Path.of(s.getFile().strip())).maxEntries(s.getMaxEntries()).build();
        }
        return null;
    }

    /**
     * Refuses the relay routes on an embedded broker that keeps messages in memory only: a restart would lose every
     * message answered 250. Only Spring Boot's embedded Artemis is recognised; an external broker is its operator's.
     */
    static void requirePersistentBroker(SmtpRelayRoutesProperties p, BeanFactory beans, Environment env) {
        if (p.isAllowNonPersistentBroker() || !ClassUtils.isPresent(EMBEDDED_ARTEMIS, SmtpRelayRoutesAutoConfiguration.class.getClassLoader())
            || !(beans instanceof ListableBeanFactory listable)) {
            return;
        }
        Class<?> embedded = ClassUtils.resolveClassName(EMBEDDED_ARTEMIS, SmtpRelayRoutesAutoConfiguration.class.getClassLoader());
        if (listable.getBeanNamesForType(embedded, false, false).length == 0) {
            return;
        }
        if (!env.getProperty("spring.artemis.embedded.persistent", Boolean.class, false)) {
            throw new IllegalStateException("Expected a persistent broker for the relay queue but the embedded Artemis keeps"
                                            + " messages in memory only (spring.artemis.embedded.persistent is false, Spring"
                                            + " Boot's default), so a restart would lose every queued message: set"
                                            + " spring.artemis.embedded.persistent=true and spring.artemis.embedded.data-directory,"
                                            + " or, for tests only, camel.smtprelay.relay.allow-non-persistent-broker=true");
        }
    }

    static String ingressUri(SmtpRelayRoutesProperties.Ingress in) {
        if (!in.isEnabled()) {
            return null;
        }
        if (in.getUri() != null && !in.getUri().isBlank()) {
            return in.getUri().strip();
        }
        Map<String, String> options = new LinkedHashMap<>();
        options.put("port", String.valueOf(in.getPort()));
        // unset options are left out, so the component's defaults (and camel.component.smtprelay.*) apply
        putIfSet(options, "bindAddress", in.getBindAddress());
        putIfSet(options, "relayNetworks", in.getRelayNetworks());
        putIfSet(options, "localDomains", in.getLocalDomains());
        options.putAll(in.getOptions());
        return uri("smtprelay:in", options);
    }

    private static Processor hook(String name, BeanFactory beans) {
        if (name == null || name.isBlank()) {
            return null;
        }
        Object bean;
        try {
            bean = beans.getBean(name.strip());
        } catch (NoSuchBeanDefinitionException e) {
            throw new IllegalStateException("Expected a bean named '" + name.strip() + "' for camel.smtprelay.relay.enrichment.hook"
                                            + " but there is none", e);
        }
        if (bean instanceof SmtpRelayEnrichmentHook h) {
            return h::enrich;
        }
        if (bean instanceof Processor processor) {
            return processor;
        }
        throw new IllegalStateException("Expected the bean '" + name.strip() + "' named in camel.smtprelay.relay.enrichment.hook to implement "
                                        + SmtpRelayEnrichmentHook.class.getName() + " or " + Processor.class.getName()
                                        + " but found a " + bean.getClass().getName());
    }

    private static Processor dkim(SmtpRelayRoutesProperties.Dkim d, ResourceLoader resources) {
        boolean domain = isSet(d.getDomain());
        boolean selector = isSet(d.getSelector());
        boolean key = isSet(d.getPrivateKey());
        if (!domain && !selector && !key) {
            return null;
        }
        if (!(domain && selector && key)) {
            // half a configuration is a mistake: silently sending unsigned mail would only show as DMARC failures
            throw new IllegalStateException("Expected camel.smtprelay.relay.dkim.domain, .selector and .private-key all set for DKIM signing"
                                            + " but found domain " + (domain ? "set" : "unset") + ", selector " + (selector ? "set" : "unset")
                                            + ", private-key " + (key ? "set" : "unset"));
        }
        List<String> headers = new ArrayList<>(d.getSignedHeaders());
        if (headers.stream().noneMatch(h -> h.equalsIgnoreCase("From"))) {
            headers.add(0, "From"); // RFC 6376 5.4: From must be signed
        }
        DkimSigner signer = new DkimSigner(d.getDomain().strip(), d.getSelector().strip(), privateKey(d.getPrivateKey(), resources), headers);
        return new DkimStep(signer);
    }

    /** The signer as a relay step: its refusal (no From header) is final, and told at the ingress already. */
    private record DkimStep(DkimSigner signer) implements Processor, io.github.camelrelay.smtprelay.enrich.MessageCheck {

        @Override
        public void process(Exchange exchange) throws Exception {
            try {
                signer.process(exchange);
            } catch (IllegalArgumentException e) {
                // the signer refuses only messages it cannot sign (no From header): retrying cannot help
                throw new InvalidMailException(e.getMessage(), "5.7.1", exchange, e);
            }
        }

        @Override
        public void check(Exchange exchange) throws InvalidMailException {
            signer.check(exchange);
        }
    }

    static PrivateKey privateKey(String value, ResourceLoader resources) {
        String pem = value.strip();
        if (!pem.startsWith("-----BEGIN")) {
            pem = read(pem, resources);
        }
        if (pem.contains("BEGIN RSA PRIVATE KEY") || pem.contains("BEGIN ENCRYPTED PRIVATE KEY")) {
            throw new IllegalStateException("Expected an unencrypted PKCS#8 key (BEGIN PRIVATE KEY) in camel.smtprelay.relay.dkim.private-key but found "
                                            + (pem.contains("RSA") ? "a PKCS#1 key (BEGIN RSA PRIVATE KEY)" : "an encrypted key")
                                            + "; convert it with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out dkim.pem");
        }
        return DkimSigner.readPkcs8Pem(pem);
    }

    private static String read(String location, ResourceLoader resources) {
        Resource resource = ResourceUtils.isUrl(location) ? resources.getResource(location)
                : new org.springframework.core.io.FileSystemResource(Path.of(location));
        try (InputStream in = resource.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalStateException("Expected PEM text or a readable file or resource in camel.smtprelay.relay.dkim.private-key but cannot read '"
                                            + location + "': " + e.getMessage()
                                            + (Files.exists(Path.of(location)) ? "" : " (no such file)"), e);
        }
    }

    /** The local host name once, as the component itself computes it; "localhost" when it is not a domain name. */
    private static String localHostName() {
        try {
            return Domain.of(InetAddress.getLocalHost().getCanonicalHostName()).name();
        } catch (Exception e) {
            return "localhost";
        }
    }

    static String uri(String base, Map<String, String> options) {
        StringBuilder sb = new StringBuilder(base.strip());
        boolean query = sb.indexOf("?") >= 0;
        for (Map.Entry<String, String> option : options.entrySet()) {
            if (option.getValue() == null) {
                continue;
            }
            sb.append(query ? '&' : '?').append(option.getKey()).append('=').append(raw(option.getValue()));
            query = true;
        }
        return sb.toString();
    }

    /**
     * A value as Camel reads it back unchanged: one with URI syntax in it (a '+' of a base64 password hash would
     * otherwise become a space, an '&' would end it) is wrapped in RAW(...), or RAW{...} when it holds a ')'.
     */
    static String raw(String value) {
        if (value.startsWith("RAW(") || value.startsWith("RAW{") || value.chars().noneMatch(c -> "&+%# ?=".indexOf(c) >= 0)) {
            return value;
        }
        return value.indexOf(')') < 0 ? "RAW(" + value + ")" : "RAW{" + value + "}";
    }

    private static void putIfSet(Map<String, String> options, String name, String value) {
        if (isSet(value)) {
            options.put(name, value.strip());
        }
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank();
    }

    private static String required(String value, String property) {
        if (!isSet(value)) {
            throw new IllegalArgumentException("Expected camel.smtprelay.relay." + property + " to be set but found it empty");
        }
        return value.strip();
    }
}
