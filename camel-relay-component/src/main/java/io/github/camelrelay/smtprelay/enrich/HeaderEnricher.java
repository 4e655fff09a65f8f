package io.github.camelrelay.smtprelay.enrich;

import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import io.github.camelrelay.smtprelay.delivery.MessageContent;
import io.github.camelrelay.smtprelay.mail.Domain;
import jakarta.mail.internet.MailDateFormat;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Adds what RFC 5322 requires and submission servers add (RFC 6409 section 8): a Message-ID and a Date when the
 * message has none, and configured extra headers. The body must be a complete message; it stays byte for byte the
 * same below the added lines.
 */
public final class HeaderEnricher implements Processor {

    private final String idDomain;
    private final Map<String, String> extraHeaders;

    /**
     * @param idDomain     the right-hand side of generated Message-IDs, usually the relay's host name
     * @param extraHeaders header name to value, added to every message; names and values are checked for CR/LF
     */
    public HeaderEnricher(String idDomain, Map<String, String> extraHeaders) {
        this.idDomain = Domain.of(idDomain).name();
        Map<String, String> copy = new LinkedHashMap<>();
        extraHeaders.forEach((name, value) -> {
            if (!name.matches("[!-9;-~]+")) {
                throw new IllegalArgumentException("Expected a header name of printable characters without ':' but found '" + name + "'");
            }
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("Expected the value of header " + name + " without CR or LF");
            }
            copy.put(name, value);
        });
        this.extraHeaders = Map.copyOf(copy);
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        MessageContent content = RawMessages.content(exchange);
        var headers = RawMessages.headers(content);
        StringBuilder add = new StringBuilder();
        if (!headers.has("Message-ID")) {
            add.append("Message-ID: <").append(UUID.randomUUID()).append('@').append(idDomain).append(">\r\n");
        }
        if (!headers.has("Date")) {
            add.append("Date: ").append(new MailDateFormat().format(new Date(exchange.getClock().getCreated()))).append("\r\n");
        }
        extraHeaders.forEach((name, value) -> add.append(name).append(": ").append(value).append("\r\n"));
        if (add.length() > 0) {
            RawMessages.prepend(exchange, content, add.toString());
        }
    }
}
