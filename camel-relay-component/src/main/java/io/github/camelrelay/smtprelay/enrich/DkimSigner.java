package io.github.camelrelay.smtprelay.enrich;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

import io.github.camelrelay.smtprelay.delivery.MessageContent;
import io.github.camelrelay.smtprelay.mail.Domain;
import io.github.camelrelay.smtprelay.mail.HeaderSection;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.james.jdkim.api.BodyHasher;
import org.apache.james.jdkim.api.Headers;
import org.apache.james.jdkim.exceptions.FailException;
import org.apache.james.mime4j.io.EOLConvertingInputStream;

/**
 * Signs the message with DKIM (RFC 6376, rsa-sha256, relaxed/relaxed) using Apache James jDKIM and puts the
 * DKIM-Signature header at the top. Must be the last change to the message: the delivery's own Received header is
 * added above the signature later and is not covered by it, as RFC 6376 section 5.4 recommends.
 * <p>
 * Only the header section is held in memory; the body streams through the body hash, so a large message is signed
 * from its spool file. A message with an 8-bit body is converted to 7-bit first (RFC 6376 5.3), held in memory then,
 * so the signature survives any next hop: one without 8BITMIME would otherwise get a converted, broken, signature.
 */
public final class DkimSigner implements Processor, MessageCheck {

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

    /** A message without a From header cannot be signed (RFC 6376 5.4): refused with 5.7.1. */
    @Override
    public void check(Exchange exchange) throws io.github.camelrelay.smtprelay.InvalidMailException {
        boolean from;
        try {
            from = RawMessages.headers(RawMessages.content(exchange)).has("From");
        } catch (IOException | jakarta.mail.MessagingException | RuntimeException e) {
            // unreadable here: the delivery's own enrichment says what is wrong
            return;
        }
        if (!from) {
            throw new io.github.camelrelay.smtprelay.InvalidMailException(
                    "Expected a From header to sign with DKIM (RFC 6376 5.4) but the message has none", "5.7.1", exchange, null);
        }
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        MessageContent content = RawMessages.content(exchange);
        if (io.github.camelrelay.smtprelay.delivery.EightBit.scan(content).body()) {
            // RFC 6376 5.3: signed as 7-bit, so a next hop without 8BITMIME gets the very bytes that were signed
            content = io.github.camelrelay.smtprelay.delivery.EightBit.toSevenBit(content);
        }
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
        String signature = sign(template, key, content);
        RawMessages.prepend(exchange, content, signature.endsWith("\r\n") ? signature : signature + "\r\n");
    }

    /**
     * Through jDKIM's header-and-body-hasher API rather than its {@code sign(InputStream)}, which parses the whole
     * message with mime4j into memory (a 25 MiB message took 27 MiB of heap there). The message is read as jDKIM's
     * own parsing reads it: bare CR and LF taken as CRLF, header fields as they are, folding kept.
     */
    static String sign(String template, PrivateKey key, MessageContent content) throws IOException, FailException {
        org.apache.james.jdkim.DKIMSigner signer = new org.apache.james.jdkim.DKIMSigner(template, key);
        BodyHasher body = signer.newBodyHasher(signer.newSignatureRecordTemplate(template));
        List<String> fields = new ArrayList<>();
        try (InputStream in = new BufferedInputStream(new EOLConvertingInputStream(content.open()), 8192);
                OutputStream hash = body.getOutputStream()) {
            hash.write(readFields(in, fields));
            in.transferTo(hash);
        }
        return signer.sign(new Fields(fields), body);
    }

    /**
     * Reads the header section into {@code fields}, each field's raw text without its last CRLF; returns what was
     * read of the body: nothing after the blank line, or the line that ended a section without one.
     */
    private static byte[] readFields(InputStream in, List<String> fields) throws IOException {
        ByteArrayOutputStream field = new ByteArrayOutputStream(256);
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        long total = 0;
        while (true) {
            line.reset();
            int b;
            while ((b = in.read()) >= 0) {
                line.write(b);
                if (b == '\n') {
                    break;
                }
            }
            total += line.size();
            if (total > HeaderSection.MAX_BYTES) {
                throw new IllegalArgumentException("Expected a header section of at most " + HeaderSection.MAX_BYTES
                                                   + " octets to sign but found more");
            }
            byte[] bytes = line.toByteArray();
            boolean continuation = bytes.length > 0 && (bytes[0] == ' ' || bytes[0] == '\t');
            if (continuation && field.size() > 0) {
                field.write(bytes);
                continue;
            }
            addField(field, fields);
            if (bytes.length == 0 || (bytes[0] == '\r' && bytes.length <= 2)) {
                return new byte[0];
            }
            if (indexOf(bytes, (byte) ':') <= 0) {
                return bytes;
            }
            field.write(bytes);
        }
    }

    private static void addField(ByteArrayOutputStream field, List<String> fields) {
        if (field.size() > 0) {
            byte[] raw = field.toByteArray();
            int end = raw.length;
            while (end > 0 && (raw[end - 1] == '\n' || raw[end - 1] == '\r')) {
                end--;
            }
            // the default charset, as jDKIM's own parsing decodes fields and its signing encodes them
            fields.add(new String(raw, 0, end, Charset.defaultCharset()));
            field.reset();
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** The fields in jDKIM's terms: all of them in order, or those of one name (case-insensitive) in order. */
    private record Fields(List<String> all) implements Headers {

        @Override
        public List<String> getFields() {
            return all;
        }

        @Override
        public List<String> getFields(String name) {
            List<String> named = new ArrayList<>();
            String wanted = name.toLowerCase(Locale.ROOT);
            for (String f : all) {
                int colon = f.indexOf(':');
                if (colon > 0 && f.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals(wanted)) {
                    named.add(f);
                }
            }
            return named;
        }
    }
}
