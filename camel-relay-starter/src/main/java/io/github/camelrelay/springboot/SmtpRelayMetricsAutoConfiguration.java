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

    /**
     * The queue gauges by state and by top destination, set from the broker's snapshot (MailQueue's refresh, on an
     * Artemis broker; they read 0 where there is none).
     */
    @Bean
    @ConditionalOnMissingBean
    @org.springframework.boot.autoconfigure.condition.ConditionalOnProperty(prefix = "camel.smtprelay.relay", name = "enabled",
            havingValue = "true")
    public SmtpRelayQueueMetrics smtpRelayQueueMetrics(MeterRegistry registry,
            org.springframework.beans.factory.ObjectProvider<SmtpRelayRoutesProperties> properties) {
        SmtpRelayRoutesProperties p = properties.getIfAvailable();
        return new SmtpRelayQueueMetrics(registry, p == null ? 20 : p.getQueue().getGaugeDestinations(),
                java.time.Clock.systemUTC());
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
