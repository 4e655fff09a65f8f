package io.github.camelrelay.smtprelay;

import io.github.camelrelay.smtprelay.report.DeliveryReport;
import org.apache.camel.CamelExchangeException;
import org.apache.camel.Exchange;

/**
 * A delivery that did not reach every recipient. Carries the {@link DeliveryReport}, so an {@code onException}
 * can route on it; see {@link SmtpRelayTransientException} and {@link SmtpRelayPermanentException}.
 */
public abstract class SmtpRelayException extends CamelExchangeException {

    private final transient DeliveryReport report;

    protected SmtpRelayException(String message, Exchange exchange, DeliveryReport report) {
        super(message + System.lineSeparator() + report, exchange);
        this.report = report;
    }

    public DeliveryReport getReport() {
        return report;
    }
}
