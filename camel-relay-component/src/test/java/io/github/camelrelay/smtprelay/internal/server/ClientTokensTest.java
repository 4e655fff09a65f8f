package io.github.camelrelay.smtprelay.internal.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 item 11 over sockets: what the client chose reaches the Received header (and the exchange's HELO header)
 * only as a canonical domain or reduced to safe characters, and local domains are compared as IDNA2008 names.
 */
class ClientTokensTest {

    private RelayFixture relay;

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    private RelayFixture.Seen send(String helo, String recipient) {
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            assertThat(c.send("EHLO " + helo).code()).isEqualTo(250);
            assertThat(c.send("MAIL FROM:<a@client.test>").code()).isEqualTo(250);
            assertThat(c.send("RCPT TO:<" + recipient + ">").code()).isEqualTo(250);
            assertThat(c.send("DATA").code()).isEqualTo(354);
            c.write("Subject: x\r\n\r\nx\r\n.\r\n");
            assertThat(c.reply().code()).isEqualTo(250);
        }
        return relay.next();
    }

    private static String firstLine(RelayFixture.Seen seen) {
        return seen.text().substring(0, seen.text().indexOf("\r\n"));
    }

    @Test
    void aHeloNameCannotForgeACommentOrAClauseInTheReceivedHeader() {
        relay = RelayFixture.start("heloName=mx.relay.test");
        RelayFixture.Seen seen = send("evil.example)(authenticated;by=trusted.example", "b@example.net");
        assertThat(firstLine(seen)).isEqualTo("Received: from evil.example??authenticated?by=trusted.example ([127.0.0.1])");
        assertThat(seen.header(SmtpRelayConstants.HELO_NAME)).isEqualTo("evil.example??authenticated?by=trusted.example");
    }

    @Test
    void aHeloDomainIsWrittenInCanonicalForm() {
        relay = RelayFixture.start("heloName=mx.relay.test");
        assertThat(firstLine(send("Client.XN--FA-HIA.DE.", "b@example.net")))
                .isEqualTo("Received: from client.xn--fa-hia.de ([127.0.0.1])");
    }

    @Test
    void aRecipientWithCharactersThatWouldEndTheClauseIsNotWrittenIntoIt() {
        relay = RelayFixture.start("heloName=mx.relay.test");
        String text = send("client.test", "\"x; by forged.example (y)\"@example.net").text();
        String received = text.substring(0, text.indexOf("Subject:"));
        assertThat(received).doesNotContain("for <").doesNotContain("forged");
        assertThat(send("client.test", "b@example.net").text()).contains("for <b@example.net>; ");
    }

    @Test
    void localDomainsAreIdna2008NamesSoSharpSIsNotFoldedIntoAnotherDomain() {
        relay = RelayFixture.start("localDomains=faß.de&relayNetworks=127.0.0.1/32");
        try (SmtpTestClient c = SmtpTestClient.connect("127.0.0.1", relay.port(), "127.0.0.9")) {
            c.ehlo("stranger.test");
            assertThat(c.send("MAIL FROM:<a@stranger.test>").code()).isEqualTo(250);
            assertThat(c.send("RCPT TO:<user@xn--fa-hia.de>").code()).isEqualTo(250);
            assertThat(c.send("RCPT TO:<user@fass.de>").text()).isEqualTo("554 5.7.1 <user@fass.de>: Relay access denied");
        }
    }
}
