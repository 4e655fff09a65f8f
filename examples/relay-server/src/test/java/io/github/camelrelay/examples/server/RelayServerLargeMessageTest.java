package io.github.camelrelay.examples.server;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.camelrelay.examples.server.testsupport.RelayServers;
import io.github.camelrelay.examples.server.testsupport.SmtpSubmission;
import io.github.camelrelay.smtprelay.testsupport.TestDnsServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import org.apache.camel.Processor;
import org.apache.camel.StreamCache;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A message of several MiB through the relay server: SMTP in, the embedded Artemis, a deferral, the retry through the
 * queue, delivery. It arrives byte for byte as it was sent, and it reaches the delivery route as a stream cache
 * spooled to disk (an Artemis large message streamed into it), not as a byte array in the heap. How much heap that
 * saves is measured by bench/run-large.sh, not here.
 */
class RelayServerLargeMessageTest {

    private static final int SIZE = 8 * 1024 * 1024;

    /** The form of the body the enrichment hook saw, one entry per run of the hook. */
    static final List<String> BODIES = new CopyOnWriteArrayList<>();

    @TempDir
    Path dir;

    private TestSmtpServer mx;
    private TestDnsServer dns;
    private ConfigurableApplicationContext relay;

    @AfterEach
    void stop() throws Exception {
        RelayServers.closeAll(relay, mx, dns);
    }

    /** Bean source: the enrichment hook, which runs first on the delivery side and only records the body's form. */
    static class ProbeBeans {
        @Bean
        Processor largeMessageProbe() {
            return exchange -> {
                Object body = exchange.getMessage().getBody();
                BODIES.add(body instanceof StreamCache cache
                        ? (cache.inMemory() ? "stream cache in memory" : "stream cache spooled to disk")
                        : body == null ? "no body" : body.getClass().getSimpleName());
            };
        }
    }

    @Test
    void anEightMebibyteMessageIsStreamedThroughTheBrokerAndItsRetryAndDeliveredUnchanged() throws Exception {
        int mxPort = TestSmtpServer.freePortOnAll("127.0.0.6");
        // the first attempt is deferred, so the message goes back through the queue once more
        mx = TestSmtpServer.start("127.0.0.6", mxPort).dataReply(n -> n < 2 ? "451 4.3.0 try again later" : "250 2.0.0 queued as L" + n);
        dns = TestDnsServer.start().mx("big.test", 10, "mx.big.test").a("mx.big.test", "127.0.0.6");
        int smtpPort = RelayServers.freePort();
        Map<String, String> p = RelayServers.testProperties("large-message-test", dir.resolve("artemis"), smtpPort, dns, mxPort);
        p.put("camel.smtprelay.relay.enrichment.hook", "largeMessageProbe");
        relay = RelayServers.start(p, ProbeBeans.class);

        String message = message(SIZE);
        assertThat(SmtpSubmission.send(smtpPort, "alice@sender.test", List.of("bob@big.test"), message)).startsWith("250");

        Received got = mx.awaitMessage(Duration.ofSeconds(60));
        assertThat(got.recipients()).containsExactly("bob@big.test");
        byte[] sent = message.getBytes(StandardCharsets.US_ASCII);
        byte[] delivered = got.data();
        // the relay puts header fields above the message (Received, Message-ID, Date); below them it is unchanged
        assertThat(delivered.length).isGreaterThan(sent.length);
        assertThat(sha256(delivered, delivered.length - sent.length, sent.length)).as("SHA-256 of the delivered message's last %d octets", sent.length)
                .isEqualTo(sha256(sent, 0, sent.length));
        assertThat(new String(delivered, 0, delivered.length - sent.length, StandardCharsets.US_ASCII))
                .contains("Message-ID: <").doesNotContain("\r\n\r\n");
        // enrichment runs once, on the first attempt; the retry is the enriched message, streamed the same way
        assertThat(BODIES).containsExactly("stream cache spooled to disk");
    }

    /** From, To and Subject (Message-ID and Date are left to the relay), then base64-like lines of 76 characters. */
    private static String message(int size) {
        StringBuilder m = new StringBuilder(size + 100)
                .append("From: Alice <alice@sender.test>\r\nTo: bob@big.test\r\nSubject: large\r\nMIME-Version: 1.0\r\n")
                .append("Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n");
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        Random random = new Random(8);
        while (m.length() < size) {
            for (int i = 0; i < 76; i++) {
                m.append(alphabet.charAt(random.nextInt(64)));
            }
            m.append("\r\n");
        }
        return m.toString();
    }

    private static String sha256(byte[] bytes, int offset, int length) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.update(bytes, offset, length);
        return HexFormat.of().formatHex(digest.digest());
    }
}
