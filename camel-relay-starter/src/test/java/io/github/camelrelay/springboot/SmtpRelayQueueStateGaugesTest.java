package io.github.camelrelay.springboot;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import org.apache.camel.util.json.JsonArray;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The queue gauges by state and top destination, from a real embedded Artemis's snapshot, read over real HTTP from
 * /actuator/metrics and /actuator/prometheus: a message deferred by the relay host, one dead-lettered after a 550, and
 * entries another instance queued for two more destinations, one of which falls past the top two into "other".
 */
@SpringBootTest(classes = SmtpRelayQueueStateGaugesTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
                properties = {
                        "spring.artemis.mode=embedded",
                        "spring.artemis.embedded.persistent=true",
                        "camel.smtprelay.relay.enabled=true",
                        "camel.smtprelay.relay.reporting-mta=relay.example.test",
                        "camel.smtprelay.relay.ingress.bind-address=127.0.0.1",
                        "camel.smtprelay.relay.ingress.relay-networks=127.0.0.0/8",
                        "camel.smtprelay.relay.retry.initial-delay=1h",
                        "camel.smtprelay.relay.queue.gauge-refresh=300ms",
                        "camel.smtprelay.relay.queue.gauge-destinations=2",
                        "camel.component.smtprelay.helo-name=relay.example.test",
                        "camel.component.smtprelay.relay-host=127.0.0.1",
                        "camel.component.smtprelay.tls=NONE",
                        "management.endpoints.web.exposure.include=metrics,prometheus" })
class SmtpRelayQueueStateGaugesTest {

    static final TestSmtpServer RELAY_HOST = TestSmtpServer.start("127.0.0.1", 0)
            .rcptReply(rcpt -> rcpt.contains("busy") ? "451 4.2.1 mailbox busy, try later"
                    : rcpt.contains("gone@") ? "550 5.1.1 no such user" : "250 2.1.5 ok");
    static final int SMTP_PORT = TestSmtpServer.freePortOnAll("127.0.0.1");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final long HOUR = 3_600_000;

    @LocalServerPort
    int port;

    @Autowired
    ConnectionFactory connectionFactory;

    @DynamicPropertySource
    static void relay(DynamicPropertyRegistry registry) throws IOException {
        Path data = Files.createTempDirectory("queue-gauges-test");
        registry.add("spring.artemis.embedded.data-directory", () -> data.toString());
        registry.add("camel.smtprelay.relay.ingress.port", () -> SMTP_PORT);
        registry.add("camel.component.smtprelay.relay-port", RELAY_HOST::port);
    }

    @AfterAll
    static void stopRelayHost() {
        RELAY_HOST.close();
    }

    @Test
    void messagesAndRecipientsPerStateAndTopDestinationReachTheActuatorAndPrometheus() throws Exception {
        SmtpSubmission.send(SMTP_PORT, "alice@example.com", "Deferred", "busy1@example.net", "busy2@example.net");
        SmtpSubmission.send(SMTP_PORT, "alice@example.com", "Dead", "gone@example.net");
        // as another instance would: entries due in an hour, for destinations this one never saw, arrived two hours ago
        long arrival = System.currentTimeMillis() - 2 * HOUR;
        queueElsewhere("x-1", "x.example", arrival, "a@x.example", "b@x.example", "c@x.example");
        queueElsewhere("y-1", "y.example", arrival + HOUR, "d@y.example");

        await().atMost(Duration.ofSeconds(30)).until(() -> value("smtprelay.queue.state.messages", "state:deferred") == 3
                && value("smtprelay.queue.state.messages", "state:dead") == 1
                && value("smtprelay.queue.state.messages", "state:active") == 0);
        assertThat(value("smtprelay.queue.state.recipients", "state:deferred")).isEqualTo(6);
        assertThat(value("smtprelay.queue.state.recipients", "state:dead")).isEqualTo(1);
        // the top two by recipients have series of their own, y.example is summed under other
        assertThat(value("smtprelay.queue.destination.recipients", "destination:x.example", "state:deferred")).isEqualTo(3);
        assertThat(value("smtprelay.queue.destination.recipients", "destination:[127.0.0.1]", "state:deferred")).isEqualTo(2);
        assertThat(value("smtprelay.queue.destination.messages", "destination:[127.0.0.1]", "state:dead")).isEqualTo(1);
        assertThat(value("smtprelay.queue.destination.messages", "destination:other", "state:deferred")).isEqualTo(1);
        assertThat(value("smtprelay.queue.deferred.oldest.age")).as("seconds since x-1 arrived").isGreaterThanOrEqualTo(2 * 3600);
        // the per-destination gauges of before keep their name and tags
        assertThat(value("smtprelay.queue.messages", "destination:x.example")).isEqualTo(1);

        String scrape = text("/actuator/prometheus");
        assertThat(scrape).contains("smtprelay_queue_state_messages{state=\"deferred\"} 3.0")
                .contains("smtprelay_queue_state_messages{state=\"dead\"} 1.0")
                .contains("smtprelay_queue_destination_recipients{destination=\"x.example\",state=\"deferred\"} 3.0");
    }

    private void queueElsewhere(String id, String destination, long arrival, String... recipients) {
        try (JMSContext jms = connectionFactory.createContext()) {
            var message = jms.createBytesMessage();
            message.writeBytes("Subject: other\r\n\r\nHello\r\n".getBytes(StandardCharsets.US_ASCII));
            message.setStringProperty("SmtpRelayQueueId", id);
            message.setStringProperty("SmtpRelayEnvelopeFrom", "carol@example.com");
            message.setStringProperty("SmtpRelayRecipients", new JsonArray(java.util.List.of(recipients)).toJson());
            message.setStringProperty("SmtpRelayDestination", destination);
            message.setLongProperty("SmtpRelayArrival", arrival);
            jms.createProducer().setDeliveryDelay(HOUR).send(jms.createQueue("smtprelay.outbound"), message);
        } catch (jakarta.jms.JMSException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A gauge's value from /actuator/metrics; -1 while it has no such series. */
    private double value(String name, String... tags) throws Exception {
        StringBuilder path = new StringBuilder("/actuator/metrics/" + name);
        for (int i = 0; i < tags.length; i++) {
            path.append(i == 0 ? '?' : '&').append("tag=").append(java.net.URLEncoder.encode(tags[i], StandardCharsets.UTF_8));
        }
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 404) {
            return -1;
        }
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonObject metric = (JsonObject) Jsoner.deserialize(response.body());
        return ((JsonArray) metric.get("measurements")).stream().map(JsonObject.class::cast)
                .mapToDouble(m -> ((Number) m.get("value")).doubleValue()).findFirst().orElse(-1);
    }

    private String text(String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }



    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }
}
