package io.github.camelrelay.examples.server;

import io.github.camelrelay.springboot.SmtpRelayRoutesProperties;
import java.time.Duration;

import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.artemis.autoconfigure.ArtemisConfigurationCustomizer;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * What the relay server adds to the starter: the embedded broker's settings for the relay queues, and one log line
 * at start-up that says where mail comes in, where it waits and how it leaves.
 */
@Configuration(proxyBeanMethods = false)
public class RelayServerConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(RelayServerApplication.class);

    /**
     * How long the embedded broker's journal gathers writes before one sync to disk. Artemis's default for its NIO
     * journal (used without libaio) is 3.33 ms; every SMTP client waits for the sync of its message before its 250,
     * so this bounds the relay's latency and, with a fixed number of clients, its throughput. One sync of a typical
     * SSD or cloud disk takes about 1 ms ({@code artemis perf-journal} measures it), so that is the default.
     */
    static final Duration DEFAULT_JOURNAL_BUFFER_TIMEOUT = Duration.ofMillis(1);

    /** Deliveries a broken message gets (its route failed with an unexpected error) before the broker gives up. */
    static final int MAX_DELIVERY_ATTEMPTS = 10;

    /**
     * The embedded broker's settings for the relay queue: a message whose route keeps failing with an unexpected
     * error (not an SMTP outcome, which the routes handle themselves) is offered again after a growing pause and,
     * after {@value #MAX_DELIVERY_ATTEMPTS} tries, moved to the relay's dead-letter queue instead of being retried
     * for ever or dropped. Only the embedded broker is configured here; an external broker is its operator's.
     */
    @Bean
    ArtemisConfigurationCustomizer relayQueueSettings(ObjectProvider<SmtpRelayRoutesProperties> relay, Environment env) {
        Duration bufferTimeout = env.getProperty("relay-server.journal-buffer-timeout", Duration.class, DEFAULT_JOURNAL_BUFFER_TIMEOUT);
        if (bufferTimeout.isNegative() || bufferTimeout.toNanos() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Expected relay-server.journal-buffer-timeout between 0 and 2s but found " + bufferTimeout);
        }
        return configuration -> {
            configuration.setJournalBufferTimeout_NIO((int) bufferTimeout.toNanos());
            configuration.setJournalBufferTimeout_AIO((int) bufferTimeout.toNanos());
            SmtpRelayRoutesProperties properties = relay.getIfAvailable();
            if (properties == null) {
                return;
            }
            String queue = properties.getQueue().getName();
            String dead = properties.getQueue().getDeadLetterName();
            configuration.addQueueConfiguration(QueueConfiguration.of(queue).setRoutingType(RoutingType.ANYCAST).setDurable(true));
            configuration.addQueueConfiguration(QueueConfiguration.of(dead).setRoutingType(RoutingType.ANYCAST).setDurable(true));
            configuration.addAddressSetting(queue, new AddressSettings()
                    .setDeadLetterAddress(SimpleString.of(dead))
                    .setMaxDeliveryAttempts(MAX_DELIVERY_ATTEMPTS)
                    .setRedeliveryDelay(5_000)
                    .setRedeliveryMultiplier(2)
                    .setMaxRedeliveryDelay(300_000));
        };
    }

    /** One line that tells the operator what is running, as the first thing to check when mail does not move. */
    @Bean
    ApplicationListener<ApplicationReadyEvent> relayServerSummary(ObjectProvider<SmtpRelayRoutesProperties> relay, Environment env) {
        return event -> {
            SmtpRelayRoutesProperties p = relay.getIfAvailable();
            if (p == null) {
                LOG.info("Relay routes are off (camel.smtprelay.relay.enabled=false)");
                return;
            }
            String in = !p.getIngress().isEnabled() ? "no SMTP ingress"
                    : StringUtils.hasText(p.getIngress().getUri()) ? "SMTP " + p.getIngress().getUri()
                    : "SMTP on " + orDefault(p.getIngress().getBindAddress(), "127.0.0.1") + ":" + p.getIngress().getPort()
                      + " (relaying for " + orDefault(p.getIngress().getRelayNetworks(), "loopback") + ")";
            String brokerUrl = env.getProperty("spring.artemis.broker-url");
            String broker = "native".equalsIgnoreCase(env.getProperty("spring.artemis.mode"))
                    ? "Artemis at " + orDefault(brokerUrl, "tcp://localhost:61616")
                    : "embedded Artemis in " + orDefault(env.getProperty("spring.artemis.embedded.data-directory"), "a temporary directory")
                      + (env.getProperty("spring.artemis.embedded.persistent", Boolean.class, false) ? "" : " (not persistent)");
            String relayHost = env.getProperty("camel.component.smtprelay.relay-host");
            String out = StringUtils.hasText(relayHost)
                    ? "through relay host " + relayHost + portSuffix(env.getProperty("camel.component.smtprelay.relay-port"))
                    : "by MX";
            LOG.info("Relay server ready: {}; queue {} on {}; delivery {}; dead letters in {}", in, p.getQueue().getName(), broker, out,
                    p.getQueue().getDeadLetterName());
        };
    }

    private static String orDefault(String value, String otherwise) {
        return StringUtils.hasText(value) ? value : otherwise;
    }

    private static String portSuffix(String port) {
        return StringUtils.hasText(port) && !"0".equals(port.strip()) ? ":" + port.strip() : "";
    }
}
