package io.github.camelrelay.smtprelay;

import io.github.camelrelay.smtprelay.auth.SmtpRelayTokenProvider;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.Configurer;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.support.jsse.SSLContextParameters;

/** The options of an smtprelay endpoint. Set on the component, they are the defaults of every endpoint. */
@UriParams
@Configurer
public class SmtpRelayConfiguration implements Cloneable {

    @UriParam(label = "producer")
    private String relayHost;
    @UriParam(label = "producer", defaultValue = "0")
    private int relayPort;
    @UriParam(label = "producer,security", secret = true)
    private String username;
    @UriParam(label = "producer,security", secret = true)
    private String password;
    @UriParam(label = "producer,security")
    private SmtpRelayTokenProvider tokenProvider;
    @UriParam(label = "producer,security", defaultValue = "AUTO")
    private AuthMechanism authMechanism = AuthMechanism.AUTO;
    @UriParam(label = "producer,security")
    private boolean allowAuthWithoutVerifiedTls;
    @UriParam(label = "security")
    private TlsMode tls;
    @UriParam(label = "security")
    private boolean implicitTls;
    @UriParam(label = "security")
    private SSLContextParameters sslContextParameters;
    @UriParam(label = "producer,security")
    private String tlsPolicies;
    @UriParam(label = "producer,security")
    private boolean dnssec;
    @UriParam(label = "producer,security")
    private String dnssecTrustAnchors;
    @UriParam(label = "producer,security", defaultValue = "true")
    private boolean dane = true;
    @UriParam(label = "producer,security", defaultValue = "true")
    private boolean mtaSts = true;
    @UriParam(label = "producer,security")
    private String mtaStsCacheDirectory;
    @UriParam(label = "producer,advanced", defaultValue = "443")
    private int mtaStsPort = 443;
    @UriParam(label = "producer,security")
    private SSLContextParameters mtaStsSslContextParameters;
    @UriParam(label = "producer")
    private String dnsServers;
    @UriParam(label = "producer,advanced", defaultValue = "5000", javaType = "java.time.Duration")
    private int dnsTimeout = 5000;
    @UriParam(label = "producer", defaultValue = "25")
    private int mxPort = 25;
    @UriParam(label = "producer")
    private String ownAddresses;
    @UriParam
    private String heloName;
    @UriParam(label = "producer", defaultValue = "true")
    private boolean useEhlo = true;
    @UriParam(label = "producer,advanced", defaultValue = "true")
    private boolean pipelining = true;
    @UriParam(label = "producer,advanced", defaultValue = "true")
    private boolean chunking = true;
    @UriParam(label = "producer", defaultValue = "50")
    private int batchSize = 50;
    @UriParam(label = "producer", defaultValue = "5")
    private int maxMxHosts = 5;
    @UriParam(label = "producer,timeout", defaultValue = "30000", javaType = "java.time.Duration")
    private int connectTimeout = 30000;
    @UriParam(label = "producer,timeout", defaultValue = "300000", javaType = "java.time.Duration")
    private int commandTimeout = 300000;
    @UriParam(label = "producer,timeout", defaultValue = "600000", javaType = "java.time.Duration")
    private int dataTimeout = 600000;
    @UriParam(label = "producer,timeout", defaultValue = "300000", javaType = "java.time.Duration")
    private int greetingTimeout = 300000;
    @UriParam(label = "producer,timeout", defaultValue = "300000", javaType = "java.time.Duration")
    private int ehloTimeout = 300000;
    @UriParam(label = "producer,timeout", defaultValue = "300000", javaType = "java.time.Duration")
    private int starttlsTimeout = 300000;
    @UriParam(label = "producer,timeout", defaultValue = "300000", javaType = "java.time.Duration")
    private int mailTimeout = 300000;
    @UriParam(label = "producer,timeout", defaultValue = "300000", javaType = "java.time.Duration")
    private int rcptTimeout = 300000;
    @UriParam(label = "producer,timeout", defaultValue = "120000", javaType = "java.time.Duration")
    private int dataInitTimeout = 120000;
    @UriParam(label = "producer,timeout", defaultValue = "180000", javaType = "java.time.Duration")
    private int dataXferTimeout = 180000;
    @UriParam(label = "producer,timeout", defaultValue = "600000", javaType = "java.time.Duration")
    private int dataDoneTimeout = 600000;
    @UriParam(label = "producer,timeout", defaultValue = "60000", javaType = "java.time.Duration")
    private int mxResolutionTimeout = 60000;
    @UriParam(label = "producer,advanced")
    private IdempotentRepository settledRepository;
    @UriParam(label = "producer", defaultValue = "ANY")
    private IpVersion ipVersion = IpVersion.ANY;
    @UriParam(defaultValue = "true")
    private boolean addReceivedHeader = true;
    @UriParam(label = "producer", defaultValue = "20")
    private int maxConnectionsPerHost = 20;
    @UriParam(label = "producer", defaultValue = "500")
    private int maxTotalConnections = 500;
    @UriParam(label = "producer,advanced", defaultValue = "10000", javaType = "java.time.Duration")
    private int connectionIdleTimeout = 10000;
    @UriParam(label = "producer,advanced", defaultValue = "100")
    private int maxMessagesPerConnection = 100;
    @UriParam(label = "producer")
    private String trafficShaping;
    @UriParam(label = "producer,advanced", defaultValue = "20")
    private int deliveryThreads = 20;
    @UriParam(label = "producer,advanced")
    private boolean synchronous;
    @UriParam(label = "advanced")
    @Metadata(autowired = true)
    private SmtpRelayListener listener;

    public SmtpRelayConfiguration copy() {
        try {
            return (SmtpRelayConfiguration) clone();
        } catch (CloneNotSupportedException e) {
            throw new RuntimeCamelException(e);
        }
    }

    /**
     * Checks the values together, before any connection is made.
     *
     * @throws IllegalArgumentException naming the option, what it expects and what it found
     */
    public void validate() {
        range("relayPort", relayPort, 0, 65535);
        range("mxPort", mxPort, 1, 65535);
        range("dnsTimeout", dnsTimeout, 1, Integer.MAX_VALUE);
        range("batchSize", batchSize, 1, 10000);
        range("maxMxHosts", maxMxHosts, 1, 100);
        range("connectTimeout", connectTimeout, 1, Integer.MAX_VALUE);
        range("commandTimeout", commandTimeout, 1, Integer.MAX_VALUE);
        range("dataTimeout", dataTimeout, 1, Integer.MAX_VALUE);
        range("greetingTimeout", greetingTimeout, 1, Integer.MAX_VALUE);
        range("ehloTimeout", ehloTimeout, 1, Integer.MAX_VALUE);
        range("starttlsTimeout", starttlsTimeout, 1, Integer.MAX_VALUE);
        range("mailTimeout", mailTimeout, 1, Integer.MAX_VALUE);
        range("rcptTimeout", rcptTimeout, 1, Integer.MAX_VALUE);
        range("dataInitTimeout", dataInitTimeout, 1, Integer.MAX_VALUE);
        range("dataXferTimeout", dataXferTimeout, 1, Integer.MAX_VALUE);
        range("dataDoneTimeout", dataDoneTimeout, 1, Integer.MAX_VALUE);
        range("mxResolutionTimeout", mxResolutionTimeout, 1, Integer.MAX_VALUE);
        range("maxConnectionsPerHost", maxConnectionsPerHost, 1, 10000);
        range("maxTotalConnections", maxTotalConnections, 1, 100_000);
        range("connectionIdleTimeout", connectionIdleTimeout, 0, Integer.MAX_VALUE);
        range("maxMessagesPerConnection", maxMessagesPerConnection, 1, Integer.MAX_VALUE);
        range("deliveryThreads", deliveryThreads, 1, 10000);
        range("mtaStsPort", mtaStsPort, 1, 65535);
        io.github.camelrelay.smtprelay.tlspolicy.TlsPolicyTable table;
        try {
            table = io.github.camelrelay.smtprelay.tlspolicy.TlsPolicyTable.parse(tlsPolicies);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Option tlsPolicies: " + e.getMessage(), e);
        }
        java.util.List<String> dane = table.selectorsWith(io.github.camelrelay.smtprelay.tlspolicy.TlsPolicy.Level.DANE,
                io.github.camelrelay.smtprelay.tlspolicy.TlsPolicy.Level.DANE_ONLY);
        if (!dane.isEmpty() && !isDaneActive()) {
            throw new IllegalArgumentException("Option tlsPolicies: DANE for " + dane + " needs DNSSEC-validated look-ups:"
                                               + " expected dnssec=true and dane=true but found dnssec=" + dnssec
                                               + " and dane=" + this.dane);
        }
        try {
            io.github.camelrelay.smtprelay.shaping.TrafficShaping.parse(trafficShaping);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Option trafficShaping: " + e.getMessage(), e);
        }
        noControl("relayHost", relayHost);
        noControl("username", username);
        noControl("password", password);
        noControl("heloName", heloName);
        if (heloName != null) {
            try {
                io.github.camelrelay.smtprelay.mail.Domain.of(heloName);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Option heloName: " + e.getMessage(), e);
            }
        }
        if (password != null && username == null) {
            throw new IllegalArgumentException("Option password is set but username is not: expected both or neither");
        }
        if (username != null && !isRelayMode()) {
            throw new IllegalArgumentException("Option username is set but relayHost is not: AUTH is only used with a relay host");
        }
        validateAuthMechanism();
        if (username != null && effectiveTls() != TlsMode.VERIFY && !allowAuthWithoutVerifiedTls) {
            throw new IllegalArgumentException("Options username and tls: AUTH sends the password or token, so it goes only over TLS"
                                               + " with the relay host's certificate verified: expected tls=VERIFY (the default"
                                               + " with a username; with STARTTLS or implicitTls=true) but found tls=" + tls
                                               + ". Set tls=VERIFY, with sslContextParameters trusting the relay host's"
                                               + " certificate if it is not publicly trusted, or allowAuthWithoutVerifiedTls=true"
                                               + " on a trusted network");
        }
        try {
            io.github.camelrelay.smtprelay.internal.server.RelayNetworks.parse(ownAddresses);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Option ownAddresses: " + e.getMessage(), e);
        }
        if (dnsServers != null && !dnsServers.isBlank()) {
            io.github.camelrelay.smtprelay.dns.MxResolver.resolverFor(dnsServers, java.time.Duration.ofMillis(dnsTimeout));
        }
    }

    /** The token provider and the mechanism against the password and the username. */
    private void validateAuthMechanism() {
        if (tokenProvider != null && password != null) {
            throw new IllegalArgumentException("Options password and tokenProvider are both set: expected one of them (a token"
                                               + " provider authenticates with XOAUTH2 or OAUTHBEARER instead of a password)");
        }
        if (tokenProvider != null && username == null) {
            throw new IllegalArgumentException("Option tokenProvider is set but username is not: XOAUTH2 and OAUTHBEARER name"
                                               + " the user the token is for; set username to the mailbox that sends");
        }
        if (authMechanism == null || authMechanism == AuthMechanism.AUTO) {
            return;
        }
        if (username == null) {
            throw new IllegalArgumentException("Option authMechanism=" + authMechanism + " is set but username is not:"
                                               + " expected username with " + (authMechanism.bearer() ? "tokenProvider" : "password"));
        }
        if (authMechanism.bearer() && tokenProvider == null) {
            throw new IllegalArgumentException("Option authMechanism=" + authMechanism + " sends an OAuth2 token: expected a"
                                               + " tokenProvider but found none");
        }
        if (!authMechanism.bearer() && tokenProvider != null) {
            throw new IllegalArgumentException("Option authMechanism=" + authMechanism + " sends a password but tokenProvider"
                                               + " is set: expected AUTO, XOAUTH2 or OAUTHBEARER with a token provider");
        }
    }

    /** Property placeholders such as {{env:RELAY_HOST:}} resolve to empty strings; empty means unset. */
    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static void range(String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("Option " + option + ": expected a value from " + min + " to " + max
                                               + " but found " + value);
        }
    }

    private static void noControl(String option, String value) {
        if (value != null && value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("Option " + option + ": expected no control characters (CR, LF) but found some");
        }
    }

    /** Whether MX delivery uses DANE: DNSSEC on and DANE not turned off. */
    public boolean isDaneActive() {
        return dnssec && dane;
    }

    /** True when a relay host is configured: every message goes there and no MX lookup is made. */
    public boolean isRelayMode() {
        return relayHost != null && !relayHost.isBlank();
    }

    /** The TLS mode in force: the configured one, else VERIFY for a relay host with credentials, else OPPORTUNISTIC. */
    public TlsMode effectiveTls() {
        if (tls != null) {
            return tls;
        }
        return isRelayMode() && username != null ? TlsMode.VERIFY : TlsMode.OPPORTUNISTIC;
    }

    /** The relay port in force: the configured one, else 465 with implicit TLS and 25 without. */
    public int effectiveRelayPort() {
        if (relayPort > 0) {
            return relayPort;
        }
        return implicitTls ? 465 : 25;
    }

    public String getRelayHost() {
        return relayHost;
    }

    /**
     * The smarthost (name or address) that every message is relayed through. When set, no MX lookup is made; when
     * unset, each recipient domain is delivered to directly, by its MX records.
     */
    public void setRelayHost(String relayHost) {
        this.relayHost = blankToNull(relayHost);
    }

    public int getRelayPort() {
        return relayPort;
    }

    /** The relay host's port; 0 means the default for the TLS mode: 25, or 465 with implicitTls. */
    public void setRelayPort(int relayPort) {
        this.relayPort = relayPort;
    }

    public String getUsername() {
        return username;
    }

    /**
     * User name for SMTP AUTH at the relay host: PLAIN or LOGIN with the password, or XOAUTH2 or OAUTHBEARER with a
     * token from the tokenProvider. AUTH goes only over TLS with the relay host's certificate verified (tls=VERIFY,
     * the default with a username), unless allowAuthWithoutVerifiedTls is set.
     */
    public void setUsername(String username) {
        this.username = blankToNull(username);
    }

    public String getPassword() {
        return password;
    }

    /** Password for SMTP AUTH at the relay host. It is never logged. */
    public void setPassword(String password) {
        this.password = blankToNull(password);
    }

    public SmtpRelayTokenProvider getTokenProvider() {
        return tokenProvider;
    }

    /**
     * Gives OAuth 2.0 access tokens for SMTP AUTH XOAUTH2 or OAUTHBEARER (RFC 7628) at the relay host, in place of a
     * password, for the user named by username: a bean reference such as #myTokenProvider. The token is kept until
     * it expires; a connection authenticated with a token that has expired is closed rather than reused; when the
     * relay host refuses a token, the provider is asked for a fresh one and the connection made once more. The
     * Spring Boot starter has a provider for the OAuth 2.0 client-credentials grant (Office 365).
     */
    public void setTokenProvider(SmtpRelayTokenProvider tokenProvider) {
        this.tokenProvider = tokenProvider;
    }

    public AuthMechanism getAuthMechanism() {
        return authMechanism;
    }

    /**
     * The SASL mechanism for AUTH at the relay host. AUTO: with a password PLAIN, else LOGIN; with a tokenProvider
     * OAUTHBEARER, else XOAUTH2; whichever the server offers. PLAIN and LOGIN need the password, XOAUTH2 and
     * OAUTHBEARER the tokenProvider.
     */
    public void setAuthMechanism(AuthMechanism authMechanism) {
        this.authMechanism = authMechanism == null ? AuthMechanism.AUTO : authMechanism;
    }

    public boolean isAllowAuthWithoutVerifiedTls() {
        return allowAuthWithoutVerifiedTls;
    }

    /**
     * Lets AUTH go without a verified certificate, for a relay host on a trusted network: over TLS whose certificate
     * is not checked (tls=REQUIRED or OPPORTUNISTIC, or implicitTls without VERIFY), and in plain text with tls=NONE.
     * Without it, a username needs tls=VERIFY and the endpoint refuses to start otherwise. Even with it, a session that
     * tls=OPPORTUNISTIC leaves in plain text (STARTTLS not offered, perhaps stripped by an attacker, or a failed
     * handshake) does not authenticate: its recipients are deferred with 4.7.10. Default false.
     */
    public void setAllowAuthWithoutVerifiedTls(boolean allowAuthWithoutVerifiedTls) {
        this.allowAuthWithoutVerifiedTls = allowAuthWithoutVerifiedTls;
    }

    public TlsMode getTls() {
        return tls;
    }

    /**
     * STARTTLS use: NONE; OPPORTUNISTIC (when offered, certificate not checked); REQUIRED (STARTTLS or defer);
     * VERIFY (STARTTLS with the certificate chain and host name checked). Unset means OPPORTUNISTIC, except VERIFY
     * for a relay host with credentials. With implicitTls, VERIFY checks the certificate and the others do not. With a
     * username only VERIFY is accepted, unless allowAuthWithoutVerifiedTls is set.
     */
    public void setTls(TlsMode tls) {
        this.tls = tls;
    }

    public boolean isImplicitTls() {
        return implicitTls;
    }

    /** TLS from the first byte (SMTPS, usually port 465) instead of STARTTLS. */
    public void setImplicitTls(boolean implicitTls) {
        this.implicitTls = implicitTls;
    }

    public SSLContextParameters getSslContextParameters() {
        return sslContextParameters;
    }

    /**
     * Camel's TLS settings. The producer uses its trust store for VERIFY (the tls option and tlsPolicies entries),
     * for the MX certificates MTA-STS checks, and for implicit TLS (JVM defaults when unset); the SMTP listener needs
     * its key store (the server certificate) to offer STARTTLS or implicit TLS.
     */
    public void setSslContextParameters(SSLContextParameters sslContextParameters) {
        this.sslContextParameters = sslContextParameters;
    }

    public String getTlsPolicies() {
        return tlsPolicies;
    }

    /**
     * TLS policies per destination, as Postfix's smtp_tls_policy_maps: entries separated by ';' or line breaks, each
     * 'selector: LEVEL' or 'selector: LEVEL, pin=sha256:HEX'. The selector is a recipient domain (example.com), the
     * domains below one (.example.com), or the relay host ([smtp.example.net] or [smtp.example.net]:587). The level is
     * NONE, OPPORTUNISTIC, REQUIRED (encrypted, certificate not checked), VERIFY (certificate chain and host name
     * checked against the trust store of sslContextParameters or the JVM), DANE (DANE where the MX host has usable
     * TLSA records, else MTA-STS, else OPPORTUNISTIC) or DANE_ONLY (an MX host without usable TLSA records is not
     * delivered to); DANE levels need dnssec=true. A pin, with REQUIRED or VERIFY, is the SHA-256 of the server
     * certificate or of its public key (SubjectPublicKeyInfo), 64 hex digits; one of the pins must match. An entry
     * replaces DANE, MTA-STS and the tls option for its destinations; destinations without one get DANE, then
     * MTA-STS, then the tls option. A policy that is not met defers the MX host with 4.7.5 and the next one is
     * tried. Example: 'bank.example: VERIFY; .partner.example: DANE_ONLY; [smtp.example.net]: REQUIRED,
     * pin=sha256:9f86d0...'.
     */
    public void setTlsPolicies(String tlsPolicies) {
        this.tlsPolicies = blankToNull(tlsPolicies);
    }

    public boolean isDnssec() {
        return dnssec;
    }

    /**
     * Validate MX, address and TLSA look-ups with DNSSEC (dnsjava's validating resolver, from the root's trust
     * anchors shipped with the component or dnssecTrustAnchors), which DANE needs. The DNS servers must return DNSSEC
     * records (most recursive resolvers do; they need not validate themselves). An MX answer that fails validation
     * (bogus) defers the domain's recipients with 4.7.5. Default false.
     */
    public void setDnssec(boolean dnssec) {
        this.dnssec = dnssec;
    }

    public String getDnssecTrustAnchors() {
        return dnssecTrustAnchors;
    }

    /**
     * Where the DNSSEC trust anchors are read from: DS or DNSKEY records in zone file format, as a resource
     * (classpath:, file: or a path). Unset means the root zone's, shipped with the component.
     */
    public void setDnssecTrustAnchors(String dnssecTrustAnchors) {
        this.dnssecTrustAnchors = blankToNull(dnssecTrustAnchors);
    }

    public boolean isDane() {
        return dane;
    }

    /**
     * DANE for SMTP (RFC 7672) in MX mode when dnssec is on, as Postfix's dane level: an MX host with a signed MX
     * record, signed addresses and a signed TLSA record set at _25._tcp.host (the mxPort) is delivered to only over
     * TLS with a certificate matching a DANE-EE(3) or DANE-TA(2) record (TLSA records, none of them usable:
     * encrypted but not authenticated); no match, no STARTTLS or a bogus TLSA answer defers the host (4.7.5) and
     * the next one is tried. Unsigned answers leave the host to MTA-STS and the tls option. Default true; it takes
     * effect only with dnssec=true.
     */
    public void setDane(boolean dane) {
        this.dane = dane;
    }

    public boolean isMtaSts() {
        return mtaSts;
    }

    /**
     * MTA-STS (RFC 8461) in MX mode for recipient domains without DANE: the _mta-sts TXT record is looked up (a
     * domain without it is not asked again for 5 minutes), the policy fetched from
     * https://mta-sts.domain/.well-known/mta-sts.txt (certificate verified against mtaStsSslContextParameters or the
     * JVM's trust store, no redirects, 64 KiB and 30 seconds at most) and kept for its max_age. In enforce mode mail
     * goes only to the MX hosts the policy names, over TLS with a certificate verified for the host name (the trust
     * store of sslContextParameters or the JVM), else the host is deferred with 4.7.5; in testing mode it goes as
     * before and failures are only reported. Default true.
     */
    public void setMtaSts(boolean mtaSts) {
        this.mtaSts = mtaSts;
    }

    public String getMtaStsCacheDirectory() {
        return mtaStsCacheDirectory;
    }

    /**
     * A directory where fetched MTA-STS policies are kept, one file per domain, so they survive a restart (RFC 8461
     * section 10.2: a cached policy is what an attacker who blocks the next fetch cannot remove). Several instances
     * may share it (files are replaced atomically). Unset means in memory only.
     */
    public void setMtaStsCacheDirectory(String mtaStsCacheDirectory) {
        this.mtaStsCacheDirectory = blankToNull(mtaStsCacheDirectory);
    }

    public int getMtaStsPort() {
        return mtaStsPort;
    }

    /** The HTTPS port MTA-STS policies are fetched from: 443, other than that only for tests. */
    public void setMtaStsPort(int mtaStsPort) {
        this.mtaStsPort = mtaStsPort;
    }

    public SSLContextParameters getMtaStsSslContextParameters() {
        return mtaStsSslContextParameters;
    }

    /**
     * Camel's TLS settings for fetching MTA-STS policies: whom to trust for the certificate of mta-sts.domain. Unset
     * means the JVM's default trust store.
     */
    public void setMtaStsSslContextParameters(SSLContextParameters mtaStsSslContextParameters) {
        this.mtaStsSslContextParameters = mtaStsSslContextParameters;
    }

    public String getDnsServers() {
        return dnsServers;
    }

    /** Comma separated DNS servers as host[:port] to resolve MX records with; empty means the system resolver. */
    public void setDnsServers(String dnsServers) {
        this.dnsServers = blankToNull(dnsServers);
    }

    public int getDnsTimeout() {
        return dnsTimeout;
    }

    /** How long to wait for a DNS answer before the domain's recipients are deferred. */
    public void setDnsTimeout(int dnsTimeout) {
        this.dnsTimeout = dnsTimeout;
    }

    public int getMxPort() {
        return mxPort;
    }

    /** TCP port used to connect to MX hosts; other than 25 only for tests and special networks. */
    public void setMxPort(int mxPort) {
        this.mxPort = mxPort;
    }

    public String getOwnAddresses() {
        return ownAddresses;
    }

    /**
     * Further addresses at which mail reaches this relay, as a comma separated list of addresses or CIDR networks:
     * the public address of a NAT or proxy in front of it (Postfix's proxy_interfaces). In MX mode an MX host at one
     * of them, or at the address and port of an smtprelay listener of this Camel context (a wildcard listener: any
     * address of this host), is this relay itself: the MX hosts from it on are not tried, and when it is the most
     * preferred one the domain's recipients fail at once with 5.4.6 (mail for the domain loops back to myself).
     */
    public void setOwnAddresses(String ownAddresses) {
        this.ownAddresses = blankToNull(ownAddresses);
    }

    public String getHeloName() {
        return heloName;
    }

    /**
     * The name sent in EHLO/HELO and written in the Received header. Unset means the local host name, computed once
     * when the endpoint starts (never a look-up per message).
     */
    public void setHeloName(String heloName) {
        this.heloName = blankToNull(heloName);
    }

    public boolean isUseEhlo() {
        return useEhlo;
    }

    /** Whether to greet with EHLO (falling back to HELO); false sends HELO only, with no ESMTP extensions. */
    public void setUseEhlo(boolean useEhlo) {
        this.useEhlo = useEhlo;
    }

    public boolean isPipelining() {
        return pipelining;
    }

    public boolean isChunking() {
        return chunking;
    }

    /**
     * Whether to send messages with BDAT (RFC 3030) to servers that offer CHUNKING: the message streams in chunks of
     * 1 MiB as it is, with no dot-stuffing, and with BODY=BINARYMIME where the server offers that too. False always
     * sends DATA, for a server that announces CHUNKING but mishandles it.
     */
    public void setChunking(boolean chunking) {
        this.chunking = chunking;
    }

    /**
     * Whether to pipeline (RFC 2920) with servers that offer it: MAIL FROM, every RCPT TO and DATA go in one exchange,
     * so a message costs two round trips instead of four. False waits for each reply, for a server that announces
     * PIPELINING but mishandles it.
     */
    public void setPipelining(boolean pipelining) {
        this.pipelining = pipelining;
    }

    public int getBatchSize() {
        return batchSize;
    }

    /** Most recipients in one SMTP transaction; more are split into further transactions. */
    public void setBatchSize(int batchSize) {
        this.batchSize = batchSize;
    }

    public int getMaxMxHosts() {
        return maxMxHosts;
    }

    /** Most MX addresses tried for one domain in one delivery attempt before its recipients are deferred. */
    public void setMaxMxHosts(int maxMxHosts) {
        this.maxMxHosts = maxMxHosts;
    }

    public int getConnectTimeout() {
        return connectTimeout;
    }

    /** How long to wait for a TCP connection to be established. */
    public void setConnectTimeout(int connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public int getCommandTimeout() {
        return commandTimeout;
    }

    /**
     * How long to wait for the reply to a command that has no timeout of its own (AUTH, RSET, QUIT), and the
     * upper bound of every command timeout below (greetingTimeout, ehloTimeout, ...): a lower value here lowers them
     * all. RFC 5321 4.5.3.2 recommends 5 minutes.
     */
    public void setCommandTimeout(int commandTimeout) {
        this.commandTimeout = commandTimeout;
    }

    public int getDataTimeout() {
        return dataTimeout;
    }

    /** The upper bound of dataXferTimeout and dataDoneTimeout: a lower value here lowers both. */
    public void setDataTimeout(int dataTimeout) {
        this.dataTimeout = dataTimeout;
    }

    public IpVersion getIpVersion() {
        return ipVersion;
    }

    /** Address families to connect over: ANY (IPv4 first, then IPv6), IPV4 or IPV6 only. */
    public void setIpVersion(IpVersion ipVersion) {
        this.ipVersion = ipVersion;
    }

    public boolean isAddReceivedHeader() {
        return addReceivedHeader;
    }

    /** Prepend one RFC 5321 section 4.4 Received trace header to every message. */
    public void setAddReceivedHeader(boolean addReceivedHeader) {
        this.addReceivedHeader = addReceivedHeader;
    }

    public int getMaxConnectionsPerHost() {
        return maxConnectionsPerHost;
    }

    /**
     * Most concurrent connections to one remote IP address, however many MX names lead there (the MX hosts of a
     * large provider often share addresses); further deliveries wait for a free one, at most commandTimeout, and are
     * deferred after that. An idle connection to the address carries mail for any MX name there, unless tls=VERIFY
     * checked the certificate against another name.
     */
    public void setMaxConnectionsPerHost(int maxConnectionsPerHost) {
        this.maxConnectionsPerHost = maxConnectionsPerHost;
    }

    public int getMaxTotalConnections() {
        return maxTotalConnections;
    }

    /**
     * Most connections the producer keeps open in all, to every destination together. When a delivery needs a new
     * connection at the limit, an idle connection (the longest idle first) is closed for it; when none is idle, the
     * delivery waits for one like at maxConnectionsPerHost. Default 500.
     */
    public void setMaxTotalConnections(int maxTotalConnections) {
        this.maxTotalConnections = maxTotalConnections;
    }

    public int getConnectionIdleTimeout() {
        return connectionIdleTimeout;
    }

    /** How long an unused connection stays open for reuse; 0 disables connection reuse. */
    public void setConnectionIdleTimeout(int connectionIdleTimeout) {
        this.connectionIdleTimeout = connectionIdleTimeout;
    }

    public int getMaxMessagesPerConnection() {
        return maxMessagesPerConnection;
    }

    /** Most messages sent over one connection before it is closed and a new one opened. */
    public void setMaxMessagesPerConnection(int maxMessagesPerConnection) {
        this.maxMessagesPerConnection = maxMessagesPerConnection;
    }

    public String getTrafficShaping() {
        return trafficShaping;
    }

    /**
     * Limits per destination, honoured by every thread of this instance that delivers with the same rules (the
     * producer's and the relay routes'): rules separated by ';' or line breaks, each 'selector: name=value, ...'. The
     * selector is a recipient domain (gmail.com), a pattern for the domains below one (*.outlook.com), or an MX host
     * suffix (.google.com) selecting every domain whose MX hosts all end with it, which groups the domains one
     * provider serves; in relay mode they match the relay host. The names: maxConnections (connections in use at
     * once), maxMessagesPerConnection, maxRate (messages per second, minute or hour: 100/s, 30/min, 3600/h). The
     * most specific rule wins (a domain, then a pattern, then an MX suffix). A delivery that finds no slot within the
     * connect timeout defers its recipients (4.4.5); the relay routes hold such a destination's mail back without
     * counting an attempt. Example: '.google.com: maxConnections=10, maxRate=3000/h; *.outlook.com: maxConnections=5,
     * maxMessagesPerConnection=30, maxRate=30/min'.
     */
    public void setTrafficShaping(String trafficShaping) {
        this.trafficShaping = trafficShaping;
    }

    public SmtpRelayListener getListener() {
        return listener;
    }

    /** Receives delivery events (MX resolved, connected, command sent, reply received, message relayed). Every bean of
     * this type in the registry is called as well. */
    public void setListener(SmtpRelayListener listener) {
        this.listener = listener;
    }

    public boolean isSynchronous() {
        return synchronous;
    }

    /**
     * Deliver on the calling route thread instead of the delivery threads. Needed when the route runs in a
     * transaction (for example a transacted JMS consumer), so that what the route does after the delivery commits
     * together with it; and cheaper whenever the caller waits for the delivery anyway (a ProducerTemplate, a
     * synchronous route), as it saves the hand-over to a delivery thread and back. Default false.
     */
    public void setSynchronous(boolean synchronous) {
        this.synchronous = synchronous;
    }

    public int getDeliveryThreads() {
        return deliveryThreads;
    }

    /** Threads the asynchronous producer delivers on; the calling route thread is freed while SMTP is spoken. */
    public void setDeliveryThreads(int deliveryThreads) {
        this.deliveryThreads = deliveryThreads;
    }

    public int getGreetingTimeout() {
        return greetingTimeout;
    }

    /**
     * How long to wait for the server's greeting after the TCP connection (Postfix smtp_helo_timeout: 300 s). A
     * host that accepts TCP and never greets is given up after this time; at most commandTimeout.
     */
    public void setGreetingTimeout(int greetingTimeout) {
        this.greetingTimeout = greetingTimeout;
    }

    public int getEhloTimeout() {
        return ehloTimeout;
    }

    /** How long to wait for the reply to EHLO or HELO (Postfix smtp_helo_timeout: 300 s); at most commandTimeout. */
    public void setEhloTimeout(int ehloTimeout) {
        this.ehloTimeout = ehloTimeout;
    }

    public int getStarttlsTimeout() {
        return starttlsTimeout;
    }

    /**
     * How long to wait for the reply to STARTTLS and for the TLS handshake's progress (Postfix
     * smtp_starttls_timeout: 300 s); at most commandTimeout.
     */
    public void setStarttlsTimeout(int starttlsTimeout) {
        this.starttlsTimeout = starttlsTimeout;
    }

    public int getMailTimeout() {
        return mailTimeout;
    }

    /**
     * How long to wait for the reply to MAIL FROM (Postfix smtp_mail_timeout: 300 s); with PIPELINING, for each
     * reply of the pipelined envelope. At most commandTimeout.
     */
    public void setMailTimeout(int mailTimeout) {
        this.mailTimeout = mailTimeout;
    }

    public int getRcptTimeout() {
        return rcptTimeout;
    }

    /** How long to wait for the reply to each RCPT TO (Postfix smtp_rcpt_timeout: 300 s); at most commandTimeout. */
    public void setRcptTimeout(int rcptTimeout) {
        this.rcptTimeout = rcptTimeout;
    }

    public int getDataInitTimeout() {
        return dataInitTimeout;
    }

    /** How long to wait for the reply to DATA (Postfix smtp_data_init_timeout: 120 s); at most commandTimeout. */
    public void setDataInitTimeout(int dataInitTimeout) {
        this.dataInitTimeout = dataInitTimeout;
    }

    public int getDataXferTimeout() {
        return dataXferTimeout;
    }

    /**
     * How long the message data may make no progress while it is sent (Postfix smtp_data_xfer_timeout: 180 s); at
     * most dataTimeout.
     */
    public void setDataXferTimeout(int dataXferTimeout) {
        this.dataXferTimeout = dataXferTimeout;
    }

    public int getDataDoneTimeout() {
        return dataDoneTimeout;
    }

    /**
     * How long to wait for the reply to the final dot (Postfix smtp_data_done_timeout: 600 s; RFC 5321 4.5.3.2: 10
     * minutes); at most dataTimeout. A timeout here leaves the delivery uncertain: the recipients are deferred, and
     * the log says the delivery may be duplicated.
     */
    public void setDataDoneTimeout(int dataDoneTimeout) {
        this.dataDoneTimeout = dataDoneTimeout;
    }

    public int getMxResolutionTimeout() {
        return mxResolutionTimeout;
    }

    /**
     * How long all DNS look-ups of one domain together may take (its MX records and the addresses of its MX
     * hosts); when they are over, the names not yet looked up are not tried and, when no address was found, the
     * recipients are deferred.
     */
    public void setMxResolutionTimeout(int mxResolutionTimeout) {
        this.mxResolutionTimeout = mxResolutionTimeout;
    }

    public IdempotentRepository getSettledRepository() {
        return settledRepository;
    }

    /**
     * A durable record of the recipients already settled, so that no retry, rollback, broker redelivery or restart
     * sends a message again to a recipient that accepted it. Keyed by the CamelSmtpRelayQueueId header and the
     * recipient: before each attempt the recorded recipients are left out, and each recipient is recorded as soon as
     * the server accepted the message for it. Without the header nothing is recorded. Any Camel IdempotentRepository
     * works: a SettledFileRepository (one file, appended to) for one instance, a JdbcMessageIdRepository shared by several.
     */
    public void setSettledRepository(IdempotentRepository settledRepository) {
        this.settledRepository = settledRepository;
    }

    /** commandTimeout bounds every command timeout. */
    public int effectiveCommandTimeout(int specific) {
        return Math.min(specific, commandTimeout);
    }

    /** dataTimeout bounds the data transfer and final-dot timeouts. */
    public int effectiveDataTimeout(int specific) {
        return Math.min(specific, dataTimeout);
    }
}
