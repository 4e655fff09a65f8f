package io.github.camelrelay.smtprelay;

import io.github.camelrelay.smtprelay.report.DeliveryReport;
import org.apache.camel.Exchange;

/**
 * At least one recipient was deferred. The exchange's {@code CamelSmtpRelayRecipients} header now holds only the
 * deferred recipients, so a redelivery of the same exchange retries just those.
 */
public class SmtpRelayTransientException extends SmtpRelayException {

    public SmtpRelayTransientException(Exchange exchange, DeliveryReport report) {
        super("Delivery deferred for " + report.recipients(io.github.camelrelay.smtprelay.report.Outcome.DEFERRED).size()
              + " recipient(s)", exchange, report);
    }
}
