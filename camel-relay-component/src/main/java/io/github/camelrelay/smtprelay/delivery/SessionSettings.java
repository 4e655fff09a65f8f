package io.github.camelrelay.smtprelay.delivery;

import java.security.GeneralSecurityException;
import java.util.Properties;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

import io.github.camelrelay.smtprelay.SmtpRelayListener;
import io.github.camelrelay.smtprelay.TlsMode;
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

    final Session session;
    final Session plainSession;
    final TlsMode tls;
    final boolean implicitTls;
    final SSLSocketFactory implicitTlsFactory;
    final Timeouts timeouts;
    final int connectTimeout;
    final int commandTimeout;
    final SmtpRelayListener listener;
    final boolean pipelining;

    /**
     * @param verifyingContext the TLS context for VERIFY (Camel's sslContextParameters or the JVM default)
     */
    public SessionSettings(TlsMode tls, boolean implicitTls, SSLContext verifyingContext, String heloName, boolean useEhlo,
                           boolean pipelining, String username, String password, Timeouts timeouts,
                           SmtpRelayListener listener) {
        this.tls = tls;
        this.pipelining = pipelining;
        this.implicitTls = implicitTls;
        this.timeouts = timeouts;
        this.connectTimeout = timeouts.connect();
        this.commandTimeout = timeouts.command();
        this.listener = listener;
        SSLSocketFactory factory = tls == TlsMode.VERIFY ? verifyingContext.getSocketFactory() : trustAll();
        this.implicitTlsFactory = factory;
        this.session = session(tls, factory, heloName, useEhlo, username, password);
        this.plainSession = session(TlsMode.NONE, factory, heloName, useEhlo, username, password);
    }

    private static Session session(TlsMode tls, SSLSocketFactory factory, String heloName, boolean useEhlo,
                                   String username, String password) {
        Properties p = new Properties();
        p.put("mail.smtp.localhost", heloName);
        p.put("mail.smtp.ehlo", String.valueOf(useEhlo));
        p.put("mail.smtp.starttls.enable", String.valueOf(tls != TlsMode.NONE));
        p.put("mail.smtp.starttls.required", String.valueOf(tls == TlsMode.REQUIRED || tls == TlsMode.VERIFY));
        p.put("mail.smtp.ssl.checkserveridentity", String.valueOf(tls == TlsMode.VERIFY));
        p.put("mail.smtp.ssl.socketFactory", factory);
        // the QUIT reply tells us nothing, and waiting for it holds a pool slot
        p.put("mail.smtp.quitwait", "false");
        p.put("mail.smtp.auth.mechanisms", "PLAIN LOGIN");
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
}
