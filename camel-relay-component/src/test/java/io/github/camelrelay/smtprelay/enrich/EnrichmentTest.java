package io.github.camelrelay.smtprelay.enrich;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.james.jdkim.DKIMVerifier;
import org.apache.james.jdkim.exceptions.PermFailException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnrichmentTest {

    private static final String MESSAGE = "From: alice@example.com\r\nTo: bob@example.net\r\nSubject: hello\r\n\r\nHi Bob\r\n";
    private static DefaultCamelContext context;
    private static KeyPair keys;

    @BeforeAll
    static void start() throws Exception {
        context = new DefaultCamelContext();
        context.start();
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        keys = g.generateKeyPair();
    }

    @AfterAll
    static void stop() {
        context.stop();
    }

    private static Exchange exchange(String body) {
        Exchange e = new DefaultExchange(context);
        e.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        return e;
    }

    private static String body(Exchange e) {
        return e.getMessage().getBody(String.class);
    }

    @Test
    void addsMessageIdDateAndExtraHeadersAboveTheUnchangedMessage() throws Exception {
        Exchange e = exchange(MESSAGE);
        new HeaderEnricher("relay.example.com", Map.of("X-Relayed-By", "camel")).process(e);
        String out = body(e);
        assertThat(out).endsWith(MESSAGE);
        String added = out.substring(0, out.length() - MESSAGE.length());
        assertThat(added).matches("(?s)Message-ID: <[0-9a-f-]{36}@relay\\.example\\.com>\r\nDate: [^\r\n]+\r\nX-Relayed-By: camel\r\n");
        MimeMessage parsed = new MimeMessage(Session.getInstance(new java.util.Properties()), new ByteArrayInputStream(out.getBytes(StandardCharsets.UTF_8)));
        assertThat(parsed.getSentDate()).isNotNull();
    }

    @Test
    void keepsAnExistingMessageIdAndDate() throws Exception {
        String msg = "Message-ID: <x@y>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n" + MESSAGE;
        Exchange e = exchange(msg);
        new HeaderEnricher("relay.example.com", Map.of()).process(e);
        assertThat(body(e)).isEqualTo(msg);
    }

    @Test
    void refusesHeaderInjectionInConfiguredHeaders() {
        assertThatThrownBy(() -> new HeaderEnricher("relay.example.com", Map.of("X-A", "v\r\nBcc: evil@example.org")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CR or LF");
    }

    @Test
    void dkimSignatureVerifiesAndBreaksWhenTheBodyChanges() throws Exception {
        Exchange e = exchange(MESSAGE);
        new DkimSigner("example.com", "s1", keys.getPrivate(), DkimSigner.DEFAULT_SIGNED_HEADERS).process(e);
        String signed = body(e);
        assertThat(signed).startsWith("DKIM-Signature:").endsWith(MESSAGE).contains("d=example.com", "s=s1", "h=from:to:subject");

        String record = "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
        DKIMVerifier verifier = new DKIMVerifier((method, selector, domain) -> {
            assertThat(selector.toString()).isEqualTo("s1");
            assertThat(domain.toString()).isEqualTo("example.com");
            return List.of(record);
        });
        assertThat(verifier.verify(new ByteArrayInputStream(signed.getBytes(StandardCharsets.UTF_8)))).hasSize(1);

        String tampered = signed.replace("Hi Bob", "Hi Eve");
        assertThatThrownBy(() -> new DKIMVerifier((m, s, d) -> List.of(record))
                .verify(new ByteArrayInputStream(tampered.getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(PermFailException.class);
    }

    @Test
    void dkimSigningStreamsTheBodyAndSignsExactlyAsJdkimsOwnParsingDoes() throws Exception {
        String template = "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=s1; h=from:to:subject; bh=; b=;";
        List<String> messages = List.of(MESSAGE,
                // folding, a repeated field, space before the colon, white space runs, trailing blank lines
                "From: Alice\r\n <alice@example.com>\r\nTo: bob@example.net\r\nTo : carol@example.net\r\nSubject:  a\t folded\r\n"
                + "\tsubject  \r\n\r\nline  one \r\n\r\n  line\tthree\r\n\r\n\r\n",
                "From: alice@example.com\r\nTo: bob@example.net\r\n\r\n",
                "From: alice@example.com\r\nSubject: no body, no blank line",
                "From: alice@example.com\nTo: bob@example.net\nSubject: bare LF\n\nline\nline\n",
                "From: alice@example.com\r\nTo: bob@example.net\r\nSubject: large\r\n\r\n" + "0123456789abcdef ".repeat(40_000) + "\r\n");
        for (String m : messages) {
            byte[] bytes = m.getBytes(StandardCharsets.UTF_8);
            String expected = new org.apache.james.jdkim.DKIMSigner(template, keys.getPrivate()).sign(new ByteArrayInputStream(bytes));
            assertThat(DkimSigner.sign(template, keys.getPrivate(), io.github.camelrelay.smtprelay.delivery.MessageContent.of(bytes)))
                    .as("signature of %s", m.length() > 80 ? m.substring(0, 80) + "..." : m).isEqualTo(expected);
        }
    }

    @Test
    void dkimNeedsAFromHeader() {
        Exchange e = exchange("To: bob@example.net\r\n\r\nno sender\r\n");
        assertThatThrownBy(() -> new DkimSigner("example.com", "s1", keys.getPrivate(), DkimSigner.DEFAULT_SIGNED_HEADERS).process(e))
                .hasMessageContaining("From");
    }

    @Test
    void readsPkcs8PemKeys() {
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                     + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPrivate().getEncoded())
                     + "\n-----END PRIVATE KEY-----\n";
        assertThat(DkimSigner.readPkcs8Pem(pem)).isEqualTo(keys.getPrivate());
        assertThatThrownBy(() -> DkimSigner.readPkcs8Pem("not a key")).hasMessageContaining("PKCS#8");
    }
}
