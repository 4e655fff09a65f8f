package io.github.camelrelay.springboot.events;

import io.github.camelrelay.smtprelay.relay.SmtpRelayRoutes;
import io.github.camelrelay.springboot.SmtpRelayRoutesAutoConfiguration;
import io.github.camelrelay.springboot.SmtpRelayRoutesProperties;
import jakarta.jms.ConnectionFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.jms.connection.CachingConnectionFactory;

/**
 * The delivery event stream, when {@code camel.smtprelay.relay.events.uri} names an endpoint: the relay routes put
 * each recipient's event on the events queue (see SmtpRelayRoutesAutoConfiguration) and the
 * {@link DeliveryEventForwarder} sends them on in batches.
 */
@AutoConfiguration(after = SmtpRelayRoutesAutoConfiguration.class, afterName = {
        "org.springframework.boot.artemis.autoconfigure.ArtemisAutoConfiguration",
        "org.springframework.boot.jms.autoconfigure.JmsAutoConfiguration" })
@ConditionalOnProperty(prefix = "camel.smtprelay.relay.events", name = "uri")
@ConditionalOnClass(name = "jakarta.jms.ConnectionFactory")
@ConditionalOnBean(SmtpRelayRoutes.class)
public class DeliveryEventsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(ConnectionFactory.class)
    public DeliveryEventForwarder smtpRelayDeliveryEventForwarder(ConnectionFactory connectionFactory,
                                                                  SmtpRelayRoutesProperties properties) {
        // a long-lived consumer on the real connection factory, not through Boot's session cache
        ConnectionFactory target = connectionFactory instanceof CachingConnectionFactory caching
                && caching.getTargetConnectionFactory() != null ? caching.getTargetConnectionFactory() : connectionFactory;
        SmtpRelayRoutesProperties.Events e = properties.getEvents();
        return new DeliveryEventForwarder(target, e.getQueue(), e.getUri().strip(), e.getBatchSize(),
                e.getBatchWait(), e.getMaxRetryDelay());
    }

    /** Starts the forwarder once the Camel context (and so the endpoint it sends to) has started. */
    @Bean
    @ConditionalOnBean(DeliveryEventForwarder.class)
    CamelContextConfiguration smtpRelayDeliveryEventForwarderStart(DeliveryEventForwarder forwarder) {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camelContext) {
            }

            @Override
            public void afterApplicationStart(CamelContext camelContext) {
                forwarder.start(camelContext);
            }
        };
    }
}
