package io.github.camelrelay.springboot;

import java.util.List;

import io.github.camelrelay.smtprelay.InvalidMailException;
import io.github.camelrelay.smtprelay.enrich.MessageCheck;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.StreamCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's enrichment as one step of the delivery route: the named steps in order (application hook, headers,
 * DKIM). A step that refuses the message with {@link InvalidMailException} has the message, as it arrived, moved to
 * the dead letters by the relay route with the step named in the reason; any other exception goes up to the route
 * and rolls the queue transaction back.
 */
final class RelayEnrichment implements Processor, MessageCheck {

    private static final Logger LOG = LoggerFactory.getLogger(RelayEnrichment.class);

    /** One step and the name it is logged under. */
    record Step(String name, Processor processor) {
    }

    private final List<Step> steps;

    RelayEnrichment(List<Step> steps) {
        this.steps = List.copyOf(steps);
    }

    /** The steps in the order they run, for tests and diagnostics. */
    List<Step> steps() {
        return steps;
    }

    /** Asks the steps that can tell whether they will refuse the message, with the step named in the reason. */
    @Override
    public void check(Exchange exchange) throws InvalidMailException {
        for (Step step : steps) {
            if (step.processor() instanceof MessageCheck check) {
                try {
                    check.check(exchange);
                } catch (InvalidMailException e) {
                    throw new InvalidMailException(step.name() + " refused the message: " + e.getReason(), e.getEnhancedStatus(), exchange, e);
                }
            }
        }
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        // the original is kept so a refused message lands in the dead letters as it was submitted: a stream cache as
        // it is (the steps put their result in a new one; a large message is not loaded), anything else as bytes
        Object original = exchange.getMessage().getBody();
        if (!(original instanceof StreamCache)) {
            original = exchange.getMessage().getBody(byte[].class);
            exchange.getMessage().setBody(original);
        }
        for (Step step : steps) {
            try {
                step.processor().process(exchange);
            } catch (InvalidMailException e) {
                refuse(exchange, original, step, e);
            }
        }
    }

    /**
     * Puts back the message as it arrived and hands the refusal to the relay route, whose catch moves it to the
     * dead letters with the reason (and the queue transaction then commits, so it is not offered again).
     */
    private void refuse(Exchange exchange, Object original, Step step, InvalidMailException e) throws InvalidMailException {
        String reason = step.name() + " refused the message: " + e.getReason();
        LOG.warn("{}: not delivered, moved to the dead letters: {}", exchange.getExchangeId(), reason);
        if (original instanceof StreamCache cache) {
            cache.reset();
        }
        exchange.getMessage().setBody(original);
        throw new InvalidMailException(reason, e.getEnhancedStatus(), exchange, e);
    }
}
