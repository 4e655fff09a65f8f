package io.github.camelrelay.springboot.mailqueue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import com.sun.net.httpserver.HttpServer;
import io.github.camelrelay.smtprelay.relay.SmtpRelayRoutes;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.util.json.JsonArray;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
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
 * The operator's actions through POST /actuator/mailqueue, over real HTTP, on a real embedded Artemis with mail
 * deferred by a real SMTP relay host: hold and release, flush, delete with a bounce, bounce now, requeue from the dead
 * letters with the delivered recipient left alone, and a flush and a delete that race with a delivery in progress; the
 * held, deleted and bounced events reach a webhook.
 */
@SpringBootTest(classes = MailQueueOperationsTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
                properties = {
                        "spring.artemis.mode=embedded",
                        "spring.artemis.embedded.persistent=true",
                        "camel.smtprelay.relay.enabled=true",
                        "camel.smtprelay.relay.reporting-mta=relay.example.test",
                        "camel.smtprelay.relay.ingress.bind-address=127.0.0.1",
                        "camel.smtprelay.relay.ingress.relay-networks=127.0.0.0/8",
                        "camel.smtprelay.relay.retry.initial-delay=1h",
                        "camel.smtprelay.relay.events.batch-wait=200ms",
                        "camel.component.smtprelay.helo-name=relay.example.test",
                        "camel.component.smtprelay.relay-host=127.0.0.1",
                        "camel.component.smtprelay.tls=NONE",
                        "management.endpoints.web.exposure.include=mailqueue" })
class MailQueueOperationsTest {

    /** Recipients the relay host accepts; the others get 451, and refused@ 550. */
    static final Set<String> ACCEPTED = ConcurrentHashMap.newKeySet();
    static volatile Function<Integer, String> dataReply = n -> "250 2.0.0 ok";

    static final TestSmtpServer RELAY_HOST = TestSmtpServer.start("127.0.0.1", 0)
            .rcptReply(MailQueueOperationsTest::rcptReply)
            .dataReply(n -> dataReply.apply(n));
    static final int SMTP_PORT = TestSmtpServer.freePortOnAll("127.0.0.1");
    /** The delivery events webhook: every event's type and recipient, as "held x@example.net". */
    static final List<String> EVENTS = new CopyOnWriteArrayList<>();
    static final HttpServer WEBHOOK = webhook();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @LocalServerPort
    int port;

    @Autowired
    MailQueue mailQueue;

    @Autowired
    MailQueueOperations operations;

    @Autowired
    SmtpRelayRoutes routes;

    @DynamicPropertySource
    static void relay(DynamicPropertyRegistry registry) throws IOException {
        Path data = Files.createTempDirectory("mailqueue-ops-test");
        registry.add("spring.artemis.embedded.data-directory", () -> data.resolve("artemis").toString());
        registry.add("camel.smtprelay.relay.settled.file", () -> data.resolve("settled.txt").toString());
        registry.add("camel.smtprelay.relay.ingress.port", () -> SMTP_PORT);
        registry.add("camel.component.smtprelay.relay-port", RELAY_HOST::port);
        registry.add("camel.smtprelay.relay.events.uri", () -> "http://127.0.0.1:" + WEBHOOK.getAddress().getPort() + "/hook");
    }

    private static HttpServer webhook() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
            server.createContext("/hook", exchange -> {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                int status = 204;
                try {
                    for (Object o : (JsonArray) Jsoner.deserialize(body)) {
                        JsonObject event = (JsonObject) o;
                        EVENTS.add(event.get("type") + " " + event.get("recipient"));
                    }
                } catch (Exception e) {
                    status = 400;
                }
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String rcptReply(String rcpt) {
        String address = rcpt.replaceAll("(?i)^.*<([^>]*)>.*$", "$1").toLowerCase(java.util.Locale.ROOT);
        if (ACCEPTED.contains(address) || address.endsWith("@example.com")) {
            // the senders' domain takes the bounces
            return "250 2.1.5 ok";
        }
        return address.startsWith("refused@") ? "550 5.1.1 no such user" : "451 4.2.1 mailbox busy, try later";
    }

    @AfterEach
    void restore() {
        dataReply = n -> "250 2.0.0 ok";
        operations.onWaiting(() -> { });
    }

    @AfterAll
    static void stopRelayHost() {
        RELAY_HOST.close();
        WEBHOOK.stop(0);
    }

    @Test
    void aHeldMessageIsNotDeliveredUntilReleased() throws Exception {
        send("hold-sender@example.com", "held@example.net");
        JsonObject deferred = awaitEntry("held@example.net", "DEFERRED");

        JsonObject held = post("{\"action\":\"hold\",\"sender\":\"HOLD-sender@example.com\"}");
        assertThat(count(held)).isEqualTo(1);
        assertThat(held.get("by")).isEqualTo("anonymous");
        assertThat((JsonArray) held.get("ids")).containsExactly(deferred.get("queueId"));
        awaitEntry("held@example.net", "HELD");
        await().atMost(Duration.ofSeconds(30)).until(() -> EVENTS.contains("held held@example.net"));

        ACCEPTED.add("held@example.net");
        JsonObject flushed = post("{\"action\":\"flush\",\"id\":\"" + deferred.get("queueId") + "\"}");
        assertThat(count(flushed)).as("a held entry is not flushed").isEqualTo(0);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> received("held@example.net") == 0);
        assertThat(entry("held@example.net").get("state")).isEqualTo("HELD");

        JsonObject released = post("{\"action\":\"release\",\"id\":\"" + deferred.get("queueId") + "\"}");
        assertThat(count(released)).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> received("held@example.net") == 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> entry("held@example.net") == null);
        await().atMost(Duration.ofSeconds(30)).until(() -> EVENTS.contains("delivered held@example.net"));
    }

    @Test
    void aFlushDeliversADeferredMessageNow() throws Exception {
        send("flush-sender@example.com", "later@example.net");
        JsonObject deferred = awaitEntry("later@example.net", "DEFERRED");
        assertThat(deferred.get("nextAttempt")).as("due in an hour").isNotNull();

        ACCEPTED.add("later@example.net");
        JsonObject flushed = post("{\"action\":\"flush\",\"destination\":\"[127.0.0.1]\"}");
        assertThat(count(flushed)).isGreaterThanOrEqualTo(1);
        assertThat((JsonArray) flushed.get("ids")).contains(deferred.get("queueId"));
        await().atMost(Duration.ofSeconds(30)).until(() -> received("later@example.net") == 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> entry("later@example.net") == null);
    }

    @Test
    void aDeleteWithBounceRemovesTheMessageAndTellsTheSender() throws Exception {
        send("delete-sender@example.com", "gone@example.net");
        JsonObject deferred = awaitEntry("gone@example.net", "DEFERRED");

        JsonObject deleted = post("{\"action\":\"delete\",\"id\":\"" + deferred.get("queueId") + "\",\"bounce\":true}");
        assertThat(count(deleted)).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> entry("gone@example.net") == null);
        TestSmtpServer.Received bounce = await().atMost(Duration.ofSeconds(30)).until(
                () -> firstTo("delete-sender@example.com"), r -> r != null);
        assertThat(bounce.mailFrom()).isEmpty();
        assertThat(bounce.text()).contains("gone@example.net").contains("deleted by the mail administrator");
        assertThat(received("gone@example.net")).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> EVENTS.contains("deleted gone@example.net"));
    }

    @Test
    void aBounceNowReturnsTheMessageAndDeadLettersIt() throws Exception {
        send("bounce-sender@example.com", "returned@example.net");
        JsonObject deferred = awaitEntry("returned@example.net", "DEFERRED");

        JsonObject bounced = post("{\"action\":\"bounce\",\"id\":\"" + deferred.get("queueId") + "\"}");
        assertThat(count(bounced)).isEqualTo(1);
        JsonObject dead = awaitEntry("returned@example.net", "DEAD");
        assertThat(dead.get("lastReply").toString()).contains("returned to sender by the mail administrator");
        TestSmtpServer.Received bounce = await().atMost(Duration.ofSeconds(30)).until(
                () -> firstTo("bounce-sender@example.com"), r -> r != null);
        assertThat(bounce.text()).contains("returned@example.net");
        await().atMost(Duration.ofSeconds(30)).until(() -> EVENTS.contains("bounced returned@example.net"));
    }

    @Test
    void aRequeuedDeadLetterIsDeliveredWithItsDeliveredRecipientLeftAlone() throws Exception {
        // accepted before the message is sent: set afterwards, the first attempt could already have deferred it
        ACCEPTED.add("kept@example.net");
        send("requeue-sender@example.com", "kept@example.net", "refused@example.net");
        JsonObject dead = awaitEntry("refused@example.net", "DEAD");
        assertThat(received("kept@example.net")).isEqualTo(1);

        ACCEPTED.add("refused@example.net");
        JsonObject requeued = post("{\"action\":\"requeue\",\"id\":\"" + dead.get("queueId") + "\"}");
        assertThat(count(requeued)).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> received("refused@example.net") == 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> entry("refused@example.net") == null);
        assertThat(received("kept@example.net")).as("settled: not sent again").isEqualTo(1);
    }

    @Test
    void aFlushRacingWithADeliveryRetriesOnceItEnds() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        String id = heldInDelivery("racing-flush@example.net", gate, true);
        // the delivery ends (with a deferral) once the flush has seen it in progress
        operations.onWaiting(gate::countDown);

        JsonObject flushed = post("{\"action\":\"flush\",\"id\":\"" + id + "\"}");

        assertThat((JsonArray) flushed.get("inDelivery")).containsExactly(id);
        await().atMost(Duration.ofSeconds(30)).until(() -> received("racing-flush@example.net") == 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> entry("racing-flush@example.net") == null);
        assertThat(received("racing-flush@example.net")).as("delivered once").isEqualTo(1);
    }

    @Test
    void aFlushThatDoesNotWaitIsObeyedByTheRetryTheDeliveryQueues() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        String id = heldInDelivery("impatient-flush@example.net", gate, true);
        // no wait: only the order the routes read when they queue the retry can make it due before its hour
        MailQueueOperations impatient = new MailQueueOperations(mailQueue, routes::operatorRecord, Duration.ZERO, Clock.systemUTC());

        MailQueueOperations.Result flushed = impatient.perform(MailQueueOperations.Action.FLUSH,
                new MailQueueOperations.Selection(id, null, null), false, "test");
        gate.countDown();

        assertThat(flushed.inDelivery()).containsExactly(id);
        await().atMost(Duration.ofSeconds(30)).until(() -> received("impatient-flush@example.net") == 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> entry("impatient-flush@example.net") == null);
        assertThat(received("impatient-flush@example.net")).as("delivered once").isEqualTo(1);
    }

    @Test
    void aDeleteRacingWithADeliveryDropsTheRetryTheDeliveryWouldQueue() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        String id = heldInDelivery("racing-delete@example.net", gate, false);
        // no wait: only the routes' own look at the order, when the delivery queues its retry, can delete it
        MailQueueOperations impatient = new MailQueueOperations(mailQueue, routes::operatorRecord, Duration.ZERO, Clock.systemUTC());

        MailQueueOperations.Result deleted = impatient.perform(MailQueueOperations.Action.DELETE,
                new MailQueueOperations.Selection(id, null, null), false, "test");
        gate.countDown();

        assertThat(deleted.inDelivery()).containsExactly(id);
        await().atMost(Duration.ofSeconds(30)).until(() -> RELAY_HOST.commands().stream().filter(c -> c.startsWith("DATA")).count() >= 1
                && entry("racing-delete@example.net") == null);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> entry("racing-delete@example.net") == null);
        assertThat(received("racing-delete@example.net")).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> EVENTS.contains("deleted racing-delete@example.net"));
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Sends a message to the recipient and holds its delivery at the final dot until the gate opens; that attempt is
     * then deferred (451), and a later one accepted when {@code thenAccept}. Returns the entry's queue id.
     */
    private String heldInDelivery(String recipient, CountDownLatch gate, boolean thenAccept) throws Exception {
        CountDownLatch inDelivery = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        dataReply = n -> {
            inDelivery.countDown();
            pass(gate);
            return first.getAndSet(false) || !thenAccept ? "451 4.3.0 try again later" : "250 2.0.0 ok";
        };
        ACCEPTED.add(recipient);
        send("race-sender@example.com", recipient);
        await().atMost(Duration.ofSeconds(30)).until(() -> inDelivery.getCount() == 0);
        return entry(recipient).get("queueId").toString();
    }

    private static void pass(CountDownLatch gate) {
        try {
            if (!gate.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never opened the gate");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int count(JsonObject result) {
        return ((Number) result.get("count")).intValue();
    }

    private static long received(String recipient) {
        return RELAY_HOST.messages().stream().filter(m -> m.recipients().contains(recipient)).count();
    }

    private static TestSmtpServer.Received firstTo(String recipient) {
        return RELAY_HOST.messages().stream().filter(m -> m.recipients().contains(recipient)).findFirst().orElse(null);
    }

    private JsonObject awaitEntry(String recipient, String state) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> entry(recipient), e -> e != null && state.equals(e.get("state")));
    }

    private JsonObject entry(String recipient) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/actuator/mailqueue?recipient=" + recipient)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonArray entries = (JsonArray) ((JsonObject) Jsoner.deserialize(response.body())).get("entries");
        return entries.isEmpty() ? null : (JsonObject) entries.get(0);
    }

    private JsonObject post(String json) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/mailqueue"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return (JsonObject) Jsoner.deserialize(response.body());
    }

    private static void send(String from, String... to) throws Exception {
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(SMTP_PORT));
        MimeMessage message = new MimeMessage(Session.getInstance(props));
        message.setFrom(new InternetAddress(from));
        for (String t : to) {
            message.addRecipient(Message.RecipientType.TO, new InternetAddress(t));
        }
        message.setSubject("Operations");
        message.setText("Hello");
        Transport.send(message);
    }


    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }
}
