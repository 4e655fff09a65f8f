package io.github.camelrelay.smtprelay.enrich;

import io.github.camelrelay.smtprelay.InvalidMailException;
import org.apache.camel.Exchange;

/**
 * What an enrichment step can tell before it runs: that it will refuse the message. The relay ingress asks every
 * enricher that implements this before the SMTP client gets its reply to the final dot, so a message that would be
 * refused is refused then (550 with the status), while the client still has it, instead of bounced later. The
 * enrichment itself still runs before the first delivery.
 */
public interface MessageCheck {

    /**
     * Refuses the message when the step would refuse it; must leave the exchange as it found it.
     *
     * @throws InvalidMailException with a 5.x.x status saying why
     */
    void check(Exchange exchange) throws InvalidMailException;
}
