package io.github.camelrelay.springboot;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.camelrelay.smtprelay.SmtpRelayListener;
import io.github.camelrelay.smtprelay.report.DeliveryReport;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One message to three recipients through a real relay on loopback: accepted, rejected with 550, deferred with 451.
 * The registry is the one Spring Boot's actuator configures, so this also proves the auto-configuration order.
 */
@SpringBootTest(classes = SmtpRelayMetricsTest.App.class, properties = {
        "camel.component.smtprelay.helo-name=starter.test",
        "camel.component.smtprelay.relay-host=127.0.0.1",
        // Prometheus's registry is on the test classpath for the queue gauges' scrape; this one checks Boot's default
        "management.prometheus.metrics.export.enabled=false" })
class SmtpRelayMetricsTest {

    static final TestSmtpServer RELAY = TestSmtpServer.start("127.0.0.1", 0).rcptReply(address -> switch (address) {
        case "rejected@example.com" -> "550 5.1.1 no such user";
        case "later@other.example" -> "451 4.7.1 greylisted, try again later";
        default -> "250 2.1.5 OK";
    });

    @Autowired
    MeterRegistry registry;

    @Autowired
    ProducerTemplate template;

    @Autowired
    RecordingListener ownListener;

    @DynamicPropertySource
    static void relay(DynamicPropertyRegistry registry) {
        registry.add("camel.component.smtprelay.relay-port", RELAY::port);
    }

    @AfterAll
    static void stopRelay() {
        RELAY.close();
    }

    @Test
    void countsRecipientsByOutcomeAndDomainAndTimesTheAttempt() {
        assertThat(registry).as("the registry Spring Boot configured").isInstanceOf(SimpleMeterRegistry.class);

        Exchange exchange = template.send("direct:mail", e -> {
            e.getMessage().setHeader("From", "app@sender.example");
            e.getMessage().setHeader("To", "ok@example.com, rejected@example.com, later@other.example");
            e.getMessage().setHeader("Subject", "metrics");
            e.getMessage().setBody("hello");
        });

        assertThat(RELAY.awaitMessage(Duration.ofSeconds(10)).recipients()).containsExactly("ok@example.com");
        assertThat(exchange.getException()).as("the deferred recipient fails the exchange for a retry").isNotNull();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(recipients("delivered", "example.com")).isEqualTo(1.0);
            assertThat(recipients("failed", "example.com")).isEqualTo(1.0);
            assertThat(recipients("deferred", "other.example")).isEqualTo(1.0);
        });
        assertThat(recipients("delivered", "other.example")).isZero();
        assertThat(recipients("deferred", "example.com")).isZero();

        Timer timer = registry.get(SmtpRelayMetrics.DELIVERY).tag("endpoint", "outbound").timer();
        assertThat(timer.count()).isEqualTo(1);
        assertThat(timer.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();

        // the connection went back to the pool after the transaction, where it waits for reuse
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(connections("idle")).isEqualTo(1.0);
            assertThat(connections("active")).isZero();
        });

        // the application's own listener bean is called as well: the metrics do not take its place
        assertThat(ownListener.reports).hasSize(1);
        assertThat(ownListener.reports.get(0).statuses()).hasSize(3);
    }

    private double recipients(String outcome, String domain) {
        Counter counter = registry.find(SmtpRelayMetrics.RECIPIENTS)
                .tags("endpoint", "outbound", "outcome", outcome, "domain", domain).counter();
        return counter == null ? 0 : counter.count();
    }

    private double connections(String state) {
        Gauge gauge = registry.get(SmtpRelayMetrics.CONNECTIONS).tags("endpoint", "outbound", "state", state).gauge();
        return gauge.value();
    }

    /** A listener the application registers for its own purposes, as a bean. */
    static class RecordingListener implements SmtpRelayListener {
        final List<DeliveryReport> reports = new CopyOnWriteArrayList<>();

        @Override
        public void deliveryCompleted(String endpoint, DeliveryReport report, long elapsedMillis) {
            reports.add(report);
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @Bean
        RecordingListener ownListener() {
            return new RecordingListener();
        }

        @Bean
        RouteBuilder outboundMail() {
            return new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:mail").routeId("mail").to("smtprelay:outbound");
                }
            };
        }
    }
}
