package io.github.camelrelay.examples.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.camelrelay.examples.server.testsupport.RelayServers;
import io.github.camelrelay.examples.server.testsupport.SmtpSubmission;
import io.github.camelrelay.smtprelay.testsupport.TestDnsServer;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 13 item 5 end to end, in Java so {@code mvn verify} needs no Postfix tools: what
 * {@code smtp-source -s 20 -m 2000 -l 4096 127.0.0.1:2525} does (20 sessions at a time from loopback, each one
 * 4 KiB message, 2,000 in all) is answered 250 every time by the relay server with its default settings, and every
 * message is delivered. A session that closes while the next one connects must not count against the limits.
 */
class RelayServerConcurrentSessionsTest {

    private static final int SESSIONS = 20;
    private static final int MESSAGES = 2000;

    private static TestSmtpServer mx;
    private static TestDnsServer dns;
    private static ConfigurableApplicationContext relay;
    private static int smtpPort;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startRelay() throws Exception {
        int mxPort = TestSmtpServer.freePortOnAll("127.0.0.2");
        mx = TestSmtpServer.start("127.0.0.2", mxPort);
        dns = TestDnsServer.start().mx("sink.test", 10, "mx.sink.test").a("mx.sink.test", "127.0.0.2");
        smtpPort = RelayServers.freePort();
        // nothing but where the test's ports, DNS and data directory are: the listener's limits are the defaults
        Map<String, String> p = RelayServers.testProperties("sessions-test", dir.resolve("artemis"), smtpPort, dns, mxPort);
        relay = RelayServers.start(p);
    }

    @AfterAll
    static void stopRelay() throws Exception {
        RelayServers.closeAll(relay, mx, dns);
    }

    /** A message of {@code size} octets or a little more, in lines of 76 characters as smtp-source writes them. */
    private static String message(int n, int size) {
        StringBuilder m = new StringBuilder("From: load@source.test\r\nTo: sink@sink.test\r\nSubject: load " + n + "\r\n\r\n");
        String line = "x".repeat(74) + "\r\n";
        while (m.length() < size) {
            m.append(line);
        }
        return m.toString();
    }

    @Test
    void twentySessionsAtATimeFromLoopbackEachWithOneMessageAreAllAccepted() throws Exception {
        AtomicInteger next = new AtomicInteger();
        Set<String> replies = ConcurrentHashMap.newKeySet();
        ExecutorService sources = Executors.newFixedThreadPool(SESSIONS);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int s = 0; s < SESSIONS; s++) {
                running.add(sources.submit(() -> {
                    for (int n = next.getAndIncrement(); n < MESSAGES; n = next.getAndIncrement()) {
                        // one connection per message; a refusal anywhere (421 at the banner) fails with the reply
                        replies.add(SmtpSubmission.send(smtpPort, "load@source.test", List.of("sink@sink.test"), message(n, 4096)));
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get(2, TimeUnit.MINUTES);
            }
        } finally {
            sources.shutdownNow();
        }

        assertThat(replies).as("one distinct 250 per message").hasSize(MESSAGES).allMatch(r -> r.startsWith("250 2.0.0 Ok: queued as "));
        await().atMost(Duration.ofSeconds(60)).until(() -> mx.messages().size() >= MESSAGES);
        assertThat(mx.messages()).hasSize(MESSAGES);
    }
}
