package io.github.camelrelay.smtprelay;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutorService;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import io.github.camelrelay.smtprelay.delivery.DeliveryEngine;
import io.github.camelrelay.smtprelay.delivery.OwnAddresses;
import io.github.camelrelay.smtprelay.delivery.SessionSettings;
import io.github.camelrelay.smtprelay.delivery.Timeouts;
import io.github.camelrelay.smtprelay.dns.DnssecLookup;
import io.github.camelrelay.smtprelay.dns.MxResolver;
import io.github.camelrelay.smtprelay.mail.Domain;
import io.github.camelrelay.smtprelay.tlspolicy.MtaStsPolicies;
import io.github.camelrelay.smtprelay.tlspolicy.MtaStsStore;
import io.github.camelrelay.smtprelay.tlspolicy.TlsPolicyTable;
import io.github.camelrelay.smtprelay.tlspolicy.TlsaLookup;
import org.apache.camel.AsyncEndpoint;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.TrustManagersParameters;
import org.xbill.DNS.Resolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deliver mail the way a mail server does: to each recipient domain's MX hosts, or through a relay host, with a
 * status per recipient; or receive mail as an SMTP server that relays only for trusted clients.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "smtprelay", title = "SMTP Relay", syntax = "smtprelay:name",
             category = { Category.MAIL }, headersClass = SmtpRelayConstants.class)
public class SmtpRelayEndpoint extends DefaultEndpoint implements AsyncEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpRelayEndpoint.class);

    @UriPath(description = "A name for this endpoint, used in logs and metrics.")
    @Metadata(required = true)
    private final String name;

    @UriParam
    private SmtpRelayConfiguration configuration;

    @UriParam
    private SmtpRelayServerConfiguration server;

    private volatile DeliveryEngine engine;
    private volatile ExecutorService executor;
    private volatile String heloName;
    private volatile boolean heloNameWarned;

    public SmtpRelayEndpoint(String uri, SmtpRelayComponent component, String name, SmtpRelayConfiguration configuration,
                             SmtpRelayServerConfiguration server) {
        super(uri, component);
        this.name = name;
        this.configuration = configuration;
        this.server = server;
    }

    @Override
    public SmtpRelayComponent getComponent() {
        return (SmtpRelayComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        return new SmtpRelayProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        SmtpRelayConsumer consumer = new SmtpRelayConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    public String getName() {
        return name;
    }

    public SmtpRelayConfiguration getConfiguration() {
        return configuration;
    }

    public void setConfiguration(SmtpRelayConfiguration configuration) {
        this.configuration = configuration;
    }

    public SmtpRelayServerConfiguration getServer() {
        return server;
    }

    /** The SMTP listener's options. */
    public void setServer(SmtpRelayServerConfiguration server) {
        this.server = server;
    }

    /** The EHLO name in force: the configured one or the local host name, computed once. */
    public String getHeloName() {
        if (heloName == null) {
            heloName = configuration.getHeloName() != null ? configuration.getHeloName() : SmtpRelayComponent.localHostName();
        }
        return heloName;
    }

    /**
     * Refuses, in MX mode, to greet the Internet's mail exchangers with a name that is not fully qualified
     * ({@code EHLO localhost} or an address is refused by many); in relay mode the relay host may not mind, so it
     * only warns, once.
     */
    void checkHeloName() {
        String name = getHeloName();
        if (Domain.of(name).isFullyQualified()) {
            return;
        }
        String found = configuration.getHeloName() != null ? "heloName is '" + name + "'"
                : "the local host name is '" + name + "'";
        if (!configuration.isRelayMode()) {
            throw new IllegalArgumentException("Option heloName: expected the fully qualified domain name this relay greets"
                                               + " mail exchangers with (many refuse EHLO " + name + ") but " + found
                                               + "; set heloName (camel.component.smtprelay.helo-name) to its public host name");
        }
        if (!heloNameWarned) {
            heloNameWarned = true;
            LOG.warn("smtprelay:{} greets the relay host with EHLO {}, which is not a fully qualified domain name ({});"
                     + " set heloName if the relay host refuses it", this.name, name, found);
        }
    }

    /** The configured listener and every listener bean in the registry; null when there is none. */
    SmtpRelayListener listener() {
        java.util.Set<SmtpRelayListener> all = new java.util.LinkedHashSet<>();
        if (configuration.getListener() != null) {
            all.add(configuration.getListener());
        }
        all.addAll(getCamelContext().getRegistry().findByType(SmtpRelayListener.class));
        return CompositeListener.of(new java.util.ArrayList<>(all));
    }

    /** The engine shared by every producer of this endpoint: one connection pool, one DNS cache. */
    synchronized DeliveryEngine engine() throws Exception {
        if (engine == null) {
            SmtpRelayConfiguration c = configuration;
            SSLContext verifying = c.getSslContextParameters() != null
                    ? c.getSslContextParameters().createSSLContext(getCamelContext()) : SSLContext.getDefault();
            SessionSettings settings = SessionSettings.builder().tls(c.effectiveTls()).implicitTls(c.isImplicitTls())
                    .verifyingContext(verifying).verifyingTrust(trustManager(c.getSslContextParameters()))
                    .heloName(getHeloName()).useEhlo(c.isUseEhlo()).pipelining(c.isPipelining())
                    .chunking(c.isChunking(), 1024 * 1024)
                    .credentials(c.getUsername(), c.getPassword())
                    .tokenProvider(c.getTokenProvider()).authMechanism(c.getAuthMechanism()).clock(getComponent().getClock())
                    .allowAuthWithoutVerifiedTls(c.isAllowAuthWithoutVerifiedTls())
                    .timeouts(Timeouts.of(c)).listener(listener()).build();
            DeliveryEngine.Builder b = DeliveryEngine.builder().settings(settings).mxPort(c.getMxPort())
                    .ipVersion(c.getIpVersion()).maxAddresses(c.getMaxMxHosts()).batchSize(c.getBatchSize())
                    .connections(c.getMaxConnectionsPerHost(), c.getMaxTotalConnections())
                    .reuse(c.getConnectionIdleTimeout(), c.getMaxMessagesPerConnection()).shaper(shaper())
                    .ownAddresses(OwnAddresses.of(c.getOwnAddresses(), getComponent()::listeningAddresses))
                    .tlsPolicies(TlsPolicyTable.parse(c.getTlsPolicies()));
            if (c.isRelayMode()) {
                b.relayHost(c.getRelayHost().strip(), c.effectiveRelayPort());
            } else {
                Resolver dns = MxResolver.resolverFor(c.getDnsServers(), Duration.ofMillis(c.getDnsTimeout()));
                MxResolver resolver = new MxResolver(dns, c.getIpVersion(), c.getMaxMxHosts(), new Random(),
                        Duration.ofMillis(c.getMxResolutionTimeout()), java.time.Clock.systemUTC());
                if (c.isDnssec()) {
                    DnssecLookup dnssec = new DnssecLookup(dns, trustAnchors(c.getDnssecTrustAnchors()));
                    resolver = resolver.validating(dnssec);
                    b.dane(c.isDane() ? new TlsaLookup(dnssec) : null);
                }
                if (c.isMtaSts() && c.effectiveTls() != TlsMode.NONE) {
                    b.mtaSts(MtaStsPolicies.builder().resolver(dns).port(c.getMtaStsPort())
                            .store(c.getMtaStsCacheDirectory() == null ? MtaStsStore.inMemory()
                                    : MtaStsStore.directory(Path.of(c.getMtaStsCacheDirectory())))
                            .sslContext(c.getMtaStsSslContextParameters() != null
                                    ? c.getMtaStsSslContextParameters().createSSLContext(getCamelContext()) : SSLContext.getDefault())
                            .build());
                }
                b.resolver(resolver);
            }
            engine = b.build();
        }
        return engine;
    }

    /** The trust anchors for DNSSEC: the configured resource (a path, file: or classpath:), else the root's shipped. */
    private InputStream trustAnchors(String location) throws IOException {
        if (location == null) {
            return DnssecLookup.class.getResourceAsStream(DnssecLookup.ROOT_ANCHORS);
        }
        String uri = ResourceHelper.hasScheme(location) ? location : "file:" + location;
        return ResourceHelper.resolveMandatoryResourceAsInputStream(getCamelContext(), uri);
    }

    /**
     * The trust manager of sslContextParameters (the JVM's default without them), for the certificate checks done
     * after the handshake (MTA-STS, VERIFY policies) with the same trust as VERIFY's.
     */
    private X509TrustManager trustManager(SSLContextParameters parameters) throws GeneralSecurityException, IOException {
        TrustManager[] managers;
        if (parameters != null && parameters.getTrustManagers() != null) {
            TrustManagersParameters trust = parameters.getTrustManagers();
            trust.setCamelContext(getCamelContext());
            if (trust.getKeyStore() != null) {
                trust.getKeyStore().setCamelContext(getCamelContext());
            }
            managers = trust.createTrustManagers();
        } else {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            managers = factory.getTrustManagers();
        }
        for (TrustManager m : managers) {
            if (m instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("Expected an X.509 trust manager in the TLS settings but found none");
    }

    /** The traffic-shaping counts this endpoint delivers under, shared with other endpoints of the same rules; or null. */
    public io.github.camelrelay.smtprelay.shaping.TrafficShaper shaper() {
        return getComponent().shaper(configuration.getTrafficShaping());
    }

    synchronized ExecutorService executor() {
        if (executor == null) {
            executor = getCamelContext().getExecutorServiceManager()
                    .newFixedThreadPool(this, "SmtpRelayProducer[" + name + "]", configuration.getDeliveryThreads());
        }
        return executor;
    }

    /** Connections in use and idle, for health checks and metrics; 0 before the first delivery. */
    public int getActiveConnections() {
        DeliveryEngine e = engine;
        return e == null ? 0 : e.activeConnections();
    }

    public int getIdleConnections() {
        DeliveryEngine e = engine;
        return e == null ? 0 : e.idleConnections();
    }

    @Override
    protected synchronized void doStop() throws Exception {
        if (executor != null) {
            getCamelContext().getExecutorServiceManager().shutdownGraceful(executor);
            executor = null;
        }
        if (engine != null) {
            engine.close();
            engine = null;
        }
        super.doStop();
    }
}
