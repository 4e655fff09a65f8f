package io.github.camelrelay.smtprelay.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.github.camelrelay.smtprelay.InvalidMailException;
import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Input that cannot be sent fails with an InvalidMailException before any DNS query or connection. */
class InvalidInputTest extends ProducerTestSupport {

    @AfterEach
    void nothingWasContacted() {
        assertThat(mx1.connections()).as("connections to mx1").isZero();
        assertThat(mx2.connections()).as("connections to mx2").isZero();
        assertThat(dns.queries()).as("DNS queries").isZero();
    }

    private InvalidMailException invalid(Object body, Map<String, Object> headers) {
        Exchange exchange = send(mxUri(), body, headers);
        assertThat(exchange.getException()).isInstanceOf(InvalidMailException.class);
        assertThat(exchange.getMessage().getHeader(SmtpRelayConstants.REPORT)).isNull();
        return (InvalidMailException) exchange.getException();
    }

    @Test
    void noRecipients() {
        String raw = "From: alice@sender.test\r\nSubject: nobody\r\n\r\nbody\r\n";

        InvalidMailException e = invalid(raw, Map.of());

        assertThat(e).hasMessageContaining("Expected at least one recipient");
        assertThat(e.getEnhancedStatus()).isEqualTo("5.1.3");
    }

    @Test
    void emptyRecipientsHeader() {
        assertThat(invalid(RAW, Map.of(SmtpRelayConstants.RECIPIENTS, List.of())))
                .hasMessageContaining("at least one recipient");
    }

    @Test
    void malformedRecipient() {
        assertThat(invalid(RAW, Map.of(SmtpRelayConstants.RECIPIENTS, "not-an-address")))
                .hasMessageContaining("not-an-address");
    }

    @Test
    void malformedRecipientDomain() {
        assertThat(invalid(RAW, Map.of(SmtpRelayConstants.RECIPIENTS, "bob@exa mple.test")))
                .hasMessageContaining("bob@exa mple.test");
    }

    @Test
    void malformedAddressLiteral() {
        assertThat(invalid(RAW, Map.of(SmtpRelayConstants.RECIPIENTS, "postmaster@[127.0.2]")))
                .hasMessageContaining("[127.0.2]");
    }

    @Test
    void malformedAddressInTheMessage() {
        String raw = RAW.replace("carol@example.test", "carol@@example.test");

        assertThat(invalid(raw, Map.of())).isInstanceOf(InvalidMailException.class);
    }

    @Test
    void malformedSender() {
        assertThat(invalid(RAW, Map.of(SmtpRelayConstants.ENVELOPE_FROM, "alice at sender.test")))
                .hasMessageContaining("alice at sender.test");
    }

    @Test
    void noSender() {
        String raw = "To: bob@example.test\r\nSubject: anonymous\r\n\r\nbody\r\n";

        assertThat(invalid(raw, Map.of())).hasMessageContaining("envelope sender");
    }

    @Test
    void lineBreakInEnvelopeRecipient() {
        InvalidMailException e = invalid(RAW, Map.of(SmtpRelayConstants.RECIPIENTS,
                List.of("bob@example.test\r\nRCPT TO:<evil@example.test>")));

        assertThat(e).hasMessageContaining("\\r\\n").hasMessageNotContaining("\r\n");
    }

    @Test
    void lineFeedInEnvelopeRecipientList() {
        assertThat(invalid(RAW, Map.of(SmtpRelayConstants.RECIPIENTS, "bob@example.test,\nevil@example.test")))
                .hasMessageContaining("\\n");
    }

    @Test
    void lineBreakInEnvelopeSender() {
        assertThat(invalid(RAW, Map.of(SmtpRelayConstants.ENVELOPE_FROM, "alice@sender.test>\r\nRCPT TO:<evil@example.test")))
                .hasMessageContaining("control characters");
    }

    @Test
    void carriageReturnInToHeaderOfAComposedMessage() {
        assertThat(invalid("text", Map.of("To", "bob@example.test\rBcc: evil@example.test", "From", "alice@sender.test")))
                .hasMessageContaining("To header");
    }

    @Test
    void lineFeedInSubjectOfAComposedMessage() {
        assertThat(invalid("text", Map.of("To", "bob@example.test", "From", "alice@sender.test",
                "Subject", "hello\nBcc: evil@example.test")))
                .hasMessageContaining("Subject header");
    }

    @Test
    void lineBreakInFromOfAComposedMessage() {
        assertThat(invalid("text", Map.of("To", "bob@example.test", "From", "alice@sender.test\r\nX-Evil: 1")))
                .hasMessageContaining("From header");
    }

    @Test
    void malformedToOfAComposedMessage() {
        assertThat(invalid("text", Map.of("To", "bob@", "From", "alice@sender.test")))
                .isInstanceOf(InvalidMailException.class);
    }

    @Test
    void noBody() {
        assertThat(invalid(null, Map.of())).hasMessageContaining("Expected a message body");
    }

    @Test
    void emptyBody() {
        assertThat(invalid(new byte[0], Map.of())).hasMessageContaining("empty");
    }

    @Test
    void plainTextWithoutMailHeadersIsNotAMessage() {
        assertThat(invalid("just some text without any header\r\n", Map.of())).isInstanceOf(InvalidMailException.class);
    }

    @Test
    void aBodyThatIsNeitherAMessageNorConvertible() {
        assertThat(invalid(new Object(), Map.of())).hasMessageContaining("java.lang.Object");
    }
}
