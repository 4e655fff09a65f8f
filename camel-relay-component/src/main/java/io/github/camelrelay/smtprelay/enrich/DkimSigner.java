package io.github.camelrelay.smtprelay.enrich;

import java.io.InputStream;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;

import io.github.camelrelay.smtprelay.delivery.MessageContent;
import io.github.camelrelay.smtprelay.mail.Domain;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Signs the message with DKIM (RFC 6376, rsa-sha256, relaxed/relaxed) using Apache James jDKIM and puts the
 * DKIM-Signature header at the top. Must be the last change to the message: the delivery's own Received header is
 * added above the signature later and is not covered by it, as RFC 6376 section 5.4 recommends.
 */
public final class DkimSigner implements Processor {

    /** The headers signed when present; From is mandatory in a signature (RFC 6376 section 5.4). */
    public static final List<String> DEFAULT_SIGNED_HEADERS =
            List.of("From", "To", "Cc", "Subject", "Date", "Message-ID", "Reply-To", "In-Reply-To", "References",
                    "MIME-Version", "Content-Type", "Content-Transfer-Encoding");

    private final String domain;
    private final String selector;
    private final PrivateKey key;
    private final List<String> signedHeaders;

    public DkimSigner(String domain, String selector, PrivateKey key, List<String> signedHeaders) {
        this.domain = Domain.of(domain).name();
        if (selector == null || !selector.matches("[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")) {
            throw new IllegalArgumentException("Expected a DKIM selector made of letters, digits, '.', '_' and '-' but found '" + selector + "'");
        }
        this.selector = selector;
        this.key = key;
        this.signedHeaders = List.copyOf(signedHeaders);
    }

    /**
     * Reads an RSA private key in PKCS#8 PEM form ({@code -----BEGIN PRIVATE KEY-----}), as {@code openssl genpkey}
     * writes it.
     */
    public static PrivateKey readPkcs8Pem(String pem) {
        String base64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (Exception e) {
            throw new IllegalArgumentException("Expected an RSA private key in PKCS#8 PEM form (BEGIN PRIVATE KEY) but could not read it: "
                                               + e.getMessage(), e);
        }
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        MessageContent content = RawMessages.content(exchange);
        var present = RawMessages.headers(content);
        StringBuilder h = new StringBuilder();
        for (String name : signedHeaders) {
            if (present.has(name)) {
                h.append(h.length() == 0 ? "" : ":").append(name.toLowerCase(java.util.Locale.ROOT));
            }
        }
        if (!present.has("From")) {
            throw new IllegalArgumentException("Expected a From header to sign with DKIM (RFC 6376 5.4) but the message has none");
        }
        String template = "v=1; a=rsa-sha256; c=relaxed/relaxed; d=" + domain + "; s=" + selector + "; h=" + h + "; bh=; b=;";
        String signature;
        try (InputStream in = content.open()) {
            signature = new org.apache.james.jdkim.DKIMSigner(template, key).sign(in);
        }
        RawMessages.prepend(exchange, content, signature.endsWith("\r\n") ? signature : signature + "\r\n");
    }
}
