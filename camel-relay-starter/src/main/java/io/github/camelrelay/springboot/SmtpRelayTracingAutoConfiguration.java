package io.github.camelrelay.springboot;

import io.github.camelrelay.smtprelay.relay.ObservationRelayTracing;
import io.github.camelrelay.smtprelay.relay.RelayTracing;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The relay routes' spans ({@link ObservationRelayTracing}) on the application's {@link ObservationRegistry}, which
 * Spring Boot's actuator creates: with a tracing bridge such as micrometer-tracing-bridge-otel each submission,
 * delivery attempt and bounce is a span of one trace per message; without one, the observations are timers. An
 * application bean of type {@link RelayTracing} replaces it.
 */
@AutoConfiguration(afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass(name = "io.micrometer.observation.ObservationRegistry")
@ConditionalOnBean(ObservationRegistry.class)
public class SmtpRelayTracingAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(RelayTracing.class)
    public RelayTracing smtpRelayTracing(ObservationRegistry registry) {
        return new ObservationRelayTracing(registry, SmtpRelayMetrics.DEFAULT_MAX_DOMAIN_TAGS);
    }
}
