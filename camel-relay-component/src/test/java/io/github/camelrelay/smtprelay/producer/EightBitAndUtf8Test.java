package io.github.camelrelay.smtprelay.producer;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.report.Outcome;
import io.github.camelrelay.smtprelay.report.RecipientStatus;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 8BITMIME (RFC 6152) and SMTPUTF8 (RFC 6531) against real servers that offer them or not: BODY=8BITMIME where
 * offered, a 7-bit conversion that decodes to the same text where not, SMTPUTF8 for UTF-8 addresses where offered and
 * a 5.6.7 failure (no downgrade) where not, and RFC 2047 headers in a composed message.
 */
class EightBitAndUtf8Test extends ProducerTestSupport {

    private static final String MULTIPART = "From: alice@sender.test\r\nTo: bob@example.test\r\nSubject: parts\r\n"
                                            + "Message-ID: <multi-1@sender.test>\r\nMIME-Version: 1.0\r\n"
                                            + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
                                            + "--b1\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                                            + "Grüße aus Köln, ein langer Text mit Umlauten: äöü ÄÖÜ ß.\r\n"
                                            + "--b1\r\nContent-Type: text/plain; charset=US-ASCII\r\n\r\nplain ascii part\r\n"
                                            + "--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n"
                                            + "\u00ff\u00fe binary-ish\r\n"
                                            + "--b1--\r\n";

    @Test
    void eightBitContentGoesWithBody8bitmimeUnchangedToAServerOfferingIt() {
        Exchange exchange = send(mxUri(), RAW, Map.of());

        assertThat(exchange.getException()).isNull();
        Received got = mx1.awaitMessage(WAIT);
        assertSameBytes(withoutReceived(got.data()), RAW_BYTES);
        assertThat(mx1.commands()).anyMatch(c -> c.startsWith("MAIL FROM:<alice@sender.test> SIZE=") && c.endsWith(" BODY=8BITMIME"));
    }

    @Test
    void aDeclared8bitmimeBodyIsSentSoEvenWhenItIsAscii() {
        Exchange exchange = send(mxUri(), "From: a@sender.test\r\nTo: bob@example.test\r\n\r\nascii\r\n",
                Map.of(SmtpRelayConstants.BODY, "8bitmime"));

        assertThat(exchange.getException()).isNull();
        mx1.awaitMessage(WAIT);
        assertThat(mx1.commands()).anyMatch(c -> c.startsWith("MAIL FROM:<a@sender.test>") && c.endsWith(" BODY=8BITMIME"));
    }

    @Test
    void aServerWithout8bitmimeGetsSevenBitThatDecodesToTheSameText() throws Exception {
        mx1.withhold("8BITMIME");
        Exchange exchange = send(mxUri(), RAW, Map.of());

        assertThat(exchange.getException()).isNull();
        Received got = mx1.awaitMessage(WAIT);
        assertSevenBit(got.data());
        assertThat(mx1.commands()).noneMatch(c -> c.contains("BODY="));
        MimeMessage m = parse(got.data());
        assertThat(m.getMessageID()).isEqualTo("<raw-1@sender.test>");
        assertThat(m.getHeader("X-Trace")[0]).isEqualTo("unchanged   spacing");
        assertThat(m.getEncoding()).isIn("quoted-printable", "base64");
        String expected = RAW.substring(RAW.indexOf("\r\n\r\n") + 4);
        assertThat((String) m.getContent()).isEqualTo(expected);
    }

    @Test
    void aMultipartIsConvertedPartByPartAndTheAsciiPartStaysAsItWas() throws Exception {
        mx1.withhold("8BITMIME");
        byte[] raw = MULTIPART.getBytes(StandardCharsets.ISO_8859_1);
        byte[] utf8 = MULTIPART.substring(0, MULTIPART.indexOf("\u00ff")).getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[utf8.length + raw.length - MULTIPART.indexOf("\u00ff")];
        System.arraycopy(utf8, 0, body, 0, utf8.length);
        System.arraycopy(raw, MULTIPART.indexOf("\u00ff"), body, utf8.length, raw.length - MULTIPART.indexOf("\u00ff"));
        Exchange exchange = send(mxUri(), body, Map.of());

        assertThat(exchange.getException()).isNull();
        Received got = mx1.awaitMessage(WAIT);
        assertSevenBit(got.data());
        MimeMultipart parts = (MimeMultipart) parse(got.data()).getContent();
        assertThat(parts.getCount()).isEqualTo(3);
        assertThat((String) parts.getBodyPart(0).getContent()).isEqualTo("Grüße aus Köln, ein langer Text mit Umlauten: äöü ÄÖÜ ß.");
        assertThat(got.text()).contains("--b1\r\nContent-Type: text/plain; charset=US-ASCII\r\n\r\nplain ascii part\r\n");
        assertThat(parts.getBodyPart(2).getInputStream().readAllBytes())
                .isEqualTo(new byte[] {(byte) 0xff, (byte) 0xfe, ' ', 'b', 'i', 'n', 'a', 'r', 'y', '-', 'i', 's', 'h'});
    }

    @Test
    void anAttachedMessageIsConvertedInsideAndStaysMessageRfc822() throws Exception {
        mx1.withhold("8BITMIME");
        String outer = "From: a@sender.test\r\nTo: bob@example.test\r\nSubject: returned\r\nMIME-Version: 1.0\r\n"
                       + "Content-Type: multipart/mixed; boundary=\"o1\"\r\n\r\n--o1\r\nContent-Type: text/plain\r\n\r\nsee below\r\n"
                       + "--o1\r\nContent-Type: message/rfc822\r\n\r\n" + RAW + "--o1--\r\n";
        Exchange exchange = send(mxUri(), outer.getBytes(StandardCharsets.UTF_8), Map.of());

        assertThat(exchange.getException()).isNull();
        Received got = mx1.awaitMessage(WAIT);
        assertSevenBit(got.data());
        MimeMultipart parts = (MimeMultipart) parse(got.data()).getContent();
        assertThat(parts.getBodyPart(1).getContentType()).startsWith("message/rfc822");
        assertThat(parts.getBodyPart(1).getHeader("Content-Transfer-Encoding")).containsExactly("7bit");
        MimeMessage inner = (MimeMessage) parts.getBodyPart(1).getContent();
        assertThat(inner.getMessageID()).isEqualTo("<raw-1@sender.test>");
        // the CRLF before the closing boundary belongs to the boundary (RFC 2046 5.1.1), not to the attached message
        assertThat((String) inner.getContent()).isEqualTo(RAW.substring(RAW.indexOf("\r\n\r\n") + 4, RAW.length() - 2));
    }

    @Test
    void aUtf8RecipientGoesWithSmtputf8ToAServerOfferingIt() {
        mx1.offer("SMTPUTF8");
        Exchange exchange = send(mxUri(), RAW, Map.of(SmtpRelayConstants.RECIPIENTS, List.of("jörg@example.test", "bob@example.test")));

        assertThat(exchange.getException()).isNull();
        Received got = mx1.awaitMessage(WAIT);
        assertThat(got.recipients()).containsExactly("jörg@example.test", "bob@example.test");
        assertThat(mx1.commands()).anyMatch(c -> c.startsWith("MAIL FROM:<alice@sender.test>") && c.endsWith(" BODY=8BITMIME SMTPUTF8"));
    }

    @Test
    void aUtf8RecipientFailsWith567AtAServerWithoutSmtputf8AndTheOthersAreDelivered() {
        Exchange exchange = send(mxUri(), RAW, Map.of(SmtpRelayConstants.RECIPIENTS, List.of("jörg@example.test", "bob@example.test")));

        Received got = mx1.awaitMessage(WAIT);
        assertThat(got.recipients()).containsExactly("bob@example.test");
        assertThat(mx1.commands()).noneMatch(c -> c.contains("rg@example.test") || c.contains("SMTPUTF8"));
        RecipientStatus failed = report(exchange).statuses().get(0);
        assertThat(failed.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(failed.enhancedStatus()).isEqualTo("5.6.7");
        assertThat(failed.replyText()).startsWith("SMTPUTF8 is required, but was not offered by host mx1.example.test");
    }

    private static final String UTF8_HEADERS = "From: Jörg <alice@sender.test>\r\nTo: bob@example.test\r\nSubject: Grüße\r\n\r\nHallo\r\n";

    @Test
    void aMessageDeclaredSmtputf8WithUtf8HeadersFailsWith567AtAServerWithoutIt() {
        Exchange exchange = send(mxUri(), UTF8_HEADERS, Map.of(SmtpRelayConstants.SMTPUTF8, true));

        assertThat(report(exchange).statuses()).singleElement()
                .satisfies(s -> assertThat(s.enhancedStatus()).isEqualTo("5.6.7"));
        assertThat(mx1.connections()).isEqualTo(1);
        assertThat(mx1.commands()).noneMatch(c -> c.startsWith("MAIL"));
    }

    @Test
    void aMessageDeclaredSmtputf8GoesWithSmtputf8ToAServerOfferingIt() {
        String utf8Headers = UTF8_HEADERS;
        mx1.offer("SMTPUTF8");
        Exchange again = send(mxUri(), utf8Headers, Map.of(SmtpRelayConstants.SMTPUTF8, true));
        assertThat(again.getException()).isNull();
        assertThat(mx1.awaitMessage(WAIT).text()).contains("Subject: Grüße");
        assertThat(mx1.commands()).anyMatch(c -> c.startsWith("MAIL FROM:<alice@sender.test>") && c.endsWith(" SMTPUTF8"));
    }

    @Test
    void aComposedMessageHasRfc2047DisplayNamesAndSubject() throws Exception {
        Exchange exchange = send(mxUri(), "Hallo Jörg", Map.of("From", "Jörg Müller <joerg@sender.test>",
                "To", "Zoë <zoe@example.test>", "Subject", "Grüße aus Köln"));

        assertThat(exchange.getException()).isNull();
        Received got = mx1.awaitMessage(WAIT);
        String headers = got.text().substring(0, got.text().indexOf("\r\n\r\n"));
        assertThat(headers).contains("From: =?UTF-8?", "To: =?UTF-8?", "Subject: =?UTF-8?");
        assertThat(headers.chars()).allMatch(c -> c < 0x80);
        MimeMessage m = parse(got.data());
        assertThat(((InternetAddress) m.getFrom()[0]).getPersonal()).isEqualTo("Jörg Müller");
        assertThat(((InternetAddress) m.getAllRecipients()[0]).getPersonal()).isEqualTo("Zoë");
        assertThat(m.getSubject()).isEqualTo("Grüße aus Köln");
    }

    private static void assertSevenBit(byte[] data) {
        for (int i = 0; i < data.length; i++) {
            assertThat(data[i] >= 0).as("octet %d is 7-bit", i).isTrue();
        }
    }

    private static MimeMessage parse(byte[] data) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(data));
    }
}
