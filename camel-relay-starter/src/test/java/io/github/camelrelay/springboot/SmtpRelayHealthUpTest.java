package io.github.camelrelay.springboot;

import java.time.Duration;

import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The producer's health check is part of Spring's /actuator/health, UP while the relay host greets with 220. */
@SpringBootTest(classes = SmtpRelayHealthUpTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
                properties = {
                        "camel.health.producers-enabled=true",
                        // Camel's default exposure lists only the checks that are DOWN; full lists every check
                        "camel.health.exposure-level=full",
                        "management.endpoint.health.show-details=always",
                        "camel.component.smtprelay.helo-name=starter.test" })
class SmtpRelayHealthUpTest {

    static final TestSmtpServer RELAY = TestSmtpServer.start("127.0.0.1", 0);

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void relay(DynamicPropertyRegistry registry) {
        registry.add("camel.component.smtprelay.relay-host", RELAY::host);
        registry.add("camel.component.smtprelay.relay-port", RELAY::port);
    }

    @AfterAll
    static void stopRelay() {
        RELAY.close();
    }

    @Test
    void upWhenTheRelayHostGreets() {
        ActuatorHealth health = await().atMost(Duration.ofSeconds(20))
                .until(() -> ActuatorHealth.get(port), h -> h.camelDetails().containsKey("producer:smtprelay-outbound"));

        assertThat(health.camelDetails()).as(health.toString()).containsEntry("producer:smtprelay-outbound", "UP");
        assertThat(health.status()).as(health.toString()).isEqualTo("UP");
        assertThat(health.httpStatus()).isEqualTo(200);
        // the check's own details: it probed the relay host from the properties
        assertThat(health.camelDetails().get("producer:smtprelay-outbound.data").toString())
                .contains("relay=" + RELAY.host() + ":" + RELAY.port());
        assertThat(RELAY.connections()).as("connections the health probe made to the relay host").isPositive();
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

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
