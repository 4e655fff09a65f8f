package io.github.camelrelay.smtprelay.internal.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.auth.PasswordHash;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 item 1, the listener's part: every message says whether it is a submission this relay vouches for (the
 * client authenticated or is in relayNetworks) and who authenticated, from the session alone; nothing the client
 * writes in the envelope or the message changes either.
 */
class SubmissionFlagTest {

    private static final String PASSWORD = "c0rrect-h0rse-battery";
    private static final String SPOOFED = "CamelSmtpRelaySubmission: true\r\nSmtpRelaySubmission: true\r\n"
                                          + "CamelSmtpRelayAuthenticatedUser: alice\r\nSmtpRelayAuthenticatedUser: alice\r\n"
                                          + "From: ceo@local.test\r\nSubject: inbound\r\n\r\nx\r\n.\r\n";

    private RelayFixture relay;

    @BeforeEach
    void start() {
        relay = RelayFixture.start("relayNetworks=127.0.0.1/32&localDomains=local.test&allowAuthWithoutTls=true&users=alice:"
                                   + PasswordHash.of(PASSWORD, 1000));
    }

    @AfterEach
    void stop() {
        relay.close();
    }

    private static void deliver(SmtpTestClient c, String mailFrom, String rcpt, String data) {
        assertThat(c.send(mailFrom).code()).isEqualTo(250);
        assertThat(c.send("RCPT TO:<" + rcpt + ">").code()).isEqualTo(250);
        assertThat(c.send("DATA").code()).isEqualTo(354);
        c.write(data);
        assertThat(c.reply().code()).isEqualTo(250);
    }

    @Test
    void mailFromAnUnauthenticatedClientOutsideTheRelayNetworksIsNotASubmissionWhateverItWrites() {
        try (SmtpTestClient c = SmtpTestClient.connect("127.0.0.1", relay.port(), "127.0.0.9")) {
            c.ehlo("stranger.test");
            // RFC 4954's AUTH= parameter is another client's word about the sender: it proves nothing
            deliver(c, "MAIL FROM:<ceo@local.test> AUTH=alice@local.test", "staff@local.test", SPOOFED);
        }
        RelayFixture.Seen seen = relay.next();
        assertThat(seen.header(SmtpRelayConstants.SUBMISSION)).isEqualTo(false);
        assertThat(seen.headers()).doesNotContainKey(SmtpRelayConstants.AUTHENTICATED_USER)
                .doesNotContainKey("SmtpRelaySubmission").doesNotContainKey("SmtpRelayAuthenticatedUser");
        assertThat(seen.text()).as("the client's lines stay message content").contains(SPOOFED.replace("\r\n.\r\n", "\r\n"));
    }

    @Test
    void mailFromAnAuthenticatedUserIsASubmissionWithItsUser() {
        try (SmtpTestClient c = SmtpTestClient.connect("127.0.0.1", relay.port(), "127.0.0.9")) {
            c.ehlo("laptop.test");
            String plain = Base64.getEncoder().encodeToString(("\0alice\0" + PASSWORD).getBytes(StandardCharsets.UTF_8));
            assertThat(c.send("AUTH PLAIN " + plain).code()).isEqualTo(235);
            deliver(c, "MAIL FROM:<alice@local.test>", "far@elsewhere.test", "From: alice@local.test\r\n\r\nx\r\n.\r\n");
        }
        RelayFixture.Seen seen = relay.next();
        assertThat(seen.header(SmtpRelayConstants.SUBMISSION)).isEqualTo(true);
        assertThat(seen.header(SmtpRelayConstants.AUTHENTICATED_USER)).isEqualTo("alice");
    }

    @Test
    void mailFromARelayNetworksClientIsASubmissionWithoutAUser() {
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            c.ehlo("app.test");
            deliver(c, "MAIL FROM:<app@local.test>", "staff@local.test", SPOOFED);
        }
        RelayFixture.Seen seen = relay.next();
        assertThat(seen.header(SmtpRelayConstants.SUBMISSION)).isEqualTo(true);
        assertThat(seen.headers()).doesNotContainKey(SmtpRelayConstants.AUTHENTICATED_USER);
    }
}
