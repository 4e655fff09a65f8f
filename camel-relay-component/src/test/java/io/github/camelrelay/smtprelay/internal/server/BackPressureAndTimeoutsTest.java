package io.github.camelrelay.smtprelay.internal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.camelrelay.smtprelay.internal.server.SmtpTestClient.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the Netty listener adds to the limits: it stops reading while the route has a message, cuts off clients that
 * trickle bytes, ends sessions that last too long, and frees a connection's slot before the client sees it closed.
 */
class BackPressureAndTimeoutsTest {

    private RelayFixture relay;
    private final ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        trickle.shutdownNow();
        if (relay != null) {
            relay.close();
        }
    }

    private static void envelope(SmtpTestClient c) {
        c.ehlo("client.test");
        assertThat(c.send("MAIL FROM:<a@client.test>").code()).isEqualTo(250);
        assertThat(c.send("RCPT TO:<b@example.net>").code()).isEqualTo(250);
    }

    @Test
    void whileTheRouteHasAMessageTheConnectionReadsNothingSoTheClientsWritesBlock() throws Exception {
        relay = RelayFixture.start("maxMessageSize=1000");
        CountDownLatch inRoute = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        relay.behaviour(e -> {
            inRoute.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            envelope(c);
            assertThat(c.send("DATA").code()).isEqualTo(354);
            c.write("Subject: held\r\n\r\nx\r\n.\r\n");
            assertThat(inRoute.await(5, TimeUnit.SECONDS)).isTrue();
            // far more than the socket buffers hold: had the listener read on, it would all sit in its memory
            byte[] flood = ("RSET\r\nMAIL FROM:<a@client.test>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n"
                            + "y".repeat(98) + "\r\n").repeat(1).getBytes(StandardCharsets.US_ASCII);
            byte[] lines = ("z".repeat(98) + "\r\n").repeat(320_000).getBytes(StandardCharsets.US_ASCII);
            AtomicBoolean written = new AtomicBoolean();
            Thread writer = new Thread(() -> {
                try {
                    c.write(flood);
                    c.write(lines);
                    written.set(true);
                } catch (UncheckedIOException e) {
                    // the test failed elsewhere and closed the connection
                }
            });
            writer.setDaemon(true);
            writer.start();
            await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5)).until(() -> !written.get());
            release.countDown();
            await().atMost(Duration.ofSeconds(30)).until(written::get);
            c.write(".\r\n");
            assertThat(c.reply().text()).startsWith("250 2.0.0 Ok: queued as ");
            assertThat(c.reply().code()).isEqualTo(250);
            assertThat(c.reply().code()).isEqualTo(250);
            assertThat(c.reply().code()).isEqualTo(250);
            assertThat(c.reply().code()).isEqualTo(354);
            assertThat(c.reply().code()).as("32 MB over maxMessageSize").isEqualTo(552);
        }
        assertThat(relay.next().text()).contains("Subject: held");
    }

    @Test
    void aRouteSlowerThanTheIdleTimeoutIsNotTheClientsIdling() {
        relay = RelayFixture.start("idleTimeout=300");
        CountDownLatch inRoute = new CountDownLatch(1);
        relay.behaviour(e -> {
            inRoute.countDown();
            await().pollDelay(Duration.ofMillis(900)).atMost(Duration.ofSeconds(2)).until(() -> true);
        });
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            envelope(c);
            c.send("DATA");
            // NOOP pipelined behind the message (RFC 2920 allows it last in the group), so it waits in the input
            // while the route runs and no later idle gap of the client's own can close the session before it
            c.write("Subject: slow route\r\n\r\nx\r\n.\r\nNOOP\r\n");
            assertThat(c.reply().code()).isEqualTo(250);
            assertThat(c.reply().code()).as("the session is still open after the slow route").isEqualTo(250);
        }
    }

    @Test
    void aClientTricklingMessageDataBelowTheMinimumRateIsCutOff() {
        relay = RelayFixture.start("idleTimeout=1000&minDataRate=1000&heloName=mx.relay.test");
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            envelope(c);
            assertThat(c.send("DATA").code()).isEqualTo(354);
            // a byte every 100 ms never lets the idle timeout fire
            trickle.scheduleAtFixedRate(() -> c.write("x"), 0, 100, TimeUnit.MILLISECONDS);
            Reply cut = c.reply();
            assertThat(cut.text()).isEqualTo("421 4.4.2 mx.relay.test Error: too slow, expected at least 1000 octets per"
                                             + " second");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(relay.pending()).isZero();
    }

    @Test
    void aClientTricklingACommandLineIsCutOffToo() {
        relay = RelayFixture.start("idleTimeout=1000&minDataRate=1000");
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            c.ehlo("client.test");
            trickle.scheduleAtFixedRate(() -> c.write("N"), 0, 100, TimeUnit.MILLISECONDS);
            assertThat(c.reply().code()).isEqualTo(421);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void aSessionLongerThanMaxSessionTimeIsEndedEvenWhileTheClientIsBusy() {
        relay = RelayFixture.start("maxSessionTime=700&heloName=mx.relay.test");
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            long start = System.nanoTime();
            Reply r;
            do {
                r = c.send("NOOP");
            } while (r.code() == 250 && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
            assertThat(r.text()).isEqualTo("421 4.4.2 mx.relay.test Error: session time limit exceeded, closing connection");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void aConnectionClosedByTheServerHasFreedItsSlotBeforeTheClientSeesTheClose() {
        relay = RelayFixture.start("maxConnections=1");
        for (int i = 0; i < 30; i++) {
            try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
                assertThat(c.greeting().code()).as("connection %d", i).isEqualTo(220);
                assertThat(c.send("QUIT").code()).isEqualTo(221);
                assertThat(c.closedByServer()).isTrue();
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.consumer().getOpenConnections() == 0);
    }
}
