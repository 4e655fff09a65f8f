package io.github.camelrelay.smtprelay.enrich;

import java.io.IOException;
import java.io.InputStream;

import io.github.camelrelay.smtprelay.delivery.MessageContent;
import jakarta.mail.MessagingException;
import org.apache.camel.Exchange;
import org.apache.camel.StreamCache;
import org.apache.camel.converter.stream.CachedOutputStream;

/** Puts header lines in front of the raw message in the exchange body without reading it into memory. */
final class RawMessages {

    private RawMessages() {
    }

    static void prepend(Exchange exchange, MessageContent content, String headerLines) throws IOException {
        CachedOutputStream out = new CachedOutputStream(exchange);
        out.write(headerLines.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        content.writeTo(out);
        StreamCache cache = out.newStreamCache();
        exchange.getMessage().setBody(cache);
    }

    static MessageContent content(Exchange exchange) throws IOException, MessagingException {
        return MessageContent.of(exchange);
    }

    static io.github.camelrelay.smtprelay.mail.HeaderSection headers(MessageContent content) throws IOException {
        try (InputStream in = content.open()) {
            return io.github.camelrelay.smtprelay.mail.HeaderSection.read(in);
        }
    }
}
