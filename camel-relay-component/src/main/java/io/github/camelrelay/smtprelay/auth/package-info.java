/**
 * Public API of authentication. The listener's: {@link io.github.camelrelay.smtprelay.auth.SmtpRelayAuthenticator}
 * to check AUTH PLAIN and LOGIN credentials against your own user store, the built-in
 * {@link io.github.camelrelay.smtprelay.auth.UserList} of the {@code users} option, and
 * {@link io.github.camelrelay.smtprelay.auth.PasswordHash}, which makes the hashes that list holds. The producer's:
 * {@link io.github.camelrelay.smtprelay.auth.SmtpRelayTokenProvider}, which gives OAuth 2.0 access tokens
 * ({@link io.github.camelrelay.smtprelay.auth.SmtpRelayToken}) for AUTH XOAUTH2 and OAUTHBEARER at a relay host.
 */
package io.github.camelrelay.smtprelay.auth;
