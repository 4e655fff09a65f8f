package io.github.camelrelay.smtprelay;

import java.net.InetAddress;
import java.time.Clock;
import java.util.Map;

import io.github.camelrelay.smtprelay.mail.Domain;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.HealthCheckComponent;

/** The smtprelay component: delivers mail by MX or through a relay host, and receives it as an SMTP server. */
@Component("smtprelay")
public class SmtpRelayComponent extends HealthCheckComponent {

    private static volatile String localHostName;

    @Metadata(label = "advanced", description = "Options shared by all endpoints of this component.")
    private SmtpRelayConfiguration configuration = new SmtpRelayConfiguration();

    @Metadata(label = "advanced", description = "SMTP listener options shared by all consumer endpoints of this component.")
    private SmtpRelayServerConfiguration server = new SmtpRelayServerConfiguration();

    @Metadata(label = "advanced", description = "The clock that dates what the component writes: Received headers and "
                                                + "delivery status notifications. The system clock in the JVM's time zone by default.")
    private Clock clock = Clock.systemDefaultZone();

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (remaining == null || remaining.isBlank()) {
            throw new IllegalArgumentException("Expected an endpoint name as in smtprelay:name but found '" + uri + "'");
        }
        SmtpRelayEndpoint endpoint = new SmtpRelayEndpoint(uri, this, remaining, configuration.copy(), server.copy());
        setProperties(endpoint, parameters);
        endpoint.getConfiguration().validate();
        return endpoint;
    }

    public SmtpRelayConfiguration getConfiguration() {
        return configuration;
    }

    /** Options shared by all endpoints of this component. */
    public void setConfiguration(SmtpRelayConfiguration configuration) {
        this.configuration = configuration;
    }

    public SmtpRelayServerConfiguration getServer() {
        return server;
    }

    /** SMTP listener options shared by all consumer endpoints of this component. */
    public void setServer(SmtpRelayServerConfiguration server) {
        this.server = server;
    }

    public Clock getClock() {
        return clock;
    }

    /**
     * The clock that dates what the component writes: Received headers and delivery status notifications. The
     * system clock in the JVM's time zone by default.
     */
    public void setClock(Clock clock) {
        this.clock = java.util.Objects.requireNonNull(clock, "clock");
    }

    /** The local host name, looked up once per JVM: a reverse look-up per message is what slow relays do. */
    static String localHostName() {
        String name = localHostName;
        if (name == null) {
            try {
                name = InetAddress.getLocalHost().getCanonicalHostName();
                Domain.of(name);
            } catch (Exception e) {
                name = "localhost";
            }
            localHostName = name;
        }
        return name;
    }
}
