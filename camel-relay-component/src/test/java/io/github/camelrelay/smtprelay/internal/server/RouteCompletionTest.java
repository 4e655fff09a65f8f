package io.github.camelrelay.smtprelay.internal.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.camelrelay.smtprelay.internal.server.SmtpTestClient.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The 250 to the end of data means the route has taken the message: it is sent only after the exchange completed
 * without an exception, and a failed route gets 451 so the client keeps the message and tries again.
 */
class RouteCompletionTest {

    private RelayFixture relay;

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    private static void sendMessage(SmtpTestClient c, String subject) {
        c.ehlo("client.test");
        assertThat(c.send("MAIL FROM:<a@client.test>").code()).isEqualTo(250);
        assertThat(c.send("RCPT TO:<b@example.net>").code()).isEqualTo(250);
        assertThat(c.send("DATA").code()).isEqualTo(354);
        c.write("Subject: " + subject + "\r\n\r\nbody\r\n.\r\n");
    }

    @Test
    void the250IsSentOnlyAfterTheRouteHasCompletedTheExchange() throws Exception {
        relay = RelayFixture.start("");
        CountDownLatch inRoute = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        relay.behaviour(e -> {
            inRoute.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            sendMessage(c, "held");
            assertThat(inRoute.await(5, TimeUnit.SECONDS)).as("the route got the exchange").isTrue();
            assertThat(c.silentFor(500)).as("no reply while the route still holds the exchange").isTrue();
            release.countDown();
            assertThat(c.reply().text()).startsWith("250 2.0.0 Ok: queued as ");
        }
    }

    @Test
    void whenTheClientHears250TheMessageIsAlreadyWhereTheRoutePutIt() {
        relay = RelayFixture.start("");
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            for (int i = 1; i <= 3; i++) {
                sendMessage(c, "committed " + i);
                assertThat(c.reply().code()).isEqualTo(250);
                // no waiting: the route stored it before the reply was written
                assertThat(relay.pending()).isEqualTo(1);
                assertThat(relay.next().text()).contains("Subject: committed " + i);
            }
        }
    }

    @Test
    void anAsynchronousRouteIsWaitedFor() {
        relay = RelayFixture.start("", ctx -> {
        }, route -> route.delay(300).asyncDelayed());
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            long start = System.nanoTime();
            sendMessage(c, "async");
            assertThat(c.reply().code()).isEqualTo(250);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            assertThat(relay.pending()).isEqualTo(1);
        }
    }

    @Test
    void aFailingRouteGets451AndTheSessionGoesOn() {
        relay = RelayFixture.start("");
        relay.behaviour(e -> {
            throw new IllegalStateException("broker down");
        });
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            sendMessage(c, "fails");
            Reply reply = c.reply();
            assertThat(reply.text()).isEqualTo("451 4.3.0 Message not accepted, try again later");
            assertThat(reply.text()).doesNotContain("broker down");
            relay.next();
            relay.behaviour(e -> {
            });
            assertThat(c.send("RSET").code()).isEqualTo(250);
            sendMessage(c, "retried");
            assertThat(c.reply().code()).isEqualTo(250);
            assertThat(relay.next().text()).contains("Subject: retried");
        }
    }

    @Test
    void anExceptionHandledByTheRouteCountsAsTaken() {
        relay = RelayFixture.start("", ctx -> {
        }, route -> route.onException(IllegalStateException.class).handled(true).end());
        relay.behaviour(e -> {
            throw new IllegalStateException("handled on purpose");
        });
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            sendMessage(c, "handled");
            assertThat(c.reply().code()).isEqualTo(250);
        }
    }
}
