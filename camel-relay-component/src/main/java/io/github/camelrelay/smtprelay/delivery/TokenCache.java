package io.github.camelrelay.smtprelay.delivery;

import java.time.Clock;
import java.util.Objects;

import io.github.camelrelay.smtprelay.auth.SmtpRelayToken;
import io.github.camelrelay.smtprelay.auth.SmtpRelayTokenProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token an endpoint authenticates with: the provider's, kept until it expires or the relay host refuses it, so
 * the provider is asked once per token rather than once per connection. Thread-safe; one provider call at a time, so
 * connections opened together after an expiry wait for one new token rather than each fetching their own.
 */
final class TokenCache {

    private static final Logger LOG = LoggerFactory.getLogger("io.github.camelrelay.smtprelay.delivery");

    private final SmtpRelayTokenProvider provider;
    private final String username;
    private final Clock clock;
    private SmtpRelayToken current;

    TokenCache(SmtpRelayTokenProvider provider, String username, Clock clock) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.username = Objects.requireNonNull(username, "username");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The token for a new connection: the one kept while it has not expired, else a fresh one from the provider. */
    synchronized SmtpRelayToken current(Destination destination) throws SessionFailure {
        if (current == null) {
            current = ask(destination, null);
        }
        if (current.isExpiredAt(clock.instant())) {
            // a provider's own cache may hand out the token it still holds: ask for a new one explicitly
            current = ask(destination, current);
        }
        return current;
    }

    /** The relay host refused {@code token}: a fresh one, or the one another connection has fetched meanwhile. */
    synchronized SmtpRelayToken refused(Destination destination, SmtpRelayToken token, String reply) throws SessionFailure {
        if (current != null && !current.equals(token) && !current.isExpiredAt(clock.instant())) {
            return current;
        }
        LOG.info("{} refused the OAuth2 token for {} ({}): asking the token provider for a new one", destination, username,
                reply.replaceAll("[\\r\\n\\t]+", " "));
        current = ask(destination, token);
        return current;
    }

    /** Whether a connection authenticated with {@code token} may carry more mail: not once the token has expired. */
    boolean usable(SmtpRelayToken token) {
        return token == null || !token.isExpiredAt(clock.instant());
    }

    private SmtpRelayToken ask(Destination destination, SmtpRelayToken stale) throws SessionFailure {
        SmtpRelayToken token;
        try {
            token = stale == null ? provider.token(username) : provider.refresh(username, stale);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(destination, "interrupted while the token provider fetched a token", e);
        } catch (Exception e) {
            throw failure(destination, "the token provider failed: " + e, e);
        }
        if (token == null) {
            throw failure(destination, "the token provider " + provider.getClass().getName()
                                       + " returned no token (expected an SmtpRelayToken)", null);
        }
        return token;
    }

    private static SessionFailure failure(Destination destination, String why, Exception cause) {
        return new SessionFailure(destination, 0, BearerAuth.NO_BEARER_AUTH, "AUTH not sent: no OAuth2 token: " + why, cause);
    }
}
