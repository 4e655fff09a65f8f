package io.github.camelrelay.smtprelay;

import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;

/** The options of the SMTP listener (the consumer). */
@UriParams
public class SmtpRelayServerConfiguration implements Cloneable {

    @UriParam(label = "consumer", defaultValue = "2525")
    private int port = 2525;

    public SmtpRelayServerConfiguration copy() {
        try {
            return (SmtpRelayServerConfiguration) clone();
        } catch (CloneNotSupportedException e) {
            throw new RuntimeCamelException(e);
        }
    }

    public int getPort() {
        return port;
    }

    /** TCP port the SMTP listener accepts connections on. */
    public void setPort(int port) {
        this.port = port;
    }
}
