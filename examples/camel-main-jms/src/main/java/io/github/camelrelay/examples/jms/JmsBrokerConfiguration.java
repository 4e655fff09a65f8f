package io.github.camelrelay.examples.jms;

import java.nio.file.Path;

import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker and the {@code jms} component. With an empty {@code broker.url} (BROKER_URL) an Artemis broker is
 * embedded: persistent in {@code broker.embedded.dataDirectory}, reachable by other programs at
 * {@code broker.embedded.acceptorUrl} (default tcp://127.0.0.1:61616), and with both queues and the failure queue as
 * the dead-letter address of the outgoing one, so a message the route cannot even settle ends there too. With a
 * {@code broker.url} the example is a client of that broker only. Found by Camel Main's package scan.
 */
public final class JmsBrokerConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(JmsBrokerConfiguration.class);

    @Override
    public void configure(CamelContext camelContext) throws Exception {
        PropertiesComponent properties = camelContext.getPropertiesComponent();
        String brokerUrl = properties.resolveProperty("broker.url").orElse("").strip();
        String outgoing = properties.resolveProperty("queue.outgoing").orElseThrow();
        String failed = properties.resolveProperty("queue.failed").orElseThrow();
        ActiveMQConnectionFactory connectionFactory;
        if (brokerUrl.isEmpty()) {
            String acceptorUrl = properties.resolveProperty("broker.embedded.acceptorUrl").orElseThrow();
            Path dataDirectory = Path.of(properties.resolveProperty("broker.embedded.dataDirectory").orElseThrow())
                    .toAbsolutePath();
            // started now, stopped with the context after the routes and the jms component
            camelContext.addService(new EmbeddedBroker(embeddedConfiguration(acceptorUrl, dataDirectory, outgoing,
                    failed)), true, true);
            LOG.info("Embedded Artemis broker in {}, for other programs at {}", dataDirectory, acceptorUrl);
            connectionFactory = new ActiveMQConnectionFactory("vm://0");
        } else {
            LOG.info("Artemis broker at {}", brokerUrl);
            connectionFactory = new ActiveMQConnectionFactory(brokerUrl);
            properties.resolveProperty("broker.user").filter(u -> !u.isBlank()).ifPresent(connectionFactory::setUser);
            properties.resolveProperty("broker.password").filter(p -> !p.isBlank())
                    .ifPresent(connectionFactory::setPassword);
        }
        // local JMS transactions: a message leaves mail.outgoing only together with what the route did with it
        camelContext.addComponent("jms", JmsComponent.jmsComponentTransacted(connectionFactory));
    }

    static Configuration embeddedConfiguration(String acceptorUrl, Path dataDirectory, String outgoing, String failed)
            throws Exception {
        Configuration config = new ConfigurationImpl()
                .setName("camel-main-jms")
                .setPersistenceEnabled(true)
                // NIO works everywhere; ASYNCIO needs libaio and only falls back with a warning
                .setJournalType(JournalType.NIO)
                .setJournalDirectory(dataDirectory.resolve("journal").toString())
                .setBindingsDirectory(dataDirectory.resolve("bindings").toString())
                .setLargeMessagesDirectory(dataDirectory.resolve("large-messages").toString())
                .setPagingDirectory(dataDirectory.resolve("paging").toString())
                .setSecurityEnabled(false)
                .addAcceptorConfiguration("in-vm", "vm://0")
                .addAcceptorConfiguration("tcp", acceptorUrl)
                .addQueueConfiguration(QueueConfiguration.of(outgoing).setRoutingType(RoutingType.ANYCAST))
                .addQueueConfiguration(QueueConfiguration.of(failed).setRoutingType(RoutingType.ANYCAST));
        // the route sends every failure to the failure queue itself; this catches a message whose transaction keeps
        // rolling back (the failure queue unreachable, a crash while delivering), after a few delayed tries
        config.addAddressSetting(outgoing, new AddressSettings()
                .setDeadLetterAddress(SimpleString.of(failed))
                .setExpiryAddress(SimpleString.of(failed))
                .setMaxDeliveryAttempts(5)
                .setRedeliveryDelay(5_000)
                .setRedeliveryMultiplier(2)
                .setMaxRedeliveryDelay(60_000));
        return config;
    }

    /** The embedded broker as a Camel service, so it starts before the routes and stops after them. */
    static final class EmbeddedBroker extends ServiceSupport {

        private final EmbeddedActiveMQ broker = new EmbeddedActiveMQ();

        EmbeddedBroker(Configuration configuration) {
            broker.setConfiguration(configuration);
        }

        @Override
        protected void doStart() throws Exception {
            broker.start();
        }

        @Override
        protected void doStop() throws Exception {
            broker.stop();
        }
    }
}
