package io.github.camelrelay.springboot.tlsrpt;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.camelrelay.smtprelay.dns.MxResolver;
import io.github.camelrelay.smtprelay.relay.RelayRouteSettings;
import io.github.camelrelay.smtprelay.tlsrpt.TlsRptReporter;
import io.github.camelrelay.springboot.SmtpRelayComponentConfiguration;
import io.github.camelrelay.springboot.SmtpRelayRoutesAutoConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * SMTP TLS Reporting, switched on by {@code camel.smtprelay.tls-reporting.enabled=true}: a {@link TlsRptReporter} bean
 * from {@link TlsReportingProperties} (the producer calls every SmtpRelayListener bean, so it counts each TLS session
 * of an MX delivery), added to the Camel context as a service once it has started, which runs its schedule. Mailed
 * reports go on the relay routes' queue unless {@code queue-uri} names another. An application's own
 * {@code TlsRptReporter} bean takes the place of this one.
 */
@AutoConfiguration(after = SmtpRelayRoutesAutoConfiguration.class)
@ConditionalOnProperty(prefix = "camel.smtprelay.tls-reporting", name = "enabled", havingValue = "true")
@EnableConfigurationProperties(TlsReportingProperties.class)
public class TlsReportingAutoConfiguration {

    private static final String PREFIX = "camel.smtprelay.tls-reporting.";

    @Bean
    @ConditionalOnMissingBean
    public TlsRptReporter smtpRelayTlsReporter(TlsReportingProperties p, ObjectProvider<RelayRouteSettings> relay,
                                               ObjectProvider<SmtpRelayComponentConfiguration> component) {
        RelayRouteSettings settings = relay.getIfAvailable();
        List<String> missing = new ArrayList<>();
        for (String[] required : new String[][] { { "organization-name", p.getOrganizationName() },
                                                  { "contact-info", p.getContactInfo() }, { "directory", p.getDirectory() },
                                                  { "report-sender", p.getReportSender() } }) {
            if (!isSet(required[1])) {
                missing.add(PREFIX + required[0]);
            }
        }
        String submitter = isSet(p.getSubmitter()) ? p.getSubmitter() : settings == null ? null : settings.reportingMta();
        if (!isSet(submitter)) {
            missing.add(PREFIX + "submitter (or camel.smtprelay.relay.reporting-mta)");
        }
        String queue = isSet(p.getQueueUri()) ? p.getQueueUri().strip()
                : settings == null ? null : settings.enqueueUri() != null ? settings.enqueueUri() : settings.queueUri();
        if (queue == null) {
            missing.add(PREFIX + "queue-uri (or the relay routes, camel.smtprelay.relay.enabled=true, whose queue it defaults to)");
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("Expected " + String.join(", ", missing) + " to be set for TLS reporting"
                                            + " (camel.smtprelay.tls-reporting.enabled=true) but found none");
        }
        SmtpRelayComponentConfiguration c = component.getIfAvailable();
        Duration dnsTimeout = c != null && c.getDnsTimeout() != null ? c.getDnsTimeout() : Duration.ofSeconds(10);
        return TlsRptReporter.builder()
                .directory(Path.of(p.getDirectory().strip()))
                .organizationName(p.getOrganizationName())
                .contactInfo(p.getContactInfo())
                .submitter(submitter)
                .reportSender(p.getReportSender())
                .relayQueue(queue)
                .interval(p.getInterval())
                .retryFor(p.getRetryFor())
                .sendingMtaIp(p.getSendingMtaIp())
                // the TXT records through the DNS servers the MX look-ups use
                .resolver(MxResolver.resolverFor(c == null ? null : c.getDnsServers(), dnsTimeout))
                .build();
    }

    /** Hands the reporter to the Camel context once it has started (so the queue's endpoint is there): its schedule runs from then. */
    @Bean
    @ConditionalOnBean(TlsRptReporter.class)
    CamelContextConfiguration smtpRelayTlsReporterStart(TlsRptReporter reporter) {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camelContext) {
            }

            @Override
            public void afterApplicationStart(CamelContext camelContext) {
                reporter.setCamelContext(camelContext);
                try {
                    camelContext.addService(reporter, true, true);
                } catch (Exception e) {
                    throw new IllegalStateException("Cannot start the TLS-RPT reporter: " + e.getMessage(), e);
                }
            }
        };
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank();
    }
}
