package io.github.camelrelay.springboot;

import org.apache.camel.Exchange;

/**
 * An application's own step in the relay's enrichment: name a bean of this type (or a Camel
 * {@link org.apache.camel.Processor}) in {@code camel.smtprelay.relay.enrichment.hook} and it runs once per message,
 * before its first delivery attempt, ahead of the built-in steps (Message-ID and Date, the configured extra headers,
 * then DKIM signing last, so whatever the hook changes is signed).
 * <p>
 * What the hook sees: the body is the complete raw RFC 5322 message ({@code byte[]}, read it with
 * {@code exchange.getMessage().getBody(byte[].class)} or as an {@code InputStream}); the header
 * {@code CamelSmtpRelayEnvelopeFrom} is the envelope sender (empty for the null sender) and
 * {@code CamelSmtpRelayRecipients} the comma separated envelope recipients. A hook may replace the body with another
 * complete message or change the envelope.
 * <p>
 * Failure: an {@link io.github.camelrelay.smtprelay.InvalidMailException} refuses the message for good, it goes to the
 * dead-letter queue with the exception's message as its report; any other exception rolls the queue transaction back,
 * so the broker offers the message again later (for example while a service the hook calls is down).
 */
@FunctionalInterface
public interface SmtpRelayEnrichmentHook {

    /** Looks at or changes the message before it is enriched, signed and delivered. */
    void enrich(Exchange exchange) throws Exception;
}
