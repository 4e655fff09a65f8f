package io.github.camelrelay.smtprelay;

import io.github.camelrelay.smtprelay.report.DeliveryReport;
import io.github.camelrelay.smtprelay.report.Outcome;
import org.apache.camel.Exchange;

/** Nothing is left to retry, but at least one recipient failed permanently: the sender deserves a bounce. */
public class SmtpRelayPermanentException extends SmtpRelayException {

    public SmtpRelayPermanentException(Exchange exchange, DeliveryReport report) {
        super("Delivery failed permanently for " + report.recipients(Outcome.FAILED).size() + " recipient(s)",
              exchange, report);
    }
}
