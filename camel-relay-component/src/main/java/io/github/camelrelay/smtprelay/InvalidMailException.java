package io.github.camelrelay.smtprelay;

import org.apache.camel.CamelExchangeException;
import org.apache.camel.Exchange;

/**
 * The exchange cannot be sent as it is: no recipients, a malformed address, CR or LF in an envelope address or a
 * header value. Raised before any connection is made; retrying the same exchange cannot succeed.
 */
public class InvalidMailException extends CamelExchangeException {

    private final String enhancedStatus;
    private final String reason;

    public InvalidMailException(String message, String enhancedStatus, Exchange exchange, Throwable cause) {
        super(message, exchange, cause);
        this.enhancedStatus = enhancedStatus;
        this.reason = message;
    }

    /** What is wrong, without the exchange that {@link #getMessage()} names: fit for an SMTP reply or a bounce. */
    public String getReason() {
        return reason;
    }

    /** The RFC 3463 status that describes the problem, such as {@code 5.1.3} for a bad address. */
    public String getEnhancedStatus() {
        return enhancedStatus;
    }
}
