package io.github.camelrelay.springboot;

import java.nio.file.Path;

import io.github.camelrelay.smtprelay.relay.RelayRouteSettings;
import io.github.camelrelay.smtprelay.relay.SettledFileRepository;
import jakarta.jms.ConnectionFactory;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter refuses the relay routes on an embedded broker that keeps messages in memory only, unless told it is
 * a test; it gives the routes a durable settled record when one is configured, and takes the relay's Artemis
 * consumers off prefetch.
 */
class SmtpRelayPersistenceGuardTest {

    @TempDir
    Path dir;

    /** As Spring Boot's embedded Artemis leaves it: an EmbeddedActiveMQ bean (not started here) and its factory. */
    private final ApplicationContextRunner embedded = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SmtpRelayRoutesAutoConfiguration.class))
            .withBean(EmbeddedActiveMQ.class, EmbeddedActiveMQ::new)
            .withBean(ConnectionFactory.class, () -> new ActiveMQConnectionFactory("vm://0"))
            .withPropertyValues("camel.smtprelay.relay.enabled=true", "camel.smtprelay.relay.reporting-mta=relay.example.com");

    @Test
    void aNonPersistentEmbeddedBrokerIsRefusedWithWhatToSet() {
        embedded.run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .hasMessageContaining("spring.artemis.embedded.persistent=true")
                    .hasMessageContaining("camel.smtprelay.relay.allow-non-persistent-broker=true");
        });
    }

    @Test
    void aPersistentEmbeddedBrokerOrAnExplicitAllowanceStarts() {
        embedded.withPropertyValues("spring.artemis.embedded.persistent=true")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(RelayRouteSettings.class));
        embedded.withPropertyValues("camel.smtprelay.relay.allow-non-persistent-broker=true")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(RelayRouteSettings.class));
    }

    @Test
    void withoutAnEmbeddedBrokerThereIsNothingToCheck() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SmtpRelayRoutesAutoConfiguration.class))
                .withBean(ConnectionFactory.class, () -> new ActiveMQConnectionFactory("tcp://broker.invalid:61616"))
                .withPropertyValues("camel.smtprelay.relay.enabled=true", "camel.smtprelay.relay.reporting-mta=relay.example.com",
                        "camel.smtprelay.relay.broker-check=false")
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void aSettledFileGivesTheRoutesAFileRepositoryAndTheConsumersNoPrefetch() {
        ActiveMQConnectionFactory artemis = new ActiveMQConnectionFactory("vm://0");
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SmtpRelayRoutesAutoConfiguration.class))
                .withBean(ConnectionFactory.class, () -> artemis)
                .withPropertyValues("camel.smtprelay.relay.enabled=true", "camel.smtprelay.relay.reporting-mta=relay.example.com",
                        "camel.smtprelay.relay.broker-check=false", "camel.smtprelay.relay.settled.file=" + dir.resolve("settled.dat"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    RelayRouteSettings settings = context.getBean(RelayRouteSettings.class);
                    assertThat(settings.settledRepository()).isInstanceOf(SettledFileRepository.class);
                    assertThat(((SettledFileRepository) settings.settledRepository()).getFile()).isEqualTo(dir.resolve("settled.dat"));
                    assertThat(((SettledFileRepository) settings.settledRepository()).getMaxEntries()).isEqualTo(1_000_000);
                    assertThat(settings.queueManager().destinationConcurrency()).isEqualTo(20);
                    assertThat(settings.queueUri()).contains("concurrentConsumers=50");
                    context.getBean("jms");
                    assertThat(artemis.getConsumerWindowSize()).isZero();
                });
    }
}
