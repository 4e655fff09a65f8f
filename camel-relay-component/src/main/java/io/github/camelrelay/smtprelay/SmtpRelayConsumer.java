package io.github.camelrelay.smtprelay;

import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;

/** The SMTP listener: one exchange per accepted message. */
public class SmtpRelayConsumer extends DefaultConsumer {

    public SmtpRelayConsumer(SmtpRelayEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
    }

    @Override
    public SmtpRelayEndpoint getEndpoint() {
        return (SmtpRelayEndpoint) super.getEndpoint();
    }
}
