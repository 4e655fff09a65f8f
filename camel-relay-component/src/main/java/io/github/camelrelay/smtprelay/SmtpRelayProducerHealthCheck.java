package io.github.camelrelay.smtprelay;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import io.github.camelrelay.smtprelay.dns.MxResolver;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Type;

/**
 * Readiness of a producer: in relay mode the relay host answers with a 220 greeting; in MX mode the DNS servers
 * answer a query. Results are kept for a few seconds, so a busy health endpoint does not hammer the relay host.
 */
final class SmtpRelayProducerHealthCheck extends AbstractHealthCheck {

    private static final long CACHE_MILLIS = 10_000;

    private final SmtpRelayEndpoint endpoint;
    private volatile long checkedAt;
    private volatile String failure;
    private volatile Resolver resolver;

    SmtpRelayProducerHealthCheck(SmtpRelayEndpoint endpoint) {
        super("camel", "producer:smtprelay-" + endpoint.getName());
        this.endpoint = endpoint;
    }

    @Override
    public boolean isLiveness() {
        // a relay host that is down makes us not ready to deliver, but restarting us would not help
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        long now = System.currentTimeMillis();
        if (now - checkedAt > CACHE_MILLIS) {
            failure = probe();
            checkedAt = now;
        }
        SmtpRelayConfiguration c = endpoint.getConfiguration();
        builder.detail("endpoint", endpoint.getName());
        builder.detail("mode", c.isRelayMode() ? "relay" : "mx");
        if (c.isRelayMode()) {
            builder.detail("relay", c.getRelayHost() + ":" + c.effectiveRelayPort());
        }
        builder.detail("connections.active", endpoint.getActiveConnections());
        builder.detail("connections.idle", endpoint.getIdleConnections());
        String f = failure;
        if (f == null) {
            builder.up();
        } else {
            builder.detail("reason", f);
            builder.message(f).down();
        }
    }

    /** Null when healthy, else what failed. */
    private String probe() {
        SmtpRelayConfiguration c = endpoint.getConfiguration();
        int timeout = Math.min(5000, c.getConnectTimeout());
        if (c.isRelayMode()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(c.getRelayHost(), c.effectiveRelayPort()), timeout);
                if (c.isImplicitTls()) {
                    // the TLS handshake and greeting are checked by real deliveries; reaching the port is enough here
                    return null;
                }
                s.setSoTimeout(timeout);
                String greeting = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                s.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                return greeting != null && greeting.startsWith("220") ? null
                        : "Relay host " + c.getRelayHost() + " greeted with '" + greeting + "', expected 220";
            } catch (Exception e) {
                return "Relay host " + c.getRelayHost() + ":" + c.effectiveRelayPort() + " unreachable: " + e.getMessage();
            }
        }
        try {
            Resolver r = resolver;
            if (r == null) {
                r = MxResolver.resolverFor(c.getDnsServers(), Duration.ofMillis(Math.min(timeout, c.getDnsTimeout())));
                resolver = r;
            }
            Message answer = r.send(Message.newQuery(Record.newRecord(Name.root, Type.NS, DClass.IN)));
            int rcode = answer.getRcode();
            return rcode == Rcode.NOERROR || rcode == Rcode.NXDOMAIN ? null
                    : "DNS server answered " + Rcode.string(rcode);
        } catch (Exception e) {
            return "DNS servers do not answer: " + e.getMessage();
        }
    }
}
