package io.github.camelrelay.smtprelay.internal.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.github.camelrelay.smtprelay.internal.server.SmtpTestClient.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile bytes on the wire, over raw sockets: SMTP smuggling, over-long command and text lines, bare CR and LF,
 * malformed commands. SubEthaSMTP alone would drop the connection on a long command line, pass bare LF through
 * DATA and accept any line length in a message; these tests pin down what the listener does instead.
 */
class WireDisciplineTest {

    private static RelayFixture relay;

    @BeforeAll
    static void start() {
        relay = RelayFixture.start("heloName=mx.relay.test&relayNetworks=&localDomains=local.test&maxMessageSize=20000");
    }

    @AfterAll
    static void stop() {
        relay.close();
    }

    private static SmtpTestClient transaction() {
        SmtpTestClient c = SmtpTestClient.connect(relay.port());
        c.ehlo("client.test");
        assertThat(c.send("MAIL FROM:<a@client.test>").code()).isEqualTo(250);
        assertThat(c.send("RCPT TO:<victim@local.test>").code()).isEqualTo(250);
        assertThat(c.send("DATA").code()).isEqualTo(354);
        return c;
    }

    private static void drainSeen() {
        while (relay.pending() > 0) {
            relay.next();
        }
    }

    /** CVE-2023-51764 class: a bare-LF or bare-CR "end of data" must not end the message, nor let commands through. */
    @ParameterizedTest
    @ValueSource(strings = {"\n.\n", "\n.\r\n", "\r.\r", "\r\n.\n", "\r.\r\n"})
    void smugglingSequencesNeverEndTheMessageAndTheSmuggledCommandsAreNeverRun(String fakeEnd) {
        drainSeen();
        try (SmtpTestClient c = transaction()) {
            c.write("Subject: smuggling\r\n\r\nbody" + fakeEnd
                    + "MAIL FROM:<smuggled@evil.test>\r\nRCPT TO:<victim@local.test>\r\nDATA\r\nSubject: smuggled\r\n\r\n"
                    + "I am smuggled\r\n.\r\n");
            Reply end = c.reply();
            assertThat(end.code()).as("reply to the real end of data, %s", end).isEqualTo(550);
            assertThat(end.text()).startsWith("550 5.5.2 Message refused: line ").contains("bare LF or holds a bare CR");
            // the very next reply is to our NOOP: nothing smuggled produced a reply of its own
            assertThat(c.send("NOOP").text()).isEqualTo("250 Ok");
        }
        assertThat(relay.pending()).as("exchanges created").isZero();
    }

    @Test
    void onlyCrLfDotCrLfEndsTheMessageAndDotStuffingIsRemoved() {
        drainSeen();
        try (SmtpTestClient c = transaction()) {
            c.write("Subject: dots\r\n\r\n..leading dot\r\n...\r\n. \r\nend\r\n.\r\n");
            assertThat(c.reply().code()).isEqualTo(250);
        }
        String text = relay.next().text();
        assertThat(text.substring(text.indexOf("Subject: dots"))).isEqualTo("Subject: dots\r\n\r\n.leading dot\r\n..\r\n \r\nend\r\n");
    }

    @Test
    void aCommandLineOf512OctetsIsAcceptedAndOneOf513IsRefusedWith500AndTheSessionGoesOn() {
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            String longest = "NOOP " + "x".repeat(512 - 5 - 2);
            assertThat(c.send(longest).code()).as("512 octets with CRLF").isEqualTo(250);
            Reply tooLong = c.send(longest + "x");
            assertThat(tooLong.text()).isEqualTo("500 5.5.2 Line too long: expected a command line of at most 512 octets"
                                                 + " including CRLF (RFC 5321 4.5.3.1.4) but found 513");
            // longer than SubEthaSMTP's own 998-character limit, which would have dropped the connection
            assertThat(c.send("NOOP " + "y".repeat(5000)).code()).isEqualTo(500);
            assertThat(c.send("NOOP").code()).isEqualTo(250);
        }
    }

    @Test
    void aCommandLineWithoutAnEndIsCutAfter64KiBAndTheConnectionClosed() {
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            c.write("NOOP " + "z".repeat(LineFramer.DISCARD_LIMIT + 10));
            assertThat(c.reply().code()).isEqualTo(500);
            assertThat(c.reply().code()).isEqualTo(421);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void anAuthLineMayBeLongerThan512Octets() {
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            // no authenticator is configured: 502 shows the line reached AUTH instead of being refused as too long
            assertThat(c.send("AUTH PLAIN " + "A".repeat(2000)).text()).isEqualTo("502 5.5.1 AUTH not available");
            // but not a long mechanism name, which would reach SubEthaSMTP's reader
            assertThat(c.send("AUTH " + "P".repeat(2000)).code()).isEqualTo(500);
            assertThat(c.send("NOOP").code()).isEqualTo(250);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"NOOP\n", "NOOP\rx\r\n", "NOOP\r\r\n", "\n"})
    void commandLinesWithBareCrOrLfAreRefusedWithoutClosingTheSession(String line) {
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            c.write(line);
            assertThat(c.reply().text()).isEqualTo("500 5.5.2 Syntax error: expected a command line ending in CRLF but"
                                                   + " found a bare CR or LF");
            assertThat(c.send("NOOP").code()).isEqualTo(250);
        }
    }

    @Test
    void aTextLineOf1000OctetsIsAcceptedAndOneOf1001IsRefusedWith500() {
        drainSeen();
        String limit = "x".repeat(998);
        try (SmtpTestClient c = transaction()) {
            c.write("Subject: long\r\n\r\n" + limit + "\r\n." + limit + "\r\n.\r\n");
            assertThat(c.reply().code()).as("998 + CRLF, and a stuffed dot that does not count").isEqualTo(250);
        }
        assertThat(relay.next().text()).contains(limit + "\r\n" + limit + "\r\n");
        try (SmtpTestClient c = transaction()) {
            c.write("Subject: long\r\n\r\n" + limit + "x\r\n.\r\n");
            assertThat(c.reply().text()).isEqualTo("500 5.5.2 Message refused: line 3 has 1001 octets, expected at most 1000"
                                                   + " including CRLF (RFC 5321 4.5.3.1.6)");
            assertThat(c.send("NOOP").code()).isEqualTo(250);
        }
        assertThat(relay.pending()).isZero();
    }

    @Test
    void sizeIsAdvertisedDeclaredSizesOverItAreRefusedAtMailAndLargerMessagesAtTheEndOfData() {
        drainSeen();
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            assertThat(c.ehlo("client.test").reply().lines()).contains("250-SIZE 20000");
            assertThat(c.send("MAIL FROM:<a@client.test> SIZE=20001").text())
                    .isEqualTo("552 5.3.4 Message size exceeds fixed maximum message size of 20000 octets");
            assertThat(c.send("MAIL FROM:<a@client.test> SIZE=99999999999999999999").code()).isEqualTo(552);
            assertThat(c.send("MAIL FROM:<a@client.test> SIZE=20000").code()).isEqualTo(250);
            c.send("RCPT TO:<victim@local.test>");
            assertThat(c.send("DATA").code()).isEqualTo(354);
            String line = "y".repeat(98) + "\r\n";
            c.write("Subject: big\r\n\r\n" + line.repeat(201) + ".\r\n");
            assertThat(c.reply().code()).isEqualTo(552);
            assertThat(c.send("NOOP").code()).isEqualTo(250);
        }
        assertThat(relay.pending()).isZero();
    }

    @Test
    void moreThan100ReceivedHeadersIsALoop() {
        drainSeen();
        String hundred = "Received: from a by b; Mon, 1 Jan 2024 00:00:00 +0000\r\n".repeat(100);
        try (SmtpTestClient c = transaction()) {
            c.write(hundred + "Subject: hop 100\r\n\r\nx\r\n.\r\n");
            assertThat(c.reply().code()).isEqualTo(250);
        }
        assertThat(relay.next().text()).contains("Subject: hop 100");
        try (SmtpTestClient c = transaction()) {
            c.write(hundred + "received :folded\r\n and continued\r\nSubject: hop 101\r\n\r\nReceived: in the body\r\n.\r\n");
            assertThat(c.reply().text()).isEqualTo("554 5.4.6 Too many Received header fields (101, at most 100): mail loop"
                                                   + " detected");
        }
        assertThat(relay.pending()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "MAIL FROM:a@client.test|501 5.5.4 Syntax: MAIL FROM:<address>, expected an address in angle brackets",
            "MAIL FROM:<a@client.test|501 5.5.4 Syntax: MAIL FROM:<address>, expected a closing '>'",
            "MAIL FROM:<a b@client.test>|501 5.1.7 Bad sender address syntax",
            "MAIL FROM:<@relay.test:a@client.test>|501 5.1.7 Source routes are not accepted",
            "MAIL FROM:<a@client.test> FOO=bar|555 5.5.4 Unsupported MAIL parameter 'FOO=bar'",
            "MAIL FROM:<a@client.test> SIZE=ten|501 5.5.4 Syntax: SIZE=octets",
            "MAIL FROM:<a@client.test> BODY=BINARYMIME|501 5.5.4 Syntax: BODY=7BIT or BODY=8BITMIME",
            "MAIL FROM:<a@client.test>junk|501 5.5.4 Syntax: MAIL FROM:<address>, expected a space before parameters",
            "MAIL TO:<a@client.test>|501 5.5.4 Syntax: MAIL FROM:<address>, expected FROM:",
            "MAILX FROM:<a@client.test>|500 5.5.2 Error: command not recognized",
            "RCPT TO:<victim@local.test>|503 5.5.1 Error: need MAIL command",
            "DATA|503 5.5.1 Error: need MAIL command",
            "EHLO|501 5.5.4 Syntax: EHLO hostname",
            "EHLO two words|501 5.5.4 Syntax: EHLO hostname",
            "HELO|501 5.5.4 Syntax: HELO hostname",
            "XYZZY|500",
            "BDAT 10 LAST|502 5.5.1 BDAT is not supported, use DATA",
            "STARTTLS|454 4.7.0 TLS not available",
            "AUTH PLAIN|502 5.5.1 AUTH not available",
            "MAIL FROM:<a\u0001@client.test>|501 5.1.7 Bad sender address syntax"})
    void malformedCommandsGetA5xxWithAReasonAndTheSessionGoesOn(String caseText) {
        String[] parts = caseText.split("\\|", 2);
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            if (!parts[0].startsWith("EHLO") && !parts[0].startsWith("HELO")) {
                c.ehlo("client.test");
            }
            Reply r = c.send(parts[0]);
            assertThat(r.text()).startsWith(parts[1]);
            assertThat(r.code()).isGreaterThanOrEqualTo(400);
            assertThat(c.send("NOOP").code()).isEqualTo(250);
        }
    }

    @Test
    void mailBeforeEhloNestedMailRcptParametersAndDataArgumentsAreRefused() {
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            assertThat(c.send("MAIL FROM:<a@client.test>").text()).isEqualTo("503 5.5.1 Error: send EHLO or HELO first");
            c.ehlo("client.test");
            assertThat(c.send("MAIL FROM:<a@client.test>").code()).isEqualTo(250);
            assertThat(c.send("MAIL FROM:<a@client.test>").text()).isEqualTo("503 5.5.1 Error: nested MAIL command");
            assertThat(c.send("DATA").text()).isEqualTo("554 5.5.1 Error: no valid recipients");
            assertThat(c.send("RCPT TO:<victim@local.test> XFOO=1").code()).isEqualTo(555);
            assertThat(c.send("RCPT TO:<victim@local.test>").code()).isEqualTo(250);
            assertThat(c.send("DATA now").code()).isEqualTo(501);
            assertThat(c.send("HELO client.test").code()).isEqualTo(250);
            assertThat(c.send("MAIL FROM:<a@client.test> SIZE=10").text()).isEqualTo("555 5.5.4 Parameters need EHLO, not HELO");
        }
    }

    @Test
    void invalidUtf8OrBinaryGarbageEndsOnlyThatSessionAndOtherClientsAreServed() {
        drainSeen();
        try (SmtpTestClient bad = SmtpTestClient.connect(relay.port()); SmtpTestClient good = transaction()) {
            bad.write(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2, '\r', '\n'});
            assertThat(bad.reply().code()).isGreaterThanOrEqualTo(500);
            good.write("Subject: still here\r\n\r\nx\r\n.\r\n");
            assertThat(good.reply().code()).isEqualTo(250);
        }
        assertThat(relay.next().text()).contains("Subject: still here");
    }

    @Test
    void theNullSenderIsAnEmptyEnvelopeFromHeaderAndRepeatedRecipientsAreKeptOnce() {
        drainSeen();
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            c.ehlo("client.test");
            assertThat(c.send("MAIL FROM:<>").code()).isEqualTo(250);
            assertThat(c.send("RCPT TO:<victim@local.test>").code()).isEqualTo(250);
            assertThat(c.send("RCPT TO:<VICTIM@local.test>").code()).isEqualTo(250);
            assertThat(c.send("RCPT TO:<victim@LOCAL.test>").code()).isEqualTo(250);
            assertThat(c.send("DATA").code()).isEqualTo(354);
            c.write("Subject: bounce\r\n\r\nx\r\n.\r\n");
            assertThat(c.reply().text()).startsWith("250 2.0.0 Ok: queued as ");
        }
        RelayFixture.Seen seen = relay.next();
        assertThat(seen.header("CamelSmtpRelayEnvelopeFrom")).isEqualTo("");
        assertThat(seen.header("CamelSmtpRelayRecipients")).isEqualTo(List.of("victim@local.test", "VICTIM@local.test"));
    }
}
