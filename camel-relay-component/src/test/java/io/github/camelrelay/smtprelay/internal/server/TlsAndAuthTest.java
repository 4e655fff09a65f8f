package io.github.camelrelay.smtprelay.internal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.auth.PasswordHash;
import io.github.camelrelay.smtprelay.auth.SmtpRelayAuthenticator;
import io.github.camelrelay.smtprelay.internal.server.SmtpTestClient.EhloResult;
import io.github.camelrelay.smtprelay.internal.server.SmtpTestClient.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** STARTTLS, implicit TLS and AUTH over raw sockets, including the hostile cases. */
class TlsAndAuthTest {

    private static final String PASSWORD = "Tr0ub4dor&3-secret";
    private static final String HASH = PasswordHash.of(PASSWORD, 1000).toString();

    private RelayFixture relay;

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String plain(String user, String password) {
        return b64("\0" + user + "\0" + password);
    }

    @Test
    void authIsOfferedOnlyAfterStartTlsAndRefusedWith538Before() {
        relay = RelayFixture.start("sslContextParameters=#ssl&users=alice:" + HASH);
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            EhloResult before = c.ehlo("client.test");
            assertThat(before.offers("STARTTLS")).isTrue();
            assertThat(before.offers("AUTH")).isFalse();
            assertThat(before.offers("CHUNKING")).isFalse();
            assertThat(before.offers("PIPELINING")).isTrue();
            assertThat(c.send("AUTH PLAIN " + plain("alice", PASSWORD)).text())
                    .isEqualTo("538 5.7.11 Encryption required for requested authentication mechanism: use STARTTLS first");
            c.startTls();
            EhloResult after = c.ehlo("client.test");
            assertThat(after.offers("AUTH PLAIN LOGIN")).isTrue();
            assertThat(after.offers("STARTTLS")).isFalse();
            assertThat(c.send("AUTH PLAIN " + plain("alice", PASSWORD)).code()).isEqualTo(235);
        }
    }

    @Test
    void requireTlsIsOfferedAndAcceptedOnlyOnATlsSessionAndReachesTheRoute() {
        relay = RelayFixture.start("sslContextParameters=#ssl&relayNetworks=127.0.0.0/8");
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            assertThat(c.ehlo("client.test").offers("REQUIRETLS")).as("RFC 8689 2: not before STARTTLS").isFalse();
            assertThat(c.send("MAIL FROM:<a@client.test> REQUIRETLS").text())
                    .isEqualTo("530 5.7.10 REQUIRETLS needs a TLS session: STARTTLS first");
            c.startTls();
            assertThat(c.ehlo("client.test").offers("REQUIRETLS")).isTrue();
            assertThat(c.send("MAIL FROM:<a@client.test> REQUIRETLS=yes").text())
                    .startsWith("501 5.5.4 Syntax: REQUIRETLS takes no value");
            assertThat(c.send("MAIL FROM:<a@client.test> REQUIRETLS").code()).isEqualTo(250);
            assertThat(c.send("RCPT TO:<bob@example.net>").code()).isEqualTo(250);
            assertThat(c.send("DATA").code()).isEqualTo(354);
            c.write("Subject: secret\r\n\r\nx\r\n.\r\n");
            assertThat(c.reply().code()).isEqualTo(250);
            assertThat(c.send("MAIL FROM:<a@client.test>").code()).isEqualTo(250);
            assertThat(c.send("RCPT TO:<bob@example.net>").code()).isEqualTo(250);
            assertThat(c.send("DATA").code()).isEqualTo(354);
            c.write("Subject: plain\r\n\r\nx\r\n.\r\n");
            assertThat(c.reply().code()).isEqualTo(250);
        }
        assertThat(relay.next().headers().get(SmtpRelayConstants.REQUIRE_TLS)).isEqualTo(true);
        assertThat(relay.next().headers()).doesNotContainKey(SmtpRelayConstants.REQUIRE_TLS);
    }

    @Test
    void allowAuthWithoutTlsOffersAuthInClearText() {
        relay = RelayFixture.start("allowAuthWithoutTls=true&users=alice:" + HASH);
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            assertThat(c.ehlo("client.test").offers("AUTH PLAIN LOGIN")).isTrue();
            assertThat(c.send("AUTH PLAIN " + plain("alice", PASSWORD)).code()).isEqualTo(235);
        }
    }

    /** CVE-2011-0411: commands pipelined in plaintext behind STARTTLS must not run inside the TLS session. */
    @Test
    void plaintextPipelinedAfterStartTlsIsDiscarded() {
        relay = RelayFixture.start("sslContextParameters=#ssl&relayNetworks=&localDomains=local.test");
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            c.ehlo("client.test");
            c.write("STARTTLS\r\nEHLO injected.test\r\nMAIL FROM:<injected@evil.test>\r\nRCPT TO:<victim@local.test>\r\n");
            assertThat(c.reply().code()).isEqualTo(220);
            c.handshake();
            // had the injected EHLO run, MAIL would be accepted; had the injected MAIL run, this would be "nested"
            assertThat(c.send("MAIL FROM:<a@client.test>").text()).isEqualTo("503 5.5.1 Error: send EHLO or HELO first");
            c.ehlo("client.test");
            assertThat(c.send("MAIL FROM:<a@client.test>").code()).isEqualTo(250);
            assertThat(c.send("DATA").text()).as("no injected recipient").isEqualTo("554 5.5.1 Error: no valid recipients");
            assertThat(c.send("RCPT TO:<victim@local.test>").code()).isEqualTo(250);
            assertThat(c.send("DATA").code()).isEqualTo(354);
            c.write("Subject: after tls\r\n\r\nx\r\n.\r\n");
            assertThat(c.reply().code()).isEqualTo(250);
        }
        RelayFixture.Seen seen = relay.next();
        assertThat(seen.header(SmtpRelayConstants.HELO_NAME)).isEqualTo("client.test");
        assertThat(seen.header(SmtpRelayConstants.ENVELOPE_FROM)).isEqualTo("a@client.test");
        assertThat(seen.header(SmtpRelayConstants.TLS)).isEqualTo(true);
    }

    @Test
    void authenticationBeforeStartTlsIsForgottenAfterIt() {
        relay = RelayFixture.start("sslContextParameters=#ssl&allowAuthWithoutTls=true&relayNetworks=&users=alice:" + HASH);
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            c.ehlo("client.test");
            assertThat(c.send("AUTH PLAIN " + plain("alice", PASSWORD)).code()).isEqualTo(235);
            c.startTls();
            c.ehlo("client.test");
            c.send("MAIL FROM:<a@client.test>");
            assertThat(c.send("RCPT TO:<far@elsewhere.example>").code()).as("relaying needs AUTH again").isEqualTo(554);
        }
    }

    @Test
    void startTlsIsRefusedWithParametersTwiceAndOnImplicitTls() {
        relay = RelayFixture.start("sslContextParameters=#ssl");
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            c.ehlo("client.test");
            assertThat(c.send("STARTTLS now").text()).isEqualTo("501 5.5.4 Syntax: STARTTLS, expected no parameters");
            c.startTls();
            c.ehlo("client.test");
            assertThat(c.send("STARTTLS").text()).isEqualTo("503 5.5.1 TLS already active");
        }
        relay.close();
        relay = RelayFixture.start("sslContextParameters=#ssl&implicitTls=true");
        try (SmtpTestClient c = SmtpTestClient.connectTls(relay.port())) {
            assertThat(c.greeting().code()).isEqualTo(220);
            assertThat(c.ehlo("client.test").offers("STARTTLS")).isFalse();
            assertThat(c.send("STARTTLS").code()).isEqualTo(503);
        }
    }

    @Test
    void aPlaintextClientOnTheImplicitTlsPortIsDroppedAndTheServerGoesOn() {
        relay = RelayFixture.start("sslContextParameters=#ssl&implicitTls=true&idleTimeout=2000");
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", relay.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("EHLO plain.test\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(s.getInputStream().readAllBytes()).as("what a TLS server answers to plaintext").isNotNull();
        } catch (java.io.IOException e) {
            // a reset is an answer too
        }
        try (SmtpTestClient c = SmtpTestClient.connectTls(relay.port())) {
            assertThat(c.greeting().code()).isEqualTo(220);
        }
    }

    @Test
    void authPlainAndLoginWorkWithChallengesAndCanBeCancelled() {
        relay = RelayFixture.start("allowAuthWithoutTls=true&authFailureDelay=0&users=alice:" + HASH);
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            c.ehlo("client.test");
            assertThat(c.send("AUTH PLAIN").text()).isEqualTo("334 ");
            assertThat(c.send("*").text()).isEqualTo("501 5.7.0 Authentication cancelled");
            assertThat(c.send("AUTH LOGIN").text()).isEqualTo("334 VXNlcm5hbWU6");
            assertThat(c.send(b64("alice")).text()).isEqualTo("334 UGFzc3dvcmQ6");
            assertThat(c.send(b64(PASSWORD)).text()).isEqualTo("235 2.7.0 Authentication successful");
            assertThat(c.send("AUTH PLAIN " + plain("alice", PASSWORD)).text()).isEqualTo("503 5.5.1 Error: already authenticated");
        }
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            c.ehlo("client.test");
            assertThat(c.send("AUTH CRAM-MD5").code()).isEqualTo(504);
            assertThat(c.send("AUTH PLAIN !!notbase64!!").text()).isEqualTo("501 5.5.2 Cannot decode the AUTH response: expected Base64");
            assertThat(c.send("AUTH PLAIN " + b64("no nul separators")).code()).isEqualTo(501);
            assertThat(c.send("AUTH").code()).isEqualTo(501);
            assertThat(c.send("AUTH LOGIN " + b64("alice")).text()).as("initial response as user name").isEqualTo("334 UGFzc3dvcmQ6");
            assertThat(c.send(b64(PASSWORD)).code()).isEqualTo(235);
        }
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            c.ehlo("client.test");
            c.send("MAIL FROM:<a@client.test>");
            assertThat(c.send("AUTH PLAIN " + plain("alice", PASSWORD)).text())
                    .isEqualTo("503 5.5.1 Error: AUTH not permitted during a mail transaction");
            c.send("RSET");
            assertThat(c.send("AUTH PLAIN " + b64("alice\0alice\0" + PASSWORD)).code()).as("authzid = user").isEqualTo(235);
        }
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            c.ehlo("client.test");
            assertThat(c.send("AUTH PLAIN " + b64("admin\0alice\0" + PASSWORD)).code()).as("acting as another user")
                    .isEqualTo(535);
        }
    }

    @Test
    void anAuthenticatorBeanInTheRegistryIsUsedWithoutBeingConfigured() {
        relay = RelayFixture.start("allowAuthWithoutTls=true&relayNetworks=", ctx -> ctx.getRegistry().bind("auth",
                (SmtpRelayAuthenticator) (user, password) -> user.equals("carol") && password.equals("from-the-bean")));
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            c.ehlo("client.test");
            assertThat(c.send("AUTH PLAIN " + plain("carol", "from-the-bean")).code()).isEqualTo(235);
            c.send("MAIL FROM:<carol@client.test>");
            c.send("RCPT TO:<far@elsewhere.example>");
            c.send("DATA");
            c.write("Subject: x\r\n\r\nx\r\n.\r\n");
            assertThat(c.reply().code()).isEqualTo(250);
        }
        assertThat(relay.next().header(SmtpRelayConstants.AUTHENTICATED_USER)).isEqualTo("carol");
    }

    @Test
    void anAuthenticatorThatThrowsGives454AndItDoesNotCountAsAFailure() {
        relay = RelayFixture.start("allowAuthWithoutTls=true&maxAuthFailures=1", ctx -> ctx.getRegistry().bind("auth",
                (SmtpRelayAuthenticator) (user, password) -> {
                    throw new IllegalStateException("directory down, password was " + password);
                }));
        try (LogCapture logs = new LogCapture(); SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            c.ehlo("client.test");
            assertThat(c.send("AUTH PLAIN " + plain("dave", "pw-dave")).text()).isEqualTo("454 4.7.0 Temporary authentication failure");
            assertThat(c.send("AUTH PLAIN " + plain("dave", "pw-dave")).code()).as("still connected").isEqualTo(454);
            assertThat(logs.all()).contains("IllegalStateException").doesNotContain("pw-dave");
        }
    }

    @Test
    void failedAttemptsAreDelayedLongerEachTimeAndTheConnectionIsClosedAfterMaxAuthFailures() {
        relay = RelayFixture.start("allowAuthWithoutTls=true&authFailureDelay=100&maxAuthFailures=3&users=alice:" + HASH);
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            c.ehlo("client.test");
            long[] took = new long[3];
            Reply[] replies = new Reply[3];
            for (int i = 0; i < 3; i++) {
                long start = System.nanoTime();
                replies[i] = c.send("AUTH PLAIN " + plain("alice", "guess" + i));
                took[i] = Duration.ofNanos(System.nanoTime() - start).toMillis();
            }
            assertThat(replies[0].text()).isEqualTo("535 5.7.8 Authentication credentials invalid");
            assertThat(replies[1].code()).isEqualTo(535);
            assertThat(replies[2].text()).startsWith("421 4.7.8 ");
            assertThat(took[0]).isGreaterThanOrEqualTo(100);
            assertThat(took[1]).isGreaterThanOrEqualTo(200);
            assertThat(took[2]).isGreaterThanOrEqualTo(400);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void anAddressWithTooManyFailuresIsTurnedAwayOnNewConnectionsWhileOtherAddressesAreNot() {
        relay = RelayFixture.start("allowAuthWithoutTls=true&authFailureDelay=0&maxAuthFailures=10"
                                   + "&maxAuthFailuresPerClient=2&users=alice:" + HASH);
        try (SmtpTestClient c = SmtpTestClient.connect("127.0.0.1", relay.port(), "127.0.0.10")) {
            c.ehlo("client.test");
            assertThat(c.send("AUTH PLAIN " + plain("alice", "x")).code()).isEqualTo(535);
            assertThat(c.send("AUTH PLAIN " + plain("alice", "y")).code()).isEqualTo(421);
        }
        try (SmtpTestClient c = SmtpTestClient.connect("127.0.0.1", relay.port(), "127.0.0.10")) {
            c.ehlo("client.test");
            assertThat(c.send("AUTH PLAIN " + plain("alice", PASSWORD)).text())
                    .as("even the right password").isEqualTo("421 4.7.0 Too many failed authentication attempts from"
                                                             + " 127.0.0.10, try again later");
            assertThat(c.closedByServer()).isTrue();
        }
        try (SmtpTestClient c = SmtpTestClient.connect("127.0.0.1", relay.port(), "127.0.0.11")) {
            c.ehlo("client.test");
            assertThat(c.send("AUTH PLAIN " + plain("alice", PASSWORD)).code()).isEqualTo(235);
        }
    }

    @Test
    void passwordsAndTheirEncodingsNeverReachTheLogsEvenAtTrace() {
        relay = RelayFixture.start("allowAuthWithoutTls=true&authFailureDelay=0&maxAuthFailures=10&users=alice:" + HASH);
        String wrong = "wrong-Pa55word!";
        try (LogCapture logs = new LogCapture()) {
            try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
                c.ehlo("client.test");
                assertThat(c.send("AUTH PLAIN " + plain("alice", wrong)).code()).isEqualTo(535);
                c.send("AUTH PLAIN");
                assertThat(c.send(plain("alice", wrong)).code()).isEqualTo(535);
                c.send("AUTH LOGIN");
                c.send(b64("alice"));
                assertThat(c.send(b64(wrong)).code()).isEqualTo(535);
                assertThat(c.send("AUTH PLAIN " + plain("alice", PASSWORD)).code()).isEqualTo(235);
            }
            String all = logs.all();
            // proves the capture saw the session at full verbosity, including SubEthaSMTP's line-by-line debug log
            assertThat(all).contains("Authentication failed for a client at 127.0.0.1").contains("Client: AUTH PLAIN");
            for (String secret : List.of(PASSWORD, wrong, plain("alice", wrong), plain("alice", PASSWORD), b64(wrong),
                    b64(PASSWORD), HASH)) {
                assertThat(all).as("logs must not contain %s", secret).doesNotContain(secret);
            }
        }
    }

    @Test
    void plainTextPasswordsInTheUsersOptionAreRefusedWithoutRepeatingThem() {
        assertThatThrownBy(() -> RelayFixture.start("users=alice:hunter2")).satisfies(t -> {
            StringBuilder messages = new StringBuilder();
            for (Throwable c = t; c != null; c = c.getCause()) {
                messages.append(c.getMessage()).append('\n');
            }
            assertThat(messages).contains("Option users: User 'alice': Expected a password hash starting with {pbkdf2}")
                    .doesNotContain("hunter2");
        });
    }
}
