package io.github.camelrelay.smtprelay;

import java.net.InetAddress;
import java.time.Clock;
import java.util.Map;

import io.github.camelrelay.smtprelay.mail.Domain;
import io.github.camelrelay.smtprelay.shaping.TrafficShaper;
import io.github.camelrelay.smtprelay.shaping.TrafficShaping;
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

    @Metadata(label = "advanced", description = "The clock that dates what the component writes (Received headers and "
                                                + "delivery status notifications) and tells when OAuth2 tokens expire. The "
                                                + "system clock in the JVM's time zone by default.")
    private Clock clock = Clock.systemDefaultZone();

    /** Where this component's SMTP listeners accept now: an MX host there is this relay itself. */
    private final java.util.Set<java.net.InetSocketAddress> listening = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** One shaper per set of traffic-shaping rules: endpoints with the same rules count together. */
    private final Map<String, TrafficShaper> shapers = new java.util.concurrent.ConcurrentHashMap<>();

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

    /** The local addresses and ports this component's started listeners accept on (the wildcard address for all). */
    public java.util.Set<java.net.InetSocketAddress> listeningAddresses() {
        return java.util.Collections.unmodifiableSet(listening);
    }

    void listenerStarted(java.net.InetSocketAddress address) {
        listening.add(address);
    }

    void listenerStopped(java.net.InetSocketAddress address) {
        listening.remove(address);
    }

    public Clock getClock() {
        return clock;
    }

    /**
     * The clock that dates what the component writes (Received headers and delivery status notifications) and tells
     * when OAuth2 tokens expire. The system clock in the JVM's time zone by default.
     */
    public void setClock(Clock clock) {
        this.clock = java.util.Objects.requireNonNull(clock, "clock");
    }

    /**
     * The traffic-shaping counts for these rules in this component, shared by every endpoint configured with them;
     * null when there are none.
     */
    public TrafficShaper shaper(String trafficShaping) {
        TrafficShaping shaping = TrafficShaping.parse(trafficShaping);
        if (shaping.isEmpty()) {
            return null;
        }
        return shapers.computeIfAbsent(shaping.toString(), k -> new TrafficShaper(shaping, clock));
    }

    /**
     * The local host name, looked up once per JVM (a reverse look-up per message is what slow relays do): the first
     * fully qualified one of the canonical name and the configured host name (a host whose {@code /etc/hosts} lists
     * {@code localhost} first has the canonical name {@code localhost}), else the host name as it is, else
     * {@code localhost}. Never an address: {@code getCanonicalHostName} returns one when the reverse look-up fails.
     */
    static String localHostName() {
        String name = localHostName;
        if (name == null) {
            name = "localhost";
            try {
                InetAddress local = InetAddress.getLocalHost();
                Domain canonical = valid(local.getCanonicalHostName());
                Domain host = valid(local.getHostName());
                if (canonical != null && canonical.isFullyQualified()) {
                    name = canonical.name();
                } else if (host != null && (host.isFullyQualified() || !host.name().matches("[0-9.]+"))) {
                    name = host.name();
                }
            } catch (Exception e) {
                // no name for this host: a producer in MX mode refuses to start and says to set heloName
            }
            localHostName = name;
        }
        return name;
    }

    private static Domain valid(String name) {
        try {
            return Domain.of(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
