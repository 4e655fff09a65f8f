package io.github.camelrelay.smtprelay.internal.server;

import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.internal.server.SmtpTestClient.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The listener's DSN (RFC 3461), SMTPUTF8 (RFC 6531) and BODY (RFC 6152) over a real socket: advertised, validated,
 * and handed to the route as headers.
 */
class DsnParametersTest {

    private static RelayFixture relay;

    @BeforeAll
    static void start() {
        relay = RelayFixture.start("heloName=mx.relay.test&relayNetworks=127.0.0.0/8&localDomains=local.test");
    }

    @AfterAll
    static void stop() {
        relay.close();
    }

    private static void drain() {
        while (relay.pending() > 0) {
            relay.next();
        }
    }

    @Test
    void ehloAdvertisesDsnAndTheParametersReachTheRouteAsHeaders() {
        drain();
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            assertThat(c.ehlo("client.test").offers("DSN")).isTrue();
            assertThat(c.send("MAIL FROM:<a@client.test> RET=HDRS ENVID=QQ+2B314+3Dx").code()).isEqualTo(250);
            assertThat(c.send("RCPT TO:<bob@example.net> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;Bob+2BTag@example.net").code())
                    .isEqualTo(250);
            assertThat(c.send("RCPT TO:<carol@example.net> notify=never").code()).isEqualTo(250);
            assertThat(c.send("RCPT TO:<dave@example.net>").code()).isEqualTo(250);
            assertThat(c.send("DATA").code()).isEqualTo(354);
            c.write("Subject: dsn\r\n\r\nx\r\n.\r\n");
            assertThat(c.reply().code()).isEqualTo(250);
        }
        var headers = relay.next().headers();
        assertThat(headers.get(SmtpRelayConstants.DSN_RET)).isEqualTo("HDRS");
        assertThat(headers.get(SmtpRelayConstants.DSN_ENVID)).isEqualTo("QQ+314=x");
        assertThat(headers.get(SmtpRelayConstants.DSN_NOTIFY)).isNull();
        assertThat((String) headers.get(SmtpRelayConstants.DSN_RECIPIENTS))
                .isEqualTo("{\"bob@example.net\":{\"notify\":\"SUCCESS,DELAY\",\"orcpt\":\"rfc822;Bob+Tag@example.net\"},"
                           + "\"carol@example.net\":{\"notify\":\"NEVER\"}}");
    }

    @Test
    void aMessageWithoutDsnParametersHasNoDsnHeaders() {
        drain();
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            c.ehlo("client.test");
            assertThat(c.send("MAIL FROM:<a@client.test>").code()).isEqualTo(250);
            assertThat(c.send("RCPT TO:<bob@example.net>").code()).isEqualTo(250);
            assertThat(c.send("DATA").code()).isEqualTo(354);
            c.write("Subject: plain\r\n\r\nx\r\n.\r\n");
            assertThat(c.reply().code()).isEqualTo(250);
        }
        var headers = relay.next().headers();
        assertThat(headers).doesNotContainKeys(SmtpRelayConstants.DSN_RET, SmtpRelayConstants.DSN_ENVID,
                SmtpRelayConstants.DSN_NOTIFY, SmtpRelayConstants.DSN_RECIPIENTS);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "MAIL FROM:<a@client.test> SMTPUTF8=yes|501 5.5.4 Syntax: SMTPUTF8 takes no value",
            "MAIL FROM:<a@client.test> BODY=7BIT BODY=8BITMIME|501 5.5.4 Syntax: each MAIL parameter once",
            "MAIL FROM:<a@client.test> RET=BODY|501 5.5.4 Syntax: Expected RET=FULL or RET=HDRS but found 'BODY'",
            "MAIL FROM:<a@client.test> RET|501 5.5.4 Syntax: Expected RET=FULL or RET=HDRS",
            "MAIL FROM:<a@client.test> ENVID=a+zz|501 5.5.4 Syntax: ENVID=xtext: Expected two upper case hex digits",
            "MAIL FROM:<a@client.test> ENVID=a+2|501 5.5.4 Syntax: ENVID=xtext: Expected two upper case hex digits",
            "MAIL FROM:<a@client.test> ENVID=a=b|501 5.5.4 Syntax: ENVID=xtext: Expected xtext",
            "MAIL FROM:<a@client.test> ENVID=a+0Db|501 5.5.4 Syntax: ENVID=xtext: Expected an ENVID of printable ASCII",
            "MAIL FROM:<a@client.test> RET=FULL RET=HDRS|501 5.5.4 Syntax: each MAIL parameter once",
            "RCPT TO:<bob@example.net> NOTIFY=SOMETIMES|501 5.5.4 Syntax: Expected NOTIFY=NEVER or a list",
            "RCPT TO:<bob@example.net> NOTIFY=NEVER,FAILURE|501 5.5.4 Syntax: Expected NOTIFY=NEVER alone",
            "RCPT TO:<bob@example.net> NOTIFY=FAILURE,FAILURE|501 5.5.4 Syntax: Expected each NOTIFY condition once",
            "RCPT TO:<bob@example.net> ORCPT=bob@example.net|501 5.5.4 Syntax: Expected ORCPT=addr-type;xtext",
            "RCPT TO:<bob@example.net> ORCPT=rfc822;bob+0D+0ABcc:x@example.net|501 5.5.4 Syntax: Expected an ORCPT address without control",
            "RCPT TO:<bob@example.net> ORCPT=rfc822;b\u00f6b@example.net|501 5.5.4 Syntax: Expected xtext",
            "RCPT TO:<bob@example.net> NOTIFY=NEVER NOTIFY=NEVER|501 5.5.4 Syntax: each RCPT parameter once",
            "RCPT TO:<bob@example.net> XFOO=1|555 5.5.4 Unsupported RCPT parameter 'XFOO=1', expected NOTIFY or ORCPT"})
    void badDsnParametersAreRefusedWith501AndTheSessionGoesOn(String caseText) {
        String[] parts = caseText.split("\\|", 2);
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            c.ehlo("client.test");
            if (parts[0].startsWith("RCPT")) {
                assertThat(c.send("MAIL FROM:<a@client.test>").code()).isEqualTo(250);
            }
            Reply r = c.send(parts[0]);
            assertThat(r.text()).startsWith(parts[1]);
            assertThat(c.send("NOOP").code()).isEqualTo(250);
        }
    }

    @Test
    void smtputf8IsAdvertisedAndUtf8AddressesNeedItAndBodyAndSmtputf8ReachTheRouteAsHeaders() {
        drain();
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            assertThat(c.ehlo("client.test").offers("SMTPUTF8")).isTrue();
            assertThat(utf8(c, "MAIL FROM:<jörg@client.test>").text())
                    .startsWith("553 5.6.7 <j?rg@client.test>: a UTF-8 address needs the SMTPUTF8 parameter");
            assertThat(c.send("MAIL FROM:<a@client.test> BODY=8BITMIME").code()).isEqualTo(250);
            assertThat(utf8(c, "RCPT TO:<zoë@example.net>").text()).startsWith("553 5.6.7 <zo?@example.net>: a UTF-8 address needs SMTPUTF8");
            assertThat(c.send("RSET").code()).isEqualTo(250);
            assertThat(utf8(c, "MAIL FROM:<jörg@client.test> SMTPUTF8 BODY=8BITMIME").code()).isEqualTo(250);
            assertThat(utf8(c, "RCPT TO:<zoë@example.net>").code()).isEqualTo(250);
            assertThat(c.send("DATA").code()).isEqualTo(354);
            c.write("Subject: Grüße\r\n\r\nKöln\r\n.\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(c.reply().code()).isEqualTo(250);
        }
        RelayFixture.Seen seen = relay.next();
        assertThat(seen.header(SmtpRelayConstants.ENVELOPE_FROM)).isEqualTo("jörg@client.test");
        assertThat(seen.header(SmtpRelayConstants.RECIPIENTS)).isEqualTo(java.util.List.of("zoë@example.net"));
        assertThat(seen.header(SmtpRelayConstants.BODY)).isEqualTo("8BITMIME");
        assertThat(seen.header(SmtpRelayConstants.SMTPUTF8)).isEqualTo(true);
        assertThat(seen.text()).contains("Subject: Grüße\r\n\r\nKöln\r\n").contains(" with UTF8ESMTP id ");
    }

    /** A command in UTF-8, as an SMTPUTF8 client sends it. */
    private static Reply utf8(SmtpTestClient c, String command) {
        c.write((command + "\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return c.reply();
    }

    @Test
    void aCommandLineThatIsNotUtf8IsRefused() {
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            c.ehlo("client.test");
            c.write("MAIL FROM:<j\u00f6rg@client.test> SMTPUTF8\r\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            assertThat(c.reply().text()).startsWith("501 5.1.7 Bad sender address syntax");
        }
    }

    @Test
    void rcptParametersNeedEhlo() {
        try (SmtpTestClient c = SmtpTestClient.connect(relay.port())) {
            assertThat(c.send("HELO client.test").code()).isEqualTo(250);
            assertThat(c.send("MAIL FROM:<a@client.test>").code()).isEqualTo(250);
            assertThat(c.send("RCPT TO:<bob@example.net> NOTIFY=NEVER").text()).isEqualTo("555 5.5.4 Parameters need EHLO, not HELO");
        }
    }
}
