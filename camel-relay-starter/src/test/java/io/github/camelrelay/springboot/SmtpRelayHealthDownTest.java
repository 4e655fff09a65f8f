package io.github.camelrelay.springboot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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

/**
 * /actuator/health goes DOWN (HTTP 503) when a relay host does not answer, or answers with something other than a
 * 220 greeting, and names the endpoint. Camel's default exposure level lists exactly the checks that are DOWN.
 */
@SpringBootTest(classes = SmtpRelayHealthDownTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
                properties = {
                        "camel.health.producers-enabled=true",
                        "management.endpoint.health.show-details=always",
                        // what docs/starter.md recommends: a relay host that is down makes the application not ready
                        "management.endpoint.health.probes.enabled=true",
                        "management.endpoint.health.group.readiness.include=readinessState,camelReadinessState",
                        "camel.component.smtprelay.helo-name=starter.test",
                        "camel.component.smtprelay.relay-host=127.0.0.1" })
class SmtpRelayHealthDownTest {

    static final int CLOSED_PORT = closedPort();
    static final TestSmtpServer BUSY = TestSmtpServer.start("127.0.0.1", 0).greeting("554 5.3.2 not accepting mail");

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void relay(DynamicPropertyRegistry registry) {
        registry.add("camel.component.smtprelay.relay-port", () -> CLOSED_PORT);
        registry.add("busy.port", BUSY::port);
    }

    @AfterAll
    static void stopRelay() {
        BUSY.close();
    }

    @Test
    void downWhenNothingListensOrTheGreetingIsNot220() {
        ActuatorHealth health = await().atMost(Duration.ofSeconds(20))
                .until(() -> ActuatorHealth.get(port), h -> h.camelDetails().containsKey("producer:smtprelay-unreachable")
                        && h.camelDetails().containsKey("producer:smtprelay-busy"));

        assertThat(health.status()).as(health.toString()).isEqualTo("DOWN");
        assertThat(health.httpStatus()).isEqualTo(503);
        assertThat(health.camelDetails())
                .containsEntry("producer:smtprelay-unreachable", "DOWN")
                .containsEntry("producer:smtprelay-busy", "DOWN");
        // the reason (unreachable, greeting) is the check's message, which camel-spring-boot does not show: the
        // data shows which relay each check probed
        assertThat(health.camelDetails().get("producer:smtprelay-unreachable.data").toString())
                .contains("relay=127.0.0.1:" + CLOSED_PORT);
        assertThat(health.camelDetails().get("producer:smtprelay-busy.data").toString())
                .contains("relay=127.0.0.1:" + BUSY.port());
        assertThat(BUSY.connections()).as("the probe reached the server that greets with 554").isPositive();
    }

    @Test
    void notReadyButStillLive() {
        // a dead relay host takes the application out of rotation; restarting it would not bring the relay back
        assertThat(ActuatorHealth.get(port, "/actuator/health/readiness").httpStatus()).isEqualTo(503);
        assertThat(ActuatorHealth.get(port, "/actuator/health/liveness").httpStatus()).isEqualTo(200);
    }

    /** A loopback port nobody listens on: bound once to get a free number, then released. */
    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @Bean
        RouteBuilder outboundMail() {
            return new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:unreachable").to("smtprelay:unreachable");
                    from("direct:busy").to("smtprelay:busy?relayPort={{busy.port}}");
                }
            };
        }
    }
}
