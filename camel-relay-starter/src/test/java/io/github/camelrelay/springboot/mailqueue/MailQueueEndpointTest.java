package io.github.camelrelay.springboot.mailqueue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.console.DevConsole;
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
 * The relay's queues read from a real embedded Artemis: a message deferred by its relay host is listed by
 * /actuator/mailqueue, over real HTTP, with its sender, recipient, attempts, next attempt and last reply; the filters
 * narrow the list; and the queue gauges count an entry another instance put on the shared queue.
 */
@SpringBootTest(classes = MailQueueEndpointTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
                properties = {
                        "spring.artemis.mode=embedded",
                        "spring.artemis.embedded.persistent=true",
                        "camel.smtprelay.relay.enabled=true",
                        "camel.smtprelay.relay.reporting-mta=relay.example.test",
                        "camel.smtprelay.relay.ingress.bind-address=127.0.0.1",
                        "camel.smtprelay.relay.ingress.relay-networks=127.0.0.0/8",
                        "camel.smtprelay.relay.retry.initial-delay=1h",
                        "camel.smtprelay.relay.queue.gauge-refresh=500ms",
                        "camel.component.smtprelay.helo-name=relay.example.test",
                        "camel.component.smtprelay.relay-host=127.0.0.1",
                        "camel.component.smtprelay.tls=NONE",
                        "camel.main.dev-console-enabled=true",
                        "management.endpoints.web.exposure.include=mailqueue,camel" })
class MailQueueEndpointTest {

    static final TestSmtpServer RELAY_HOST = TestSmtpServer.start("127.0.0.1", 0)
            .rcptReply(rcpt -> rcpt.contains("busy@") ? "451 4.2.1 mailbox busy, try later" : "250 2.1.5 ok");
    static final int SMTP_PORT = TestSmtpServer.freePortOnAll("127.0.0.1");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @LocalServerPort
    int port;

    @Autowired
    ConnectionFactory connectionFactory;

    @Autowired
    MeterRegistry registry;

    @Autowired
    MailQueueDevConsole devConsole;

    @DynamicPropertySource
    static void relay(DynamicPropertyRegistry registry) throws IOException {
        Path data = Files.createTempDirectory("mailqueue-test");
        registry.add("spring.artemis.embedded.data-directory", () -> data.toString());
        registry.add("camel.smtprelay.relay.ingress.port", () -> SMTP_PORT);
        registry.add("camel.component.smtprelay.relay-port", RELAY_HOST::port);
    }

    @AfterAll
    static void stopRelayHost() {
        RELAY_HOST.close();
    }

    @Test
    @SuppressWarnings("unchecked")
    void aDeferredMessageIsListedWithItsReasonAndTheFiltersNarrowTheList() throws Exception {
        send("alice@example.com", "busy@example.net", "Deferred");

        JsonObject listing = await().atMost(Duration.ofSeconds(30)).until(() -> get("/actuator/mailqueue"),
                l -> busy(l) != null && "DEFERRED".equals(busy(l).get("state")));

        JsonObject entry = busy(listing);
        assertThat(entry.get("sender")).isEqualTo("alice@example.com");
        assertThat((List<Object>) entry.get("recipients")).containsExactly("busy@example.net");
        assertThat(entry.get("destination")).isEqualTo("[127.0.0.1]");
        assertThat(((Number) entry.get("attempts")).intValue()).isEqualTo(1);
        assertThat(entry.get("lastReply").toString()).contains("451 4.2.1 mailbox busy");
        assertThat(entry.get("nextAttempt")).as("an hour from now, the retry schedule's first delay").isNotNull();
        assertThat(((Number) entry.get("size")).longValue()).isPositive();
        assertThat(entry.get("queueId").toString()).isNotBlank();
        assertThat(((JsonObject) listing.get("destinations")).get("[127.0.0.1]").toString())
                .as("this entry, and the console test's when it ran first").containsPattern("DEFERRED=[12]\\b");

        assertThat((JsonArray) get("/actuator/mailqueue?state=deferred&recipient=BUSY@example.NET").get("entries")).hasSize(1);
        assertThat((JsonArray) get("/actuator/mailqueue?state=active").get("entries")).isEmpty();
        assertThat((JsonArray) get("/actuator/mailqueue?sender=bob@").get("entries")).isEmpty();
        assertThat((JsonArray) get("/actuator/mailqueue?olderThan=1h").get("entries")).isEmpty();
        assertThat((JsonArray) get("/actuator/mailqueue?destination=other.example").get("entries")).isEmpty();
    }

    @Test
    void theCamelDevConsoleShowsTheQueue() throws Exception {
        send("carol@example.com", "console.busy@example.org", "Deferred for the console");

        JsonObject consoles = await().atMost(Duration.ofSeconds(30)).until(() -> get("/actuator/camel/mailqueue"),
                c -> c.get("mailqueue") != null && c.get("mailqueue").toString().contains("console.busy@example.org")
                     && c.get("mailqueue").toString().contains("DEFERRED"));

        JsonObject console = (JsonObject) consoles.get("mailqueue");
        JsonObject entry = ((JsonArray) console.get("entries")).stream().map(JsonObject.class::cast)
                .filter(e -> ((List<?>) e.get("recipients")).contains("console.busy@example.org")).findFirst().orElseThrow();
        assertThat(entry.get("sender")).isEqualTo("carol@example.com");
        assertThat(entry.get("state")).isEqualTo("DEFERRED");
        assertThat(entry.get("lastReply").toString()).contains("451 4.2.1 mailbox busy");
        assertThat(((JsonObject) console.get("destinations")).get("[127.0.0.1]").toString()).contains("DEFERRED");
        assertThat(get("/actuator/camel").toString()).as("listed among the consoles").contains("mailqueue");
        assertThat(devConsole.call(DevConsole.MediaType.TEXT, java.util.Map.of()).toString()).as("mailq's listing")
                .contains("-Queue ID-").contains("carol@example.com").contains("451 4.2.1 mailbox busy")
                .contains("console.busy@example.org");
    }

    @Test
    void theQueueGaugesCountWhatAnotherInstancePutOnTheSharedQueue() throws Exception {
        // as another relay instance would: an entry for a destination this one never queued, due in an hour
        try (JMSContext jms = connectionFactory.createContext()) {
            var message = jms.createBytesMessage();
            message.writeBytes("Subject: other\r\n\r\nHello\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            message.setStringProperty("SmtpRelayEnvelopeFrom", "carol@example.com");
            message.setStringProperty("SmtpRelayRecipients", "[\"dave@elsewhere.example\"]");
            message.setStringProperty("SmtpRelayDestination", "elsewhere.example");
            message.setLongProperty("SmtpRelayArrival", System.currentTimeMillis());
            jms.createProducer().setDeliveryDelay(3_600_000).send(jms.createQueue("smtprelay.outbound"), message);
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> registry.find("smtprelay.queue.messages")
                .tag("destination", "elsewhere.example").gauge() != null
                && registry.find("smtprelay.queue.messages").tag("destination", "elsewhere.example").gauge().value() == 1);
    }

    /** The entry of the message to busy@example.net; the other test's entry may be on the queue too. */
    private static JsonObject busy(JsonObject listing) {
        return ((JsonArray) listing.get("entries")).stream().map(JsonObject.class::cast)
                .filter(e -> e.get("recipients").toString().contains("busy@example.net")).findFirst().orElse(null);
    }

    private static void send(String from, String to, String subject) throws Exception {
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(SMTP_PORT));
        MimeMessage message = new MimeMessage(Session.getInstance(props));
        message.setFrom(new InternetAddress(from));
        message.addRecipient(Message.RecipientType.TO, new InternetAddress(to));
        message.setSubject(subject);
        message.setText("Hello");
        Transport.send(message);
    }

    private JsonObject get(String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return (JsonObject) Jsoner.deserialize(response.body());
    }


    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }
}
