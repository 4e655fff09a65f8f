package io.github.camelrelay.smtprelay.internal.server;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

import javax.net.ssl.SSLContext;

import io.github.camelrelay.smtprelay.auth.SenderLogins;
import io.github.camelrelay.smtprelay.auth.SmtpRelayAuthenticator;
import io.github.camelrelay.smtprelay.recipient.RecipientValidator;

/**
 * The listener's settings, resolved and checked once when it starts: parsed networks and domains, the SSL context,
 * the authenticator in force. Immutable; made with {@link #builder()}.
 */
public final class ServerSettings {

    final String hostName;
    final InetAddress bindAddress;
    final int port;
    final RelayPolicy relayPolicy;
    final SmtpRelayAuthenticator authenticator;
    final boolean allowAuthWithoutTls;
    final SSLContext sslContext;
    final boolean implicitTls;
    final long maxMessageSize;
    final int maxRecipients;
    final int maxConnections;
    final int maxConnectionsPerClient;
    final int idleTimeout;
    final long maxSessionTime;
    final int minDataRate;
    final int ioThreads;
    final int maxErrors;
    final int maxAuthFailures;
    final int maxAuthFailuresPerClient;
    final Duration authFailureDelay;
    final Duration authLockoutTime;
    final Clock clock;
    final ClientKeys clientKeys;
    final RecipientValidator recipientValidator;
    final LocalDomains localDomains;
    final SenderLoginCheck senderLoginCheck;

    private ServerSettings(Builder b) {
        this.hostName = Objects.requireNonNull(b.hostName, "hostName");
        this.bindAddress = Objects.requireNonNull(b.bindAddress, "bindAddress");
        this.port = b.port;
        this.relayPolicy = new RelayPolicy(b.relayNetworks, b.localDomains);
        this.authenticator = b.authenticator;
        this.allowAuthWithoutTls = b.allowAuthWithoutTls;
        this.sslContext = b.sslContext;
        this.implicitTls = b.implicitTls;
        this.maxMessageSize = b.maxMessageSize;
        this.maxRecipients = b.maxRecipients;
        this.maxConnections = b.maxConnections;
        this.maxConnectionsPerClient = b.maxConnectionsPerClient;
        this.idleTimeout = b.idleTimeout;
        this.maxSessionTime = b.maxSessionTime;
        this.minDataRate = b.minDataRate;
        this.ioThreads = b.ioThreads;
        this.maxErrors = b.maxErrors;
        this.maxAuthFailures = b.maxAuthFailures;
        this.maxAuthFailuresPerClient = b.maxAuthFailuresPerClient;
        this.authFailureDelay = b.authFailureDelay;
        this.authLockoutTime = b.authLockoutTime;
        this.clock = Objects.requireNonNull(b.clock, "clock");
        this.recipientValidator = b.recipientValidator;
        this.localDomains = b.localDomains;
        this.senderLoginCheck = new SenderLoginCheck(b.senderLogins);
        this.clientKeys = new ClientKeys(b.clientIpv4PrefixLength, b.clientIpv6PrefixLength,
                b.clientLimitExceptions != null ? b.clientLimitExceptions : b.relayNetworks);
        if (implicitTls && sslContext == null) {
            throw new IllegalArgumentException("Option implicitTls needs sslContextParameters with a key store for the listener"
                                               + " but found none");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The sender-login check of authenticated sessions, which the consumer also runs on the From header. */
    public SenderLoginCheck senderLoginCheck() {
        return senderLoginCheck;
    }

    /** Whether STARTTLS is offered: there is a key to present and the connection is not TLS from the start. */
    boolean startTlsOffered() {
        return sslContext != null && !implicitTls;
    }

    /** Whether AUTH is offered on a connection in this TLS state. */
    boolean authOffered(boolean tls) {
        return authenticator != null && (tls || allowAuthWithoutTls);
    }

    /** Builds {@link ServerSettings}; the defaults are those of the endpoint options. */
    public static final class Builder {
        private String hostName = "localhost";
        private InetAddress bindAddress = InetAddress.getLoopbackAddress();
        private int port = 2525;
        private RelayNetworks relayNetworks = RelayNetworks.LOOPBACK;
        private LocalDomains localDomains = LocalDomains.parse(null);
        private SmtpRelayAuthenticator authenticator;
        private Clock clock = Clock.systemDefaultZone();
        private boolean allowAuthWithoutTls;
        private SSLContext sslContext;
        private boolean implicitTls;
        private long maxMessageSize = 26_214_400L;
        private int maxRecipients = 100;
        private int maxConnections = 100;
        private int maxConnectionsPerClient = 20;
        private int idleTimeout = 300_000;
        private long maxSessionTime = 3_600_000L;
        private int minDataRate = 500;
        private int ioThreads = Math.min(4, Runtime.getRuntime().availableProcessors());
        private int maxErrors = 20;
        private int maxAuthFailures = 3;
        private int maxAuthFailuresPerClient = 10;
        private Duration authFailureDelay = Duration.ofSeconds(1);
        private Duration authLockoutTime = Duration.ofMinutes(15);
        private int clientIpv4PrefixLength = 32;
        private int clientIpv6PrefixLength = 64;
        private RelayNetworks clientLimitExceptions;
        private RecipientValidator recipientValidator;
        private SenderLogins senderLogins;

        private Builder() {
        }

        public Builder hostName(String v) {
            hostName = v;
            return this;
        }

        public Builder bindAddress(InetAddress v) {
            bindAddress = v;
            return this;
        }

        public Builder port(int v) {
            port = v;
            return this;
        }

        public Builder relayNetworks(RelayNetworks v) {
            relayNetworks = v;
            return this;
        }

        public Builder localDomains(LocalDomains v) {
            localDomains = v;
            return this;
        }

        /** Null means AUTH is not offered. */
        public Builder authenticator(SmtpRelayAuthenticator v) {
            authenticator = v;
            return this;
        }

        public Builder allowAuthWithoutTls(boolean v) {
            allowAuthWithoutTls = v;
            return this;
        }

        /** The context whose key the listener presents; null means no STARTTLS. */
        public Builder sslContext(SSLContext v) {
            sslContext = v;
            return this;
        }

        public Builder implicitTls(boolean v) {
            implicitTls = v;
            return this;
        }

        public Builder maxMessageSize(long v) {
            maxMessageSize = v;
            return this;
        }

        public Builder maxRecipients(int v) {
            maxRecipients = v;
            return this;
        }

        public Builder maxConnections(int v) {
            maxConnections = v;
            return this;
        }

        public Builder maxConnectionsPerClient(int v) {
            maxConnectionsPerClient = v;
            return this;
        }

        public Builder idleTimeout(int millis) {
            idleTimeout = millis;
            return this;
        }

        /** Milliseconds one connection may last at most; 0 for no limit. */
        public Builder maxSessionTime(long millis) {
            maxSessionTime = millis;
            return this;
        }

        /** Octets per second a client must at least send while a command line or message is under way; 0 for none. */
        public Builder minDataRate(int octetsPerSecond) {
            minDataRate = octetsPerSecond;
            return this;
        }

        /** Event loop threads that do all the network input and output of the listener. */
        public Builder ioThreads(int v) {
            ioThreads = v;
            return this;
        }

        public Builder maxErrors(int v) {
            maxErrors = v;
            return this;
        }

        public Builder maxAuthFailures(int v) {
            maxAuthFailures = v;
            return this;
        }

        public Builder maxAuthFailuresPerClient(int v) {
            maxAuthFailuresPerClient = v;
            return this;
        }

        public Builder authFailureDelay(Duration v) {
            authFailureDelay = v;
            return this;
        }

        public Builder authLockoutTime(Duration v) {
            authLockoutTime = v;
            return this;
        }

        /** The clock that dates Received headers and times AUTH lock-outs. */
        /** Clients are counted (connections, AUTH failures) by their IPv4 network of this prefix length. */
        public Builder clientIpv4PrefixLength(int v) {
            clientIpv4PrefixLength = v;
            return this;
        }

        /** Clients are counted (connections, AUTH failures) by their IPv6 network of this prefix length. */
        public Builder clientIpv6PrefixLength(int v) {
            clientIpv6PrefixLength = v;
            return this;
        }

        /** Clients spared the per-client connection limit; null (the default) means the relay networks. */
        public Builder clientLimitExceptions(RelayNetworks v) {
            clientLimitExceptions = v;
            return this;
        }

        /** Checks recipients at the local domains at RCPT time; null accepts every one. */
        public Builder recipientValidator(RecipientValidator v) {
            recipientValidator = v;
            return this;
        }

        /** Which senders each authenticated user may use; null or empty for no check. */
        public Builder senderLogins(SenderLogins v) {
            senderLogins = v;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public ServerSettings build() {
            return new ServerSettings(this);
        }
    }
}
