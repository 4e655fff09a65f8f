package io.github.camelrelay.smtprelay.internal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.auth.PasswordHash;
import io.github.camelrelay.smtprelay.auth.SenderLogins;
import io.github.camelrelay.smtprelay.mail.MailAddress;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 item 2: with senderLogins, an authenticated user may use as MAIL FROM and in the From header only the
 * addresses and domains its entry names (Postfix's smtpd_sender_login_maps with reject_sender_login_mismatch).
 */
class SenderLoginTest {

    private static final String PASSWORD = "c0rrect-h0rse-battery";
    private static final String HASH = PasswordHash.of(PASSWORD, 1000).toString();
    private static final String USERS = "users=alice:" + HASH + ",bob:" + HASH + "&allowAuthWithoutTls=true";
    private static final String LOGINS = "senderLogins=alice:alice@example.com,@example.org;carol:carol@example.com";

    private RelayFixture relay;

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    /** A session from outside the relay networks, authenticated as {@code user}. */
    private SmtpTestClient login(String user) {
        SmtpTestClient c = SmtpTestClient.connect("127.0.0.1", relay.port(), "127.0.0.9");
        c.ehlo("client.test");
        String plain = Base64.getEncoder().encodeToString(("\0" + user + "\0" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        assertThat(c.send("AUTH PLAIN " + plain).code()).isEqualTo(235);
        return c;
    }

    /** MAIL, one RCPT and DATA with {@code message}; the reply to the final dot. */
    private static SmtpTestClient.Reply send(SmtpTestClient c, String sender, String message) {
        assertThat(c.send("MAIL FROM:<" + sender + ">").code()).isEqualTo(250);
        assertThat(c.send("RCPT TO:<bob@elsewhere.test>").code()).isEqualTo(250);
        assertThat(c.send("DATA").code()).isEqualTo(354);
        c.write(message + ".\r\n");
        return c.reply();
    }

    @Test
    void anAuthenticatedUserMayUseOnlyItsAddressesAndDomainsAsEnvelopeSender() {
        relay = RelayFixture.start("relayNetworks=127.0.0.1/32&" + USERS + "&" + LOGINS);
        try (SmtpTestClient c = login("alice")) {
            assertThat(c.send("MAIL FROM:<ceo@example.com>").text())
                    .isEqualTo("553 5.7.1 <ceo@example.com>: Sender address rejected: not owned by user alice");
            assertThat(c.send("MAIL FROM:<someone@sub.example.org>").text()).as("a subdomain is another domain")
                    .startsWith("553 5.7.1 <someone@sub.example.org>");
            assertThat(c.send("MAIL FROM:<Alice@EXAMPLE.com>").code()).as("case").isEqualTo(250);
            assertThat(c.send("RSET").code()).isEqualTo(250);
            assertThat(c.send("MAIL FROM:<anyone@example.org>").code()).as("the whole domain").isEqualTo(250);
            assertThat(c.send("RSET").code()).isEqualTo(250);
            assertThat(c.send("MAIL FROM:<>").code()).as("the null sender has no owner, as in Postfix").isEqualTo(250);
        }
        try (SmtpTestClient c = login("bob")) {
            assertThat(c.send("MAIL FROM:<bob@example.com>").text()).as("a user without an entry may use no address")
                    .isEqualTo("553 5.7.1 <bob@example.com>: Sender address rejected: not owned by user bob");
        }
        assertThat(relay.pending()).isZero();
    }

    @Test
    void aFromHeaderTheUserMayNotUseIsRefusedAtEndOfDataAndNothingIsHandedOn() {
        relay = RelayFixture.start("relayNetworks=127.0.0.1/32&" + USERS + "&" + LOGINS);
        try (SmtpTestClient c = login("alice")) {
            assertThat(send(c, "alice@example.com", "From: The CEO <ceo@example.com>\r\nSubject: pay this\r\n\r\nx\r\n").text())
                    .isEqualTo("553 5.7.1 <ceo@example.com>: From header address rejected: not owned by user alice");
            assertThat(send(c, "alice@example.com", "From: alice@example.com,\r\n ceo@example.com\r\nSubject: two\r\n\r\nx\r\n").text())
                    .as("every address of a folded list").startsWith("553 5.7.1 <ceo@example.com>: From header");
            assertThat(send(c, "alice@example.com", "From: alice@example.com\r\nFrom: ceo@example.com\r\n\r\nx\r\n").text())
                    .as("every From field").startsWith("553 5.7.1 <ceo@example.com>: From header");
            assertThat(send(c, "alice@example.com", "From: <ceo@@example.com\r\n\r\nx\r\n").text())
                    .as("a From that cannot be read").startsWith("553 5.7.1 From header rejected:");
            assertThat(relay.pending()).as("no refused message reached the route").isZero();

            assertThat(send(c, "alice@example.com", "From: \"Alice\" <ALICE@example.com>\r\nSubject: fine\r\n\r\nx\r\n").code())
                    .isEqualTo(250);
            assertThat(send(c, "alice@example.com", "Subject: no From: nothing to spoof\r\n\r\nx\r\n").code()).isEqualTo(250);
        }
        RelayFixture.Seen seen = relay.next();
        assertThat(seen.text()).contains("Subject: fine");
        assertThat(seen.header(SmtpRelayConstants.AUTHENTICATED_USER)).isEqualTo("alice");
        assertThat(relay.next().text()).contains("Subject: no From");
    }

    @Test
    void clientsThatDidNotAuthenticateAreNotChecked() {
        relay = RelayFixture.start("localDomains=local.test&" + USERS + "&" + LOGINS);
        // a relayNetworks client (loopback by default), as Postfix's permit_mynetworks before the check
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            c.ehlo("trusted.test");
            assertThat(send(c, "ceo@example.com", "From: ceo@example.com\r\n\r\nx\r\n").code()).isEqualTo(250);
        }
        assertThat(relay.next().header(SmtpRelayConstants.SUBMISSION)).isEqualTo(true);
    }

    @Test
    void withoutTheOptionAnAuthenticatedUserMayUseAnySender() {
        relay = RelayFixture.start("relayNetworks=127.0.0.1/32&" + USERS);
        try (SmtpTestClient c = login("bob")) {
            assertThat(send(c, "ceo@example.com", "From: ceo@example.com\r\n\r\nx\r\n").code()).isEqualTo(250);
        }
        assertThat(relay.next().header(SmtpRelayConstants.AUTHENTICATED_USER)).isEqualTo("bob");
    }

    @Test
    void aFileOfEntriesAddsToTheInlineOnes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sender-logins");
        Files.writeString(file, "# user: senders\nbob: bob@example.com\n\nbob: \"b,o\"@example.net\n", StandardCharsets.UTF_8);
        relay = RelayFixture.start("relayNetworks=127.0.0.1/32&" + USERS + "&" + LOGINS + "&senderLoginsFile=" + file);
        try (SmtpTestClient c = login("bob")) {
            assertThat(c.send("MAIL FROM:<bob@example.com>").code()).isEqualTo(250);
            assertThat(c.send("RSET").code()).isEqualTo(250);
            assertThat(c.send("MAIL FROM:<\"b,o\"@example.net>").code()).as("a quoted comma").isEqualTo(250);
            assertThat(c.send("RSET").code()).isEqualTo(250);
            assertThat(c.send("MAIL FROM:<alice@example.com>").code()).isEqualTo(553);
        }
        try (SmtpTestClient c = login("alice")) {
            assertThat(c.send("MAIL FROM:<alice@example.com>").code()).as("the inline entries still hold").isEqualTo(250);
        }
    }

    @Test
    void aWrongEntryFailsTheRouteNamingTheOption() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("smtprelay:in?port=0&senderLogins=alice:alice@example.com;bob").to("log:x");
                }
            });
            assertThatThrownBy(context::start).rootCause()
                    .hasMessageContaining("Expected sender login entries as user: address, @domain but found 'bob'");
        }
        assertThatThrownBy(() -> SenderLogins.parse("alice: not-an-address"))
                .hasMessageContaining("User 'alice': expected a sender as user@domain or @domain but found 'not-an-address'");
        assertThatThrownBy(() -> SenderLogins.parse("alice:")).hasMessageContaining("expected at least one sender");
        assertThat(SenderLogins.parse("alice: @Example.ORG.").mayUse("alice", MailAddress.of("x@example.org"))).isTrue();
        assertThat(SenderLogins.parse("alice: a@example.org").mayUse("Alice", MailAddress.of("a@example.org")))
                .as("user names are compared exactly").isFalse();
    }
}
