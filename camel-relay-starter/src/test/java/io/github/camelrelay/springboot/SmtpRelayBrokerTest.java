package io.github.camelrelay.springboot;

import java.nio.file.Path;

import jakarta.jms.ConnectionFactory;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.artemis.autoconfigure.ArtemisAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay queue's broker: Boot's embedded Artemis gets the queue's redelivery delay and dead-letter address from
 * the starter; an external broker (a real Artemis here, not a bean of the application) is checked at start-up for
 * its dead-letter queue and delivery delay, and a start on one that fails the check says what to configure.
 */
class SmtpRelayBrokerTest {

    @TempDir
    Path dir;

    private EmbeddedActiveMQ external;

    @AfterEach
    void stop() throws Exception {
        if (external != null) {
            external.stop();
        }
    }

    private ApplicationContextRunner relay() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ArtemisAutoConfiguration.class, SmtpRelayRoutesAutoConfiguration.class))
                .withPropertyValues("camel.smtprelay.relay.enabled=true", "camel.smtprelay.relay.reporting-mta=relay.example.com");
    }

    @Test
    void theEmbeddedBrokerGetsTheQueuesRedeliveryDelayAndDeadLetterAddress() {
        relay().withPropertyValues("spring.artemis.mode=embedded", "spring.artemis.embedded.persistent=true",
                        "spring.artemis.embedded.data-directory=" + dir.resolve("embedded"), "spring.artemis.embedded.server-id=41")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    EmbeddedActiveMQ broker = context.getBean(EmbeddedActiveMQ.class);
                    AddressSettings queue = broker.getActiveMQServer().getAddressSettingsRepository().getMatch("smtprelay.outbound");
                    assertThat(queue.getDeadLetterAddress().toString()).isEqualTo("smtprelay.dead");
                    assertThat(queue.getRedeliveryDelay()).isEqualTo(5_000);
                    assertThat(queue.getMaxDeliveryAttempts()).isEqualTo(SmtpRelayBrokerConfiguration.MAX_DELIVERY_ATTEMPTS)
                            .isGreaterThan(io.github.camelrelay.smtprelay.relay.SmtpRelayRoutes.MAX_ROLLBACKS);
                    assertThat(broker.getActiveMQServer().locateQueue("smtprelay.dead")).as("the dead-letter queue exists").isNotNull();
                });
    }

    @Test
    void anExternalBrokerWithADeadLetterQueueAndDeliveryDelayPassesTheCheck() throws Exception {
        external = startExternal(42, false);
        relay().withBean(ConnectionFactory.class, () -> new ActiveMQConnectionFactory("vm://42"))
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void anExternalBrokerWithoutTheDeadLetterQueueFailsTheStartWithWhatToCreate() throws Exception {
        external = startExternal(43, true);
        relay().withBean(ConnectionFactory.class, () -> new ActiveMQConnectionFactory("vm://43"))
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause().isNotNull();
                    assertThat(context.getStartupFailure()).hasStackTraceContaining("Expected the dead-letter queue smtprelay.dead")
                            .hasStackTraceContaining("dead-letter-address")
                            .hasStackTraceContaining("camel.smtprelay.relay.broker-check=false");
                });
    }

    @Test
    void anUnreachableBrokerFailsTheStartWithWhatWasChecked() {
        relay().withBean(ConnectionFactory.class, () -> new ActiveMQConnectionFactory("vm://44?reconnectAttempts=0"))
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).hasStackTraceContaining("Expected to reach the relay queue's broker");
                });
    }

    /** A broker the application only connects to, in this JVM; without auto-created queues when asked. */
    private EmbeddedActiveMQ startExternal(int id, boolean noAutoCreate) throws Exception {
        ConfigurationImpl config = new ConfigurationImpl();
        config.setPersistenceEnabled(false);
        config.setSecurityEnabled(false);
        config.addAcceptorConfiguration("in-vm", "vm://" + id);
        if (noAutoCreate) {
            config.addAddressSetting("#", new AddressSettings().setAutoCreateQueues(false).setAutoCreateAddresses(false));
        }
        EmbeddedActiveMQ broker = new EmbeddedActiveMQ();
        broker.setConfiguration(config);
        broker.start();
        return broker;
    }
}
