package io.github.camelrelay.smtprelay.auth;

/**
 * Checks the credentials a client gives with AUTH PLAIN or AUTH LOGIN. Implement it against your user store and
 * register it as a bean (a single bean of this type is used automatically) or set it as the {@code authenticator}
 * option. For a handful of users the built-in {@code users} option ({@link UserList}) does without code.
 * <p>
 * Called on the connection's thread; it may block briefly (a directory look-up) but should answer within seconds.
 * The listener already limits and delays failed attempts. Never log the password.
 */
@FunctionalInterface
public interface SmtpRelayAuthenticator {

    /**
     * @return true when the password is right for the user. An exception answers the client 454 (temporary failure)
     *         and does not count as a failed attempt.
     */
    boolean authenticate(String user, String password);
}
