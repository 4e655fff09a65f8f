package io.github.camelrelay.springboot;

import io.github.camelrelay.smtprelay.relay.SmtpRelayRoutes;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.artemis.autoconfigure.ArtemisConfigurationCustomizer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jms.connection.CachingConnectionFactory;
import org.springframework.util.ClassUtils;

/**
 * What the relay queue needs from its broker: a redelivery delay (an unexpected failure is not retried in a tight
 * loop) and a dead-letter address. On Spring Boot's embedded Artemis the starter configures them; an external broker
 * is checked at start-up instead, and a start on one that cannot hold the relay's mail safely fails with what to
 * configure.
 */
final class SmtpRelayBrokerConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpRelayBrokerConfiguration.class);

    /**
     * Deliveries of a queue entry before the broker moves it to the dead-letter address: above the routes' own limit
     * ({@link SmtpRelayRoutes#MAX_ROLLBACKS}), after which they dead-letter it with a report themselves.
     */
    static final int MAX_DELIVERY_ATTEMPTS = 10;

    static final String EMBEDDED_ARTEMIS = "org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ";

    private SmtpRelayBrokerConfiguration() {
    }

    /** The relay queue's address settings on Boot's embedded Artemis, unless the application set its own. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = { "org.springframework.boot.artemis.autoconfigure.ArtemisConfigurationCustomizer",
            "org.apache.activemq.artemis.core.settings.impl.AddressSettings" })
    static class EmbeddedArtemis {

        @Bean
        @ConditionalOnMissingBean(name = "smtpRelayQueueSettings")
        ArtemisConfigurationCustomizer smtpRelayQueueSettings(SmtpRelayRoutesProperties properties) {
            return configuration -> {
                String queue = properties.getQueue().getName();
                String dead = properties.getQueue().getDeadLetterName();
                for (String name : new String[] { queue, dead, properties.getQueue().getHoldName() }) {
                    if (configuration.getQueueConfigs().stream().noneMatch(q -> name.equals(q.getName().toString()))) {
                        configuration.addQueueConfiguration(QueueConfiguration.of(name).setRoutingType(RoutingType.ANYCAST).setDurable(true));
                    }
                }
                if (!configuration.getAddressSettings().containsKey(queue)) {
                    configuration.addAddressSetting(queue, relayQueueSettings(dead));
                }
            };
        }
    }

    /**
     * A failing route is offered again after 5 s, doubling to 5 minutes; after {@value #MAX_DELIVERY_ATTEMPTS}
     * deliveries the broker moves the entry to the dead-letter queue (the routes give up with a report before that).
     */
    static AddressSettings relayQueueSettings(String deadLetterQueue) {
        return new AddressSettings()
                .setDeadLetterAddress(SimpleString.of(deadLetterQueue))
                .setMaxDeliveryAttempts(MAX_DELIVERY_ATTEMPTS)
                .setRedeliveryDelay(5_000)
                .setRedeliveryMultiplier(2)
                .setMaxRedeliveryDelay(300_000);
    }

    /**
     * Checks an external broker once every bean is there: the dead-letter queue can be read and a message sent with
     * a delivery delay (the retry schedule's) is held back for it. Skipped with {@code broker-check=false}, for a
     * queue component other than jms, and on Boot's embedded broker (configured above).
     */
    static final class BrokerCheck implements SmartInitializingSingleton {

        /** The delivery delay of the probe message. */
        static final long PROBE_DELAY_MILLIS = 1_000;

        private final SmtpRelayRoutesProperties properties;
        private final BeanFactory beans;

        BrokerCheck(SmtpRelayRoutesProperties properties, BeanFactory beans) {
            this.properties = properties;
            this.beans = beans;
        }

        @Override
        public void afterSingletonsInstantiated() {
            if (!properties.isBrokerCheck() || !"jms".equals(properties.getQueue().getComponent()) || embedded(beans)) {
                return;
            }
            ConnectionFactory cf = beans.getBeanProvider(ConnectionFactory.class).getIfUnique();
            if (cf == null) {
                return;
            }
            if (cf instanceof CachingConnectionFactory caching && caching.getTargetConnectionFactory() != null) {
                cf = caching.getTargetConnectionFactory();
            }
            check(cf, properties.getQueue().getDeadLetterName());
        }

        static boolean embedded(BeanFactory beans) {
            ClassLoader loader = SmtpRelayBrokerConfiguration.class.getClassLoader();
            if (!ClassUtils.isPresent(EMBEDDED_ARTEMIS, loader) || !(beans instanceof ListableBeanFactory listable)) {
                return false;
            }
            return listable.getBeanNamesForType(ClassUtils.resolveClassName(EMBEDDED_ARTEMIS, loader), false, false).length > 0;
        }

        static void check(ConnectionFactory cf, String deadLetterQueue) {
            String skip = " (or set camel.smtprelay.relay.broker-check=false to start without this check)";
            try (Connection connection = cf.createConnection()) {
                connection.start();
                Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                try (QueueBrowser browser = session.createBrowser(session.createQueue(deadLetterQueue))) {
                    browser.getEnumeration().hasMoreElements();
                } catch (JMSException e) {
                    // Artemis says "There is no queue with name ..." in a plain JMSException, others in an
                    // InvalidDestinationException: either way the relay's dead letters have nowhere to go
                    throw new IllegalStateException("Expected the dead-letter queue " + deadLetterQueue + " on the broker"
                                                    + " but it has none (" + e.getMessage() + "): create it as a durable"
                                                    + " anycast queue, and make it the relay queue "
                                                    + properties(deadLetterQueue) + skip, e);
                }
                TemporaryQueue probe = session.createTemporaryQueue();
                try (MessageProducer producer = session.createProducer(probe); MessageConsumer consumer = session.createConsumer(probe)) {
                    producer.setDeliveryDelay(PROBE_DELAY_MILLIS);
                    producer.send(session.createTextMessage("smtprelay delivery-delay probe"));
                    Message early = consumer.receive(PROBE_DELAY_MILLIS / 2);
                    if (early != null) {
                        throw new IllegalStateException("Expected the broker to hold back a message sent with a delivery delay of "
                                                        + PROBE_DELAY_MILLIS + " ms but it delivered it at once: the retry"
                                                        + " schedule needs JMS 2.0 delivery delay (ActiveMQ Classic: schedulerSupport=\"true\""
                                                        + " on the broker; or give camel.smtprelay.relay.queue.options a broker-specific"
                                                        + " delay property)" + skip);
                    }
                    if (consumer.receive(PROBE_DELAY_MILLIS * 10) == null) {
                        throw new IllegalStateException("Expected a message sent with a delivery delay of " + PROBE_DELAY_MILLIS
                                                        + " ms within " + PROBE_DELAY_MILLIS * 10 + " ms but none arrived:"
                                                        + " check the broker's scheduled delivery" + skip);
                    }
                } finally {
                    probe.delete();
                }
                LOG.info("Broker checked: dead-letter queue {} is there, delivery delay holds a message back", deadLetterQueue);
            } catch (JMSException e) {
                throw new IllegalStateException("Expected to reach the relay queue's broker to check its dead-letter queue "
                                                + deadLetterQueue + " and delivery delay but found: " + e + skip, e);
            }
        }

        private static String properties(String deadLetterQueue) {
            return "address's dead-letter address (Artemis: <address-setting match=\"smtprelay.outbound\"><dead-letter-address>"
                   + deadLetterQueue + "</dead-letter-address><redelivery-delay>5000</redelivery-delay></address-setting>)";
        }
    }
}
