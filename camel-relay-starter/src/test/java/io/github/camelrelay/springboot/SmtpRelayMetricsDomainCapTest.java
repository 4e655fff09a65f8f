package io.github.camelrelay.springboot;

import java.util.List;

import io.github.camelrelay.smtprelay.mail.MailAddress;
import io.github.camelrelay.smtprelay.report.DeliveryReport;
import io.github.camelrelay.smtprelay.report.Outcome;
import io.github.camelrelay.smtprelay.report.RecipientStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Past the cap, new recipient domains share the tag value "other"; domains seen before keep their own. */
class SmtpRelayMetricsDomainCapTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void domainsPastTheCapAreCountedAsOther() {
        SmtpRelayMetrics metrics = new SmtpRelayMetrics(registry, new DefaultCamelContext(), 2);

        metrics.deliveryCompleted("out", report("a@one.example", "b@two.example", "c@three.example"), 5);
        metrics.deliveryCompleted("out", report("d@four.example", "e@one.example"), 5);

        assertThat(count("one.example")).isEqualTo(2.0);
        assertThat(count("two.example")).isEqualTo(1.0);
        assertThat(count("other")).isEqualTo(2.0);
        assertThat(registry.find(SmtpRelayMetrics.RECIPIENTS).tag("domain", "three.example").counter()).isNull();
        assertThat(registry.find(SmtpRelayMetrics.RECIPIENTS).counters()).hasSize(3);
    }

    @Test
    void negativeCapIsRefused() {
        assertThatThrownBy(() -> new SmtpRelayMetrics(registry, new DefaultCamelContext(), -1))
                .hasMessageContaining("maxDomainTags");
    }

    private double count(String domain) {
        return registry.get(SmtpRelayMetrics.RECIPIENTS).tags("domain", domain, "outcome", "delivered").counter().count();
    }

    private static DeliveryReport report(String... recipients) {
        return DeliveryReport.of(List.of(recipients).stream()
                .map(r -> RecipientStatus.fromReply(MailAddress.of(r), 250, "2.1.5 OK", "relay", "127.0.0.1", 25, false))
                .toList());
    }
}
