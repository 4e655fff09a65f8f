/**
 * Public API of the listener's authentication: {@link io.github.camelrelay.smtprelay.auth.SmtpRelayAuthenticator}
 * to check AUTH PLAIN and LOGIN credentials against your own user store, the built-in
 * {@link io.github.camelrelay.smtprelay.auth.UserList} of the {@code users} option, and
 * {@link io.github.camelrelay.smtprelay.auth.PasswordHash}, which makes the hashes that list holds.
 */
package io.github.camelrelay.smtprelay.auth;
