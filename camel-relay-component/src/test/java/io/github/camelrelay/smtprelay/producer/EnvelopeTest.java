package io.github.camelrelay.smtprelay.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import io.github.camelrelay.smtprelay.testsupport.TestSmtpServer.Received;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

/**
 * The envelope: CamelSmtpRelayEnvelopeFrom and CamelSmtpRelayRecipients override what the message says; without
 * them the sender is the Sender or From header and the recipients are To, Cc and Bcc.
 */
class EnvelopeTest extends ProducerTestSupport {

    @Test
    void envelopeHeadersOverrideTheMessage() {
        Exchange exchange = send(mxUri(), RAW, Map.of(
                SmtpRelayConstants.ENVELOPE_FROM, "bounces+123@sender.test",
                SmtpRelayConstants.RECIPIENTS, List.of("zoe@example.test", "<yann@example.test>")));

        assertThat(exchange.getException()).isNull();
        Received received = mx1.awaitMessage(WAIT);
        assertThat(received.mailFrom()).isEqualTo("bounces+123@sender.test");
        assertThat(received.recipients()).containsExactly("zoe@example.test", "yann@example.test");
        assertSameBytes(withoutReceived(received.data()), RAW_BYTES);
        assertThat(mx1.commands()).contains("MAIL FROM:<bounces+123@sender.test> SIZE=" + received.data().length + " BODY=8BITMIME")
                .doesNotContain("RCPT TO:<bob@example.test>", "RCPT TO:<carol@example.test>");
    }

    @Test
    void recipientsMayBeACommaSeparatedList() {
        Exchange exchange = send(mxUri(), RAW, Map.of(SmtpRelayConstants.RECIPIENTS, " a@example.test, b@example.test ,c@example.test"));

        assertThat(exchange.getException()).isNull();
        assertThat(mx1.awaitMessage(WAIT).recipients()).containsExactly("a@example.test", "b@example.test", "c@example.test");
    }

    @Test
    void recipientsMayBeAnyCollectionAndDuplicatesAreSentOnce() {
        LinkedHashSet<String> set = new LinkedHashSet<>(List.of("a@example.test", "b@EXAMPLE.test.", "b@example.test"));

        Exchange exchange = send(mxUri(), RAW, Map.of(SmtpRelayConstants.RECIPIENTS, set));

        assertThat(exchange.getException()).isNull();
        assertThat(mx1.awaitMessage(WAIT).recipients()).containsExactly("a@example.test", "b@example.test");
        assertThat(report(exchange).statuses()).hasSize(2);
    }

    @Test
    void emptyEnvelopeFromIsTheNullSender() {
        Exchange exchange = send(mxUri(), RAW, Map.of(SmtpRelayConstants.ENVELOPE_FROM, ""));

        assertThat(exchange.getException()).isNull();
        assertThat(mx1.awaitMessage(WAIT).mailFrom()).isEmpty();
        assertThat(mx1.commands()).anyMatch(c -> c.startsWith("MAIL FROM:<> "));
    }

    @Test
    void angleBracketsEnvelopeFromIsTheNullSender() {
        Exchange exchange = send(mxUri(), RAW, Map.of(SmtpRelayConstants.ENVELOPE_FROM, "<>"));

        assertThat(exchange.getException()).isNull();
        assertThat(mx1.awaitMessage(WAIT).mailFrom()).isEmpty();
    }

    @Test
    void senderHeaderWinsOverFrom() {
        String raw = "Sender: list-owner@lists.test\r\n" + RAW;

        Exchange exchange = send(mxUri(), raw);

        assertThat(exchange.getException()).isNull();
        assertThat(mx1.awaitMessage(WAIT).mailFrom()).isEqualTo("list-owner@lists.test");
    }

    @Test
    void recipientsOfTheMessageAreToCcAndBccIncludingGroups() {
        String raw = "From: alice@sender.test\r\n"
                     + "To: Team: bob@example.test, \"Carol C.\" <carol@example.test>;, eve@example.test\r\n"
                     + "Cc: frank@example.test\r\n"
                     + "Bcc: grace@example.test\r\n"
                     + "Subject: all\r\n\r\nbody\r\n";

        Exchange exchange = send(mxUri(), raw);

        assertThat(exchange.getException()).isNull();
        assertThat(mx1.awaitMessage(WAIT).recipients()).containsExactly("bob@example.test", "carol@example.test",
                "eve@example.test", "frank@example.test", "grace@example.test");
    }

    @Test
    void whenTheRecipientsComeFromTheHeadersBccIsLeftOutOfTheBytesSent() throws Exception {
        String raw = "From: alice@sender.test\r\n"
                     + "To: bob@example.test\r\n"
                     + "bcc: grace@example.test,\r\n"
                     + "\theidi@example.test\r\n"
                     + "Subject: blind\r\n"
                     + "BCC: ivan@example.test\r\n"
                     + "\r\n"
                     + "Bcc: not a header, in the body\r\n";
        String expected = "From: alice@sender.test\r\nTo: bob@example.test\r\nSubject: blind\r\n\r\n"
                          + "Bcc: not a header, in the body\r\n";

        Exchange exchange = send(mxUri(), raw);

        assertThat(exchange.getException()).isNull();
        Received received = mx1.awaitMessage(WAIT);
        assertThat(received.recipients()).containsExactly("bob@example.test", "grace@example.test", "heidi@example.test",
                "ivan@example.test");
        assertThat(withoutReceived(received.text())).isEqualTo(expected);
        assertThat(mx1.commands()).contains("MAIL FROM:<alice@sender.test> SIZE=" + received.data().length);

        jakarta.mail.internet.MimeMessage mime = new jakarta.mail.internet.MimeMessage(
                jakarta.mail.Session.getInstance(new java.util.Properties()),
                new java.io.ByteArrayInputStream(raw.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        assertThat(send(mxUri(), mime).getException()).isNull();
        Received fromMime = mx1.awaitMessage(WAIT);
        assertThat(fromMime.recipients()).contains("grace@example.test");
        String sent = withoutReceived(fromMime.text());
        assertThat(sent.substring(0, sent.indexOf("\r\n\r\n"))).doesNotContainIgnoringCase("bcc");
        assertThat(sent).endsWith("\r\n\r\nBcc: not a header, in the body\r\n");
    }

    @Test
    void withExplicitRecipientsTheMessageIsRelayedAsItIs() {
        String raw = "From: alice@sender.test\r\nTo: bob@example.test\r\nBcc: grace@example.test\r\n\r\nbody\r\n";

        Exchange exchange = send(mxUri(), raw, Map.of(SmtpRelayConstants.RECIPIENTS, "grace@example.test"));

        assertThat(exchange.getException()).isNull();
        assertThat(withoutReceived(mx1.awaitMessage(WAIT).text())).isEqualTo(raw);
    }

    @Test
    void composedMessageTakesItsEnvelopeFromTheHeadersToo() {
        Exchange exchange = send(mxUri(), "text", Map.of(
                "To", "bob@example.test", "Bcc", "hidden@example.test",
                SmtpRelayConstants.ENVELOPE_FROM, "<>",
                SmtpRelayConstants.RECIPIENTS, "only@example.test"));

        assertThat(exchange.getException()).isNull();
        Received received = mx1.awaitMessage(WAIT);
        assertThat(received.mailFrom()).isEmpty();
        assertThat(received.recipients()).containsExactly("only@example.test");
        assertThat(withoutReceived(received.text())).contains("To: bob@example.test").doesNotContain("hidden");
    }

    @Test
    void composedMessageWithoutFromUsesTheEnvelopeSenderAsFrom() {
        Exchange exchange = send(mxUri(), "text", Map.of(
                "To", "bob@example.test", SmtpRelayConstants.ENVELOPE_FROM, "robot@sender.test"));

        assertThat(exchange.getException()).isNull();
        Received received = mx1.awaitMessage(WAIT);
        assertThat(received.mailFrom()).isEqualTo("robot@sender.test");
        assertThat(withoutReceived(received.text())).contains("From: robot@sender.test");
    }
}
