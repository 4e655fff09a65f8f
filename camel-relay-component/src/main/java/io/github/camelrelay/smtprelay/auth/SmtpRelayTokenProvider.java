package io.github.camelrelay.smtprelay.auth;

/**
 * Gives the producer OAuth 2.0 access tokens for SMTP AUTH XOAUTH2 or OAUTHBEARER (RFC 7628) at the relay host, in
 * place of a password: set it as the {@code tokenProvider} option ({@code tokenProvider=#myProvider}). The producer
 * keeps the token it was given and asks again when it has expired; when the relay host refuses a token, it asks
 * {@link #refresh} for a new one and tries once more on a new connection.
 * <p>
 * Called on delivery threads, one call at a time per endpoint; it may block while it fetches a token (an HTTP call to
 * the authorization server) and should answer within the endpoint's commandTimeout. Never log the token. The Spring
 * Boot starter has one for the OAuth 2.0 client-credentials grant (Office 365); Gmail, which offers no such grant,
 * needs one of your own, for a service account with domain-wide delegation.
 */
@FunctionalInterface
public interface SmtpRelayTokenProvider {

    /**
     * A token to authenticate {@code username} (the endpoint's {@code username} option) with; one handed out before
     * will do while it has not expired.
     *
     * @throws Exception when no token can be had now: the recipients are deferred and the next attempt asks again
     */
    SmtpRelayToken token(String username) throws Exception;

    /**
     * A new token for {@code username}, not {@code rejected}: called when the relay host refused {@code rejected}
     * (it was revoked, or expired early) or it has expired. The default asks {@link #token} again, which is right for
     * a provider that fetches a new token on every call; a provider that caches tokens must drop {@code rejected}.
     *
     * @throws Exception when no token can be had now: the recipients are deferred and the next attempt asks again
     */
    default SmtpRelayToken refresh(String username, SmtpRelayToken rejected) throws Exception {
        return token(username);
    }
}
