package io.github.camelrelay.springboot.events;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import io.github.camelrelay.springboot.SmtpSubmission;
import org.apache.camel.util.json.JsonArray;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The delivery event stream on a real embedded Artemis, to a webhook on a real HTTP server on loopback: while the
 * webhook hangs and then fails, mail keeps flowing (delivered, deferred, bounced and the bounce itself delivered);
 * once it recovers, every recipient's event arrives, in JSON arrays, with its queue id, Message-ID, reply and attempts.
 */
@SpringBootTest(classes = DeliveryEventsTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.artemis.mode=embedded",
        "spring.artemis.embedded.persistent=true",
        "camel.smtprelay.relay.enabled=true",
        "camel.smtprelay.relay.reporting-mta=relay.example.test",
        "camel.smtprelay.relay.ingress.bind-address=127.0.0.1",
        "camel.smtprelay.relay.ingress.relay-networks=127.0.0.0/8",
        "camel.smtprelay.relay.retry.initial-delay=1h",
        "camel.smtprelay.relay.events.batch-wait=300ms",
        "camel.smtprelay.relay.events.max-retry-delay=200ms",
        "camel.component.smtprelay.helo-name=relay.example.test",
        "camel.component.smtprelay.relay-host=127.0.0.1",
        "camel.component.smtprelay.tls=NONE" })
class DeliveryEventsTest {

    static final TestSmtpServer RELAY_HOST = TestSmtpServer.start("127.0.0.1", 0)
            .rcptReply(rcpt -> rcpt.contains("busy@") ? "451 4.2.1 mailbox busy, try later"
                    : rcpt.contains("gone@") ? "550 5.1.1 no such user" : "250 2.1.5 ok");
    static final int SMTP_PORT = TestSmtpServer.freePortOnAll("127.0.0.1");
    static final Webhook HOOK = new Webhook();

    @DynamicPropertySource
    static void relay(DynamicPropertyRegistry registry) throws IOException {
        Path data = Files.createTempDirectory("events-test");
        registry.add("spring.artemis.embedded.data-directory", () -> data.toString());
        registry.add("camel.smtprelay.relay.ingress.port", () -> SMTP_PORT);
        registry.add("camel.component.smtprelay.relay-port", RELAY_HOST::port);
        registry.add("camel.smtprelay.relay.events.uri", () -> "http://127.0.0.1:" + HOOK.port() + "/hook");
    }

    @AfterAll
    static void stopServers() {
        HOOK.close();
        RELAY_HOST.close();
    }

    @Test
    void mailFlowsWhileTheWebhookHangsAndFailsAndEveryOutcomeArrivesOnceItRecovers() throws Exception {
        SmtpSubmission.send(SMTP_PORT, "alice@example.com", "Delivered", "ok@example.net");
        SmtpSubmission.send(SMTP_PORT, "alice@example.com", "Deferred", "busy@example.net");
        SmtpSubmission.send(SMTP_PORT, "alice@example.com", "Bounced", "gone@example.net");

        // the webhook holds the first batch and answers nothing, yet the relay delivers, defers and bounces
        await().atMost(Duration.ofSeconds(30)).until(() -> HOOK.hanging.get() == 1);
        List<TestSmtpServer.Received> got = RELAY_HOST.awaitMessages(2, Duration.ofSeconds(30));
        assertThat(got).extracting(TestSmtpServer.Received::recipients)
                .containsExactlyInAnyOrder(List.of("ok@example.net"), List.of("alice@example.com"));
        assertThat(HOOK.events).isEmpty();

        // then it fails for a while (503), then recovers
        HOOK.failuresLeft.set(3);
        HOOK.release.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> HOOK.events.size() >= 4);

        assertThat(HOOK.failuresLeft.get()).isZero();
        assertThat(HOOK.events).extracting(e -> e.get("type") + " " + e.get("recipient")).containsExactlyInAnyOrder(
                "delivered ok@example.net", "deferred busy@example.net", "bounced gone@example.net",
                "delivered alice@example.com");
        JsonObject deferred = event("busy@example.net");
        JsonObject reply = (JsonObject) deferred.get("reply");
        assertThat(((Number) reply.get("code")).intValue()).isEqualTo(451);
        assertThat(reply.get("status")).isEqualTo("4.2.1");
        assertThat(reply.get("text").toString()).contains("mailbox busy");
        assertThat(reply.get("tlsPolicy")).as("the delivery log's tls= word: tls=NONE, plain text").isEqualTo("no");
        assertThat(deferred.get("sender")).isEqualTo("alice@example.com");
        assertThat(deferred.get("destination")).isEqualTo("[127.0.0.1]");
        assertThat(((Number) deferred.get("attempts")).intValue()).isEqualTo(1);
        assertThat(deferred.get("nextAttempt")).as("the retry schedule's first delay").isNotNull();
        assertThat(deferred.get("queueId").toString()).isNotBlank();
        assertThat(deferred.get("messageId").toString()).contains("@");
        assertThat(deferred.get("arrival")).isNotNull();
        JsonObject bounced = event("gone@example.net");
        assertThat(((Number) ((JsonObject) bounced.get("reply")).get("code")).intValue()).isEqualTo(550);
        assertThat(bounced.get("nextAttempt")).isNull();
        assertThat(HOOK.contentTypes).allMatch(t -> t.startsWith("application/json"));
    }

    private static JsonObject event(String recipient) {
        return HOOK.events.stream().filter(e -> recipient.equals(e.get("recipient"))).findFirst().orElseThrow();
    }



    /** A webhook that hangs on its first request until released, then answers 503 failuresLeft times, then 204. */
    static final class Webhook {

        final AtomicInteger hanging = new AtomicInteger();
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger failuresLeft = new AtomicInteger();
        final List<JsonObject> events = new CopyOnWriteArrayList<>();
        final List<String> contentTypes = new CopyOnWriteArrayList<>();
        private final HttpServer server;

        Webhook() {
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
            server.createContext("/hook", exchange -> {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                if (hanging.compareAndSet(0, 1)) {
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                int status = 204;
                if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0 || release.getCount() > 0) {
                    status = 503;
                } else {
                    contentTypes.add(String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")));
                    try {
                        for (Object o : (JsonArray) Jsoner.deserialize(body)) {
                            events.add((JsonObject) o);
                        }
                    } catch (Exception e) {
                        status = 400;
                    }
                }
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
            });
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        void close() {
            release.countDown();
            server.stop(0);
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }
}
