package io.github.camelrelay.smtprelay.delivery;

import java.security.GeneralSecurityException;
import java.util.Objects;
import java.util.Properties;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

import io.github.camelrelay.smtprelay.AuthMechanism;
import io.github.camelrelay.smtprelay.SmtpRelayListener;
import io.github.camelrelay.smtprelay.TlsMode;
import io.github.camelrelay.smtprelay.auth.SmtpRelayTokenProvider;
import jakarta.mail.Authenticator;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import org.eclipse.angus.mail.util.MailSSLSocketFactory;

/**
 * Everything a session needs that is the same for every connection of an endpoint, built once: the Angus Mail
 * sessions (one with STARTTLS as configured, one without for the opportunistic fallback) and the TLS socket
 * factories, so that no TLS context is made per message.
 */
public final class SessionSettings {

    /**
     * The enhanced status of recipients deferred because AUTH would have gone over a connection that is not TLS with
     * a verified certificate: X.7.10, encryption needed (RFC 5248), as the client refuses to send the password.
     */
    public static final String AUTH_NEEDS_TLS = "4.7.10";

    final Session session;
    final Session plainSession;
    /** One Angus session per STARTTLS mode, for destinations whose TLS policy is not the endpoint's. */
    private final java.util.Map<TlsMode, Session> sessions = new java.util.EnumMap<>(TlsMode.class);
    final TlsMode tls;
    final boolean implicitTls;
    final SSLSocketFactory implicitTlsFactory;
    private final SSLSocketFactory verifyingFactory;
    private final SSLSocketFactory trustAllFactory;
    /** The trust store for certificate checks after the handshake (MTA-STS, VERIFY policies); null when not given. */
    final javax.net.ssl.X509TrustManager verifyingTrust;
    final Timeouts timeouts;
    final int connectTimeout;
    final int commandTimeout;
    final SmtpRelayListener listener;
    final boolean pipelining;
    final boolean chunking;
    final int chunkSize;
    /** Credentials are configured: AUTH is sent after EHLO (and STARTTLS). */
    final boolean authenticates;
    final boolean allowAuthWithoutVerifiedTls;
    final String username;
    final AuthMechanism mechanism;
    /** The tokens for AUTH XOAUTH2 or OAUTHBEARER, or null when AUTH (if any) is with the password, by Angus. */
    final TokenCache tokens;

    private SessionSettings(Builder b) {
        this.tls = Objects.requireNonNull(b.tls, "tls");
        this.pipelining = b.pipelining;
        this.chunking = b.chunking;
        this.chunkSize = b.chunkSize;
        this.implicitTls = b.implicitTls;
        this.timeouts = Objects.requireNonNull(b.timeouts, "timeouts");
        this.connectTimeout = timeouts.connect();
        this.commandTimeout = timeouts.command();
        this.listener = b.listener;
        this.authenticates = b.username != null;
        this.allowAuthWithoutVerifiedTls = b.allowAuthWithoutVerifiedTls;
        this.username = b.username;
        this.mechanism = Objects.requireNonNull(b.mechanism, "authMechanism");
        if (b.tokenProvider != null && b.username == null) {
            throw new IllegalArgumentException("Expected a username for the token provider's AUTH but found none");
        }
        if (mechanism.bearer() != (b.tokenProvider != null) && mechanism != AuthMechanism.AUTO) {
            throw new IllegalArgumentException("Expected a token provider with authMechanism XOAUTH2 or OAUTHBEARER and"
                                               + " none with PLAIN or LOGIN but found authMechanism=" + mechanism + " and "
                                               + (b.tokenProvider == null ? "none" : "one"));
        }
        this.tokens = b.tokenProvider == null ? null
                : new TokenCache(b.tokenProvider, b.username, Objects.requireNonNull(b.clock, "clock"));
        this.trustAllFactory = trustAll();
        this.verifyingFactory = b.verifyingContext == null ? null : b.verifyingContext.getSocketFactory();
        this.verifyingTrust = b.verifyingTrust;
        SSLSocketFactory factory = tls == TlsMode.VERIFY ? verifyingFactory : trustAllFactory;
        this.implicitTlsFactory = factory;
        // with a token provider Angus does no AUTH: SmtpSession sends it after EHLO (and STARTTLS)
        String angusUser = tokens == null ? b.username : null;
        for (TlsMode mode : TlsMode.values()) {
            if (mode != TlsMode.VERIFY || verifyingFactory != null) {
                sessions.put(mode, session(mode, mode == TlsMode.VERIFY ? verifyingFactory : trustAllFactory, b.heloName,
                        b.useEhlo, angusUser, b.password, mechanism));
            }
        }
        this.session = sessions.get(tls);
        this.plainSession = sessions.get(TlsMode.NONE);
    }

    /** The Angus session for a STARTTLS mode. */
    Session session(TlsMode mode) {
        Session s = sessions.get(mode);
        if (s == null) {
            throw new IllegalStateException("Expected a verifying TLS context for " + mode + " but none was configured");
        }
        return s;
    }

    /** The socket factory for implicit TLS under a mode: verifying for VERIFY, trusting anyone otherwise. */
    SSLSocketFactory implicitTlsFactory(TlsMode mode) {
        return mode == TlsMode.VERIFY ? verifyingFactory : trustAllFactory;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Why AUTH must not be sent on a connection, or null when it may: only over TLS whose certificate was verified
     * (VERIFY), unless allowAuthWithoutVerifiedTls lets it go over unverified TLS, or in plain text when tls=NONE says
     * so. A connection that OPPORTUNISTIC left in plain text never authenticates: STARTTLS may have been stripped.
     */
    String authRefusal(boolean tlsActive, boolean handshakeFailed) {
        return authRefusal(tlsActive, tlsActive && tls == TlsMode.VERIFY, handshakeFailed, tls);
    }

    /**
     * As {@link #authRefusal(boolean, boolean)} for a session under its own TLS policy: {@code verified} when the
     * handshake (VERIFY) or the check after it (a VERIFY or pinned policy) proved the server's identity.
     */
    String authRefusal(boolean tlsActive, boolean verified, boolean handshakeFailed, TlsMode mode) {
        if (tlsActive && verified) {
            return null;
        }
        if (allowAuthWithoutVerifiedTls && (tlsActive || mode == TlsMode.NONE)) {
            return null;
        }
        if (tlsActive) {
            return "AUTH not sent: the server's certificate was not verified (tls=" + tls + "); set tls=VERIFY, or"
                   + " allowAuthWithoutVerifiedTls=true on a trusted network";
        }
        String why = handshakeFailed ? "the TLS handshake failed" : "the server did not offer STARTTLS";
        return "AUTH not sent in plain text: " + why + " (tls=" + tls + "), so the " + (tokens == null ? "password" : "token")
               + " would travel unencrypted;"
               + " the recipients wait for a connection with TLS";
    }

    private static Session session(TlsMode tls, SSLSocketFactory factory, String heloName, boolean useEhlo,
                                   String username, String password, AuthMechanism mechanism) {
        Properties p = new Properties();
        p.put("mail.smtp.localhost", heloName);
        p.put("mail.smtp.ehlo", String.valueOf(useEhlo));
        p.put("mail.smtp.starttls.enable", String.valueOf(tls != TlsMode.NONE));
        p.put("mail.smtp.starttls.required", String.valueOf(tls == TlsMode.REQUIRED || tls == TlsMode.VERIFY));
        p.put("mail.smtp.ssl.checkserveridentity", String.valueOf(tls == TlsMode.VERIFY));
        p.put("mail.smtp.ssl.socketFactory", factory);
        // the QUIT reply tells us nothing, and waiting for it holds a pool slot
        p.put("mail.smtp.quitwait", "false");
        // commands as UTF-8 rather than '?' for a UTF-8 address; only sent with SMTPUTF8 (DeliveryEngine.negotiate)
        p.put("mail.mime.allowutf8", "true");
        p.put("mail.smtp.auth.mechanisms", mechanism == AuthMechanism.PLAIN || mechanism == AuthMechanism.LOGIN
                ? mechanism.name() : "PLAIN LOGIN");
        Authenticator authenticator = null;
        if (username != null) {
            p.put("mail.smtp.auth", "true");
            p.put("mail.smtp.user", username);
            authenticator = new Authenticator() {
                @Override
                protected PasswordAuthentication getPasswordAuthentication() {
                    return new PasswordAuthentication(username, password == null ? "" : password);
                }
            };
        }
        return Session.getInstance(p, authenticator);
    }

    /** Between MX hosts certificates are not checked (RFC 7435 opportunistic security): encryption without it is still better. */
    private static SSLSocketFactory trustAll() {
        try {
            MailSSLSocketFactory f = new MailSSLSocketFactory();
            f.setTrustAllHosts(true);
            return f;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The JVM offers no TLS implementation: " + e.getMessage(), e);
        }
    }

    /** The settings of one endpoint; tls, verifyingContext (for VERIFY), heloName and timeouts are required. */
    public static final class Builder {
        private TlsMode tls;
        private boolean implicitTls;
        private SSLContext verifyingContext;
        private javax.net.ssl.X509TrustManager verifyingTrust;
        private String heloName;
        private boolean useEhlo = true;
        private boolean pipelining = true;
        private boolean chunking = true;
        private int chunkSize = 1024 * 1024;
        private String username;
        private String password;
        private SmtpRelayTokenProvider tokenProvider;
        private AuthMechanism mechanism = AuthMechanism.AUTO;
        private java.time.Clock clock = java.time.Clock.systemUTC();
        private boolean allowAuthWithoutVerifiedTls;
        private Timeouts timeouts;
        private SmtpRelayListener listener;

        private Builder() {
        }

        public Builder tls(TlsMode v) {
            tls = v;
            return this;
        }

        public Builder implicitTls(boolean v) {
            implicitTls = v;
            return this;
        }

        /** The TLS context for VERIFY (Camel's sslContextParameters or the JVM default). */
        public Builder verifyingContext(SSLContext v) {
            verifyingContext = v;
            return this;
        }

        /** The same trust as the verifying context's, for certificate checks after the handshake (MTA-STS, policies). */
        public Builder verifyingTrust(javax.net.ssl.X509TrustManager v) {
            verifyingTrust = v;
            return this;
        }

        public Builder heloName(String v) {
            heloName = v;
            return this;
        }

        public Builder useEhlo(boolean v) {
            useEhlo = v;
            return this;
        }

        public Builder pipelining(boolean v) {
            pipelining = v;
            return this;
        }

        /** Whether to send with BDAT (RFC 3030) to servers offering CHUNKING, and in chunks of how many octets. */
        public Builder chunking(boolean v, int size) {
            if (size < 1) {
                throw new IllegalArgumentException("Expected a BDAT chunk size of at least 1 octet but found " + size);
            }
            chunking = v;
            chunkSize = size;
            return this;
        }

        /** The credentials for AUTH; a null username means no AUTH. */
        public Builder credentials(String user, String pass) {
            username = user;
            password = pass;
            return this;
        }

        /** AUTH XOAUTH2 or OAUTHBEARER with this provider's tokens, for the credentials' username, instead of a password. */
        public Builder tokenProvider(SmtpRelayTokenProvider v) {
            tokenProvider = v;
            return this;
        }

        public Builder authMechanism(AuthMechanism v) {
            mechanism = v;
            return this;
        }

        /** The clock that tells when a token has expired. */
        public Builder clock(java.time.Clock v) {
            clock = v;
            return this;
        }

        public Builder allowAuthWithoutVerifiedTls(boolean v) {
            allowAuthWithoutVerifiedTls = v;
            return this;
        }

        public Builder timeouts(Timeouts v) {
            timeouts = v;
            return this;
        }

        public Builder listener(SmtpRelayListener v) {
            listener = v;
            return this;
        }

        public SessionSettings build() {
            Objects.requireNonNull(heloName, "heloName");
            if (tls == TlsMode.VERIFY) {
                Objects.requireNonNull(verifyingContext, "verifyingContext");
            }
            return new SessionSettings(this);
        }
    }
}
