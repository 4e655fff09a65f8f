package io.github.camelrelay.smtprelay.internal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.camelrelay.smtprelay.internal.server.SmtpTestClient.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Limits per session and per server, with the replies RFC 5321 gives them. */
class SessionLimitsTest {

    private RelayFixture relay;

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void recipientsBeyondMaxRecipientsGet452AndTheAcceptedOnesAreDelivered() {
        relay = RelayFixture.start("maxRecipients=3");
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            c.ehlo("client.test");
            c.send("MAIL FROM:<a@client.test>");
            for (int i = 1; i <= 3; i++) {
                assertThat(c.send("RCPT TO:<r" + i + "@example.net>").code()).isEqualTo(250);
            }
            assertThat(c.send("RCPT TO:<r4@example.net>").text())
                    .isEqualTo("452 4.5.3 Error: too many recipients, at most 3 per message");
            assertThat(c.send("DATA").code()).isEqualTo(354);
            c.write("Subject: x\r\n\r\nx\r\n.\r\n");
            assertThat(c.reply().code()).isEqualTo(250);
        }
        assertThat(relay.next().header("CamelSmtpRelayRecipients"))
                .isEqualTo(List.of("r1@example.net", "r2@example.net", "r3@example.net"));
    }

    @Test
    void theDefaultRecipientLimitIsAtLeast100() {
        relay = RelayFixture.start("");
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            c.ehlo("client.test");
            c.send("MAIL FROM:<a@client.test>");
            StringBuilder pipelined = new StringBuilder();
            for (int i = 1; i <= 101; i++) {
                pipelined.append("RCPT TO:<r").append(i).append("@example.net>\r\n");
            }
            c.write(pipelined.toString());
            for (int i = 1; i <= 100; i++) {
                assertThat(c.reply().code()).as("recipient %d", i).isEqualTo(250);
            }
            assertThat(c.reply().code()).isEqualTo(452);
        }
    }

    @Test
    void connectionsPerClientAddressAreLimitedWith421WhileOtherAddressesAreServed() {
        // loopback is a relay network, which the limit spares unless told otherwise
        relay = RelayFixture.start("maxConnectionsPerClient=2&clientLimitExceptions=");
        try (SmtpTestClient one = SmtpTestClient.connect("127.0.0.1", relay.port(), "127.0.0.5");
             SmtpTestClient two = SmtpTestClient.connect("127.0.0.1", relay.port(), "127.0.0.5");
             SmtpTestClient three = SmtpTestClient.connect("127.0.0.1", relay.port(), "127.0.0.5");
             SmtpTestClient other = SmtpTestClient.connect("127.0.0.1", relay.port(), "127.0.0.6")) {
            assertThat(one.greeting().code()).isEqualTo(220);
            assertThat(two.greeting().code()).isEqualTo(220);
            assertThat(three.greeting().text()).isEqualTo("421 4.7.0 Too many connections from 127.0.0.5, try again later");
            assertThat(three.closedByServer()).isTrue();
            assertThat(other.greeting().code()).isEqualTo(220);
            assertThat(relay.consumer().getOpenConnections()).isEqualTo(3);
        }
        // a slot freed by a client that left can be used again
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.consumer().getOpenConnections() == 0);
        try (SmtpTestClient again = SmtpTestClient.connect("127.0.0.1", relay.port(), "127.0.0.5")) {
            assertThat(again.greeting().code()).isEqualTo(220);
        }
    }

    @Test
    void totalConnectionsAreLimitedWith421() {
        relay = RelayFixture.start("maxConnections=2");
        List<SmtpTestClient> clients = new ArrayList<>();
        try {
            clients.add(SmtpTestClient.connect("127.0.0.1", relay.port(), "127.0.0.7"));
            clients.add(SmtpTestClient.connect("127.0.0.1", relay.port(), "127.0.0.8"));
            SmtpTestClient third = SmtpTestClient.connect("127.0.0.1", relay.port(), "127.0.0.9");
            clients.add(third);
            assertThat(clients.get(0).greeting().code()).isEqualTo(220);
            assertThat(clients.get(1).greeting().code()).isEqualTo(220);
            assertThat(third.greeting().code()).isEqualTo(421);
            assertThat(third.closedByServer()).isTrue();
        } finally {
            clients.forEach(SmtpTestClient::close);
        }
    }

    @Test
    void anIdleClientGets421AndIsDisconnected() {
        relay = RelayFixture.start("idleTimeout=300");
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            // timed from before EHLO: the server's clock starts when it has answered it
            long start = System.nanoTime();
            c.ehlo("client.test");
            Reply timeout = c.reply();
            assertThat(timeout.code()).isEqualTo(421);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void anIdleClientInTheMiddleOfDataGets421AndNoExchangeIsMade() {
        relay = RelayFixture.start("idleTimeout=300");
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            c.ehlo("client.test");
            c.send("MAIL FROM:<a@client.test>");
            c.send("RCPT TO:<b@example.net>");
            assertThat(c.send("DATA").code()).isEqualTo(354);
            c.write("Subject: half\r\n\r\nstarted but never ");
            assertThat(c.reply().code()).isEqualTo(421);
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(relay.pending()).isZero();
    }

    @Test
    void aClientThatStopsReadingRepliesIsDisconnectedAfterTheIdleTimeout() throws Exception {
        relay = RelayFixture.start("idleTimeout=300");
        try (Socket s = new Socket("127.0.0.1", relay.port())) {
            // small buffers, so the server's replies fill them and its write blocks
            s.setReceiveBufferSize(4096);
            OutputStream out = s.getOutputStream();
            byte[] noops = "NOOP\r\n".repeat(10_000).getBytes(StandardCharsets.US_ASCII);
            Thread writer = new Thread(() -> {
                try {
                    while (true) {
                        out.write(noops);
                    }
                } catch (IOException e) {
                    // the server closed the connection: what the test waits for
                }
            });
            writer.setDaemon(true);
            writer.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> relay.consumer().getOpenConnections() == 1);
            // before, SO_TIMEOUT bounded reads only, and this session's blocked write held its thread for good
            await().atMost(Duration.ofSeconds(20)).until(() -> relay.consumer().getOpenConnections() == 0);
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                try {
                    s.getInputStream().readAllBytes();
                } catch (IOException reset) {
                    // closed with our commands unread: a reset is how the client learns it
                }
            }, "the client sees the connection end");
        }
    }

    @Test
    void tooManyErrorsInOneSessionCloseIt() {
        relay = RelayFixture.start("maxErrors=3&heloName=mx.relay.test");
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            assertThat(c.send("WHAT").code()).isEqualTo(500);
            assertThat(c.send("EHLO").code()).isEqualTo(501);
            assertThat(c.send("NOOP").code()).as("a success does not count").isEqualTo(250);
            assertThat(c.send("RCPT TO:<x@example.net>").code()).isEqualTo(503);
            assertThat(c.send("NOOP").text()).isEqualTo("421 4.7.0 mx.relay.test Error: too many errors, closing connection");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void anAcceptedMessageForgivesEarlierErrors() {
        relay = RelayFixture.start("maxErrors=2");
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            c.ehlo("client.test");
            assertThat(c.send("WHAT").code()).isEqualTo(500);
            c.send("MAIL FROM:<a@client.test>");
            c.send("RCPT TO:<b@example.net>");
            c.send("DATA");
            c.write("Subject: x\r\n\r\nx\r\n.\r\n");
            assertThat(c.reply().code()).isEqualTo(250);
            assertThat(c.send("WHAT").code()).isEqualTo(500);
            assertThat(c.send("NOOP").code()).isEqualTo(250);
        }
    }

    @Test
    void aClientThatHangsUpDuringDataLeavesNoExchangeAndTheServerGoesOn() {
        relay = RelayFixture.start("");
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            c.ehlo("client.test");
            c.send("MAIL FROM:<a@client.test>");
            c.send("RCPT TO:<b@example.net>");
            c.send("DATA");
            c.write("Subject: cut\r\n\r\npartial");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.consumer().getOpenConnections() == 0);
        assertThat(relay.pending()).isZero();
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            assertThat(c.greeting().code()).isEqualTo(220);
        }
    }
}
