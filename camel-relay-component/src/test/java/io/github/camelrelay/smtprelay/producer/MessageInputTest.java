package io.github.camelrelay.smtprelay.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.github.camelrelay.smtprelay.report.Outcome;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two kinds of input: a complete RFC 5322 message (MimeMessage, byte[], InputStream, String, File) relayed byte
 * for byte apart from one Received header at the top, and camel-mail style text plus headers composed into one.
 */
class MessageInputTest extends ProducerTestSupport {

    private static final Session SESSION = Session.getInstance(new Properties());

    @TempDir
    Path tmp;

    private Received relayOne(Object body) {
        Exchange exchange = send(mxUri(), body);
        assertThat(exchange.getException()).isNull();
        assertThat(report(exchange).allDelivered()).isTrue();
        Received received = mx1.awaitMessage(WAIT);
        assertThat(received.mailFrom()).isEqualTo("alice@sender.test");
        assertThat(received.recipients()).containsExactly("bob@example.test", "carol@example.test");
        return received;
    }

    @Test
    void byteArrayIsRelayedByteForByteAfterOneReceivedHeader() {
        Received received = relayOne(RAW_BYTES.clone());

        assertSameBytes(withoutReceived(received.data()), RAW_BYTES);
    }

    @Test
    void stringIsRelayedByteForByteAsUtf8() {
        Received received = relayOne(RAW);

        assertSameBytes(withoutReceived(received.data()), RAW_BYTES);
    }

    @Test
    void inputStreamIsRelayedByteForByte() {
        Received received = relayOne(new ByteArrayInputStream(RAW_BYTES));

        assertSameBytes(withoutReceived(received.data()), RAW_BYTES);
    }

    @Test
    void fileIsRelayedByteForByte() throws Exception {
        File file = Files.write(tmp.resolve("message.eml"), RAW_BYTES).toFile();

        Received received = relayOne(file);

        assertSameBytes(withoutReceived(received.data()), RAW_BYTES);
        assertThat(file).exists().hasBinaryContent(RAW_BYTES);
    }

    @Test
    void parsedMimeMessageIsRelayedByteForByte() throws Exception {
        MimeMessage message = new MimeMessage(SESSION, new ByteArrayInputStream(RAW_BYTES));

        Received received = relayOne(message);

        assertSameBytes(withoutReceived(received.data()), RAW_BYTES);
    }

    @Test
    void withoutReceivedHeaderTheBytesAreExactlyTheInput() {
        Exchange exchange = send(mxUri("&addReceivedHeader=false"), RAW_BYTES.clone());

        assertThat(exchange.getException()).isNull();
        assertSameBytes(mx1.awaitMessage(WAIT).data(), RAW_BYTES);
    }

    @Test
    void aMessageForTwoDomainsIsSentIdenticallyInBothTransactions() {
        dns.mx("other.test", 10, "mx2.example.test");
        String raw = RAW.replace("\tcarol@example.test", "\tcarol@other.test");

        Exchange exchange = send(mxUri(), raw);

        assertThat(exchange.getException()).isNull();
        Received first = mx1.awaitMessage(WAIT);
        Received second = mx2.awaitMessage(WAIT);
        assertThat(first.recipients()).containsExactly("bob@example.test");
        assertThat(second.recipients()).containsExactly("carol@other.test");
        assertThat(first.data()).isEqualTo(second.data());
        assertThat(withoutReceived(second.text())).isEqualTo(raw);
    }

    @Test
    void bodyTextWithMailHeadersIsComposedTheCamelMailWay() throws Exception {
        Exchange exchange = send(mxUri(), "Hello Bob,\nsee you.", Map.of(
                "To", "Bob <bob@example.test>",
                "Cc", "carol@example.test",
                "Bcc", "dave@example.test",
                "From", "Alice <alice@sender.test>",
                "Subject", "Grüße"));

        assertThat(exchange.getException()).isNull();
        assertThat(report(exchange).recipients(Outcome.DELIVERED)).map(Object::toString)
                .containsExactly("bob@example.test", "carol@example.test", "dave@example.test");
        Received received = mx1.awaitMessage(WAIT);
        assertThat(received.mailFrom()).isEqualTo("alice@sender.test");
        assertThat(received.recipients()).containsExactly("bob@example.test", "carol@example.test", "dave@example.test");

        String sent = withoutReceived(received.text());
        assertThat(sent).doesNotContainIgnoringCase("Bcc:").doesNotContain("dave@example.test");
        MimeMessage parsed = new MimeMessage(SESSION, new ByteArrayInputStream(received.data()));
        assertThat(parsed.getRecipients(RecipientType.TO)).extracting(a -> ((InternetAddress) a).getAddress())
                .containsExactly("bob@example.test");
        assertThat(parsed.getRecipients(RecipientType.CC)).extracting(a -> ((InternetAddress) a).getAddress())
                .containsExactly("carol@example.test");
        assertThat(parsed.getHeader("Bcc")).isNull();
        assertThat(((InternetAddress) parsed.getFrom()[0]).getAddress()).isEqualTo("alice@sender.test");
        assertThat(parsed.getSubject()).isEqualTo("Grüße");
        assertThat(parsed.getSentDate()).isNotNull();
        assertThat(parsed.getMessageID()).isNotBlank();
        assertThat(parsed.getContentType()).startsWith("text/plain");
        // SMTP ends the data on a line of its own, so the server sees a final CRLF after the text
        assertThat(((String) parsed.getContent()).replace("\r\n", "\n")).isEqualTo("Hello Bob,\nsee you.\n");
    }

    @Test
    void composedHtmlUsesTheContentTypeHeader() throws Exception {
        Exchange exchange = send(mxUri(), "<p>Hi</p>", Map.of(
                "To", "bob@example.test", "From", "alice@sender.test", "Content-Type", "text/html; charset=UTF-8"));

        assertThat(exchange.getException()).isNull();
        MimeMessage parsed = new MimeMessage(SESSION, new ByteArrayInputStream(mx1.awaitMessage(WAIT).data()));
        assertThat(parsed.getContentType()).startsWith("text/html");
        assertThat(parsed.getContent()).isEqualTo("<p>Hi</p>\r\n");
    }

    @Test
    void aMimeMessageBodyIsNeverRecomposedEvenWithToHeaders() throws Exception {
        MimeMessage message = new MimeMessage(SESSION, new ByteArrayInputStream(RAW_BYTES));

        Exchange exchange = send(mxUri(), message, Map.of("To", "someone-else@example.test"));

        assertThat(exchange.getException()).isNull();
        Received received = mx1.awaitMessage(WAIT);
        assertThat(received.recipients()).containsExactly("bob@example.test", "carol@example.test");
        assertSameBytes(withoutReceived(received.data()), RAW_BYTES);
    }

    @Test
    void aStreamBodyIsLeftReadableForLaterProcessorsOfTheRoute() throws Exception {
        List<String> after = new java.util.concurrent.CopyOnWriteArrayList<>();
        context.addRoutes(new org.apache.camel.builder.RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").to(mxUri()).process(e -> after.add(e.getMessage().getBody(String.class)));
            }
        });

        template.sendBody("direct:in", new ByteArrayInputStream(RAW_BYTES));

        assertSameBytes(withoutReceived(mx1.awaitMessage(WAIT).data()), RAW_BYTES);
        assertThat(after).containsExactly(RAW);
    }

    @Test
    void aLargeStreamIsSentCompletely() {
        StringBuilder sb = new StringBuilder(RAW.substring(0, RAW.indexOf("\r\n\r\n") + 4));
        for (int i = 0; i < 40_000; i++) {
            sb.append(i % 7 == 0 ? "." : "").append("line ").append(i).append(" of a long message\r\n");
        }
        byte[] big = sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);

        Exchange exchange = send(mxUri(), new ByteArrayInputStream(big));

        assertThat(exchange.getException()).isNull();
        assertSameBytes(withoutReceived(mx1.awaitMessage(WAIT).data()), big);
    }

    @Test
    void theSameBytesGoToEveryBatch() {
        Exchange exchange = send(mxUri("&batchSize=1"), new ByteArrayInputStream(RAW_BYTES));

        assertThat(exchange.getException()).isNull();
        List<Received> received = mx1.awaitMessages(2, WAIT);
        assertThat(received).extracting(Received::recipients)
                .containsExactly(List.of("bob@example.test"), List.of("carol@example.test"));
        assertSameBytes(withoutReceived(received.get(0).data()), RAW_BYTES);
        assertSameBytes(withoutReceived(received.get(1).data()), RAW_BYTES);
    }
}
