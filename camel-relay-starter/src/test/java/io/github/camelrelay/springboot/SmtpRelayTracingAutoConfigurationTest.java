package io.github.camelrelay.springboot;

import io.github.camelrelay.smtprelay.relay.ObservationRelayTracing;
import io.github.camelrelay.smtprelay.relay.RelayTracing;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/** The relay routes' spans go to the application's ObservationRegistry when it has one, and are off otherwise. */
class SmtpRelayTracingAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SmtpRelayTracingAutoConfiguration.class));

    @Test
    void theApplicationsObservationRegistryGetsTheRoutesObservations() {
        runner.withBean(ObservationRegistry.class, ObservationRegistry::create)
                .run(context -> assertThat(context).getBean(RelayTracing.class).isInstanceOf(ObservationRelayTracing.class));
    }

    @Test
    void noRegistryNoTracing() {
        runner.run(context -> assertThat(context).doesNotHaveBean(RelayTracing.class));
    }

    @Test
    void anApplicationsOwnTracingIsKept() {
        runner.withBean(ObservationRegistry.class, ObservationRegistry::create)
                .withBean(RelayTracing.class, () -> RelayTracing.NONE)
                .run(context -> assertThat(context).getBean(RelayTracing.class).isSameAs(RelayTracing.NONE));
    }
}
