package io.github.camelrelay.springboot.tlsrpt;

import java.nio.file.Path;

import io.github.camelrelay.smtprelay.tlsrpt.TlsRptReporter;
import io.github.camelrelay.springboot.SmtpRelayRoutesAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code camel.smtprelay.tls-reporting.*} builds, and the start it refuses; TlsReportingRelayTest runs it end to end. */
class TlsReportingAutoConfigurationTest {

    @TempDir
    Path dir;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SmtpRelayRoutesAutoConfiguration.class, TlsReportingAutoConfiguration.class))
            .withPropertyValues("camel.smtprelay.relay.broker-check=false");

    @Test
    void nothingUnlessEnabled() {
        runner.withPropertyValues("camel.smtprelay.relay.enabled=true", "camel.smtprelay.tls-reporting.directory=" + dir)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(TlsRptReporter.class));
    }

    @Test
    void aStartWithoutTheRequiredPropertiesFailsNamingThem() {
        runner.withPropertyValues("camel.smtprelay.tls-reporting.enabled=true").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContainingAll(
                    "camel.smtprelay.tls-reporting.organization-name", "camel.smtprelay.tls-reporting.contact-info",
                    "camel.smtprelay.tls-reporting.directory", "camel.smtprelay.tls-reporting.report-sender",
                    "camel.smtprelay.tls-reporting.submitter", "camel.smtprelay.tls-reporting.queue-uri");
        });
    }

    @Test
    void theSubmitterAndQueueDefaultToTheRelaysAndABadIntervalIsRefused() {
        var enabled = runner.withPropertyValues("camel.smtprelay.relay.enabled=true",
                "camel.smtprelay.relay.reporting-mta=relay.example.com",
                "camel.smtprelay.tls-reporting.enabled=true",
                "camel.smtprelay.tls-reporting.organization-name=Example",
                "camel.smtprelay.tls-reporting.contact-info=tls@example.com",
                "camel.smtprelay.tls-reporting.report-sender=tlsrpt@example.com",
                "camel.smtprelay.tls-reporting.directory=" + dir);
        enabled.run(context -> assertThat(context).hasNotFailed().hasSingleBean(TlsRptReporter.class));
        enabled.withPropertyValues("camel.smtprelay.tls-reporting.interval=7h").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("divides a day").hasMessageContaining("PT7H");
        });
    }
}
