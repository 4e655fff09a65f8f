package io.github.camelrelay.springboot;

import java.util.Collection;
import java.util.List;

import io.github.camelrelay.smtprelay.InvalidMailException;
import io.github.camelrelay.smtprelay.SmtpRelayConstants;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's enrichment as one step of the delivery route: the named steps in order (application hook, headers,
 * DKIM). A step that refuses the message with {@link InvalidMailException} sends the message as it arrived to the
 * dead-letter endpoint with the reason and ends its routing, so the queue transaction commits and the message is not
 * offered again; any other exception goes up to the route and rolls the transaction back.
 */
final class RelayEnrichment implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(RelayEnrichment.class);

    /** The headers a message keeps in the dead-letter queue, named there without "Camel" (JMS drops those). */
    private static final List<String> QUEUE_HEADERS = List.of(SmtpRelayConstants.ENVELOPE_FROM,
            SmtpRelayConstants.RECIPIENTS, SmtpRelayConstants.ATTEMPTS, SmtpRelayConstants.ARRIVAL,
            SmtpRelayConstants.REPORT_TEXT);

    /** One step and the name it is logged under. */
    record Step(String name, Processor processor) {
    }

    private final List<Step> steps;
    private final String deadLetterUri;

    RelayEnrichment(List<Step> steps, String deadLetterUri) {
        this.steps = List.copyOf(steps);
        this.deadLetterUri = deadLetterUri;
    }

    /** The steps in the order they run, for tests and diagnostics. */
    List<Step> steps() {
        return steps;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        // the original is kept so a refused message lands in the dead letters as it was submitted
        byte[] original = exchange.getMessage().getBody(byte[].class);
        exchange.getMessage().setBody(original);
        for (Step step : steps) {
            try {
                step.processor().process(exchange);
            } catch (InvalidMailException e) {
                refuse(exchange, original, step, e);
                return;
            }
        }
    }

    private void refuse(Exchange exchange, byte[] original, Step step, InvalidMailException e) throws Exception {
        String reason = step.name() + " refused the message: " + e.getMessage();
        LOG.warn("{}: not delivered, moved to {}: {}", exchange.getExchangeId(), deadLetterUri, reason);
        ProducerTemplate template = exchange.getContext().createProducerTemplate();
        try {
            Exchange sent = template.send(deadLetterUri, dead -> {
                var in = exchange.getMessage();
                var out = dead.getMessage();
                out.setBody(original);
                in.setHeader(SmtpRelayConstants.REPORT_TEXT, reason);
                for (String header : QUEUE_HEADERS) {
                    Object value = in.getHeader(header);
                    if (value instanceof Collection<?> c) {
                        value = String.join(",", c.stream().map(String::valueOf).toList());
                    }
                    if (value != null) {
                        out.setHeader(header.substring("Camel".length()), value);
                    }
                }
            });
            if (sent.getException() != null) {
                throw sent.getException();
            }
        } finally {
            template.stop();
        }
        // the message is settled: the rest of the delivery route must not run for it
        exchange.setRouteStop(true);
    }
}
