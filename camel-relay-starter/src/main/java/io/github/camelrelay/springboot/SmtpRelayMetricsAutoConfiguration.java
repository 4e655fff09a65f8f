package io.github.camelrelay.springboot;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Registers {@link SmtpRelayMetrics} when the application has a Micrometer {@link MeterRegistry}, for example through
 * spring-boot-starter-actuator. Boot's {@code management.metrics.enable.smtprelay=false} turns the meters off.
 */
// by name, so the starter does not need spring-boot-micrometer-metrics: these create the MeterRegistry bean
@AutoConfiguration(after = CamelAutoConfiguration.class, afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ MeterRegistry.class, CamelContext.class })
public class SmtpRelayMetricsAutoConfiguration {

    /** The delivery listener that records the metrics; an application bean of this type replaces it. */
    @Bean
    @ConditionalOnMissingBean
    public SmtpRelayMetrics smtpRelayMetrics(MeterRegistry registry, CamelContext camelContext) {
        return new SmtpRelayMetrics(registry, camelContext);
    }

    /** The relay routes' queue gauges, once the routes are configured (their tracker is made then). */
    @Bean
    org.apache.camel.spring.boot.CamelContextConfiguration smtpRelayQueueGauges(SmtpRelayMetrics metrics,
            org.springframework.beans.factory.ObjectProvider<io.github.camelrelay.smtprelay.relay.SmtpRelayRoutes> routes) {
        return new org.apache.camel.spring.boot.CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camelContext) {
            }

            @Override
            public void afterApplicationStart(CamelContext camelContext) {
                routes.orderedStream().filter(r -> r.tracker() != null).forEach(r -> metrics.bindQueue(r.tracker()));
            }
        };
    }
}
