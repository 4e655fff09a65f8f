/**
 * The SMTP listener behind {@code from("smtprelay:...")}: an ESMTP server (RFC 5321) built on SubEthaSMTP that turns
 * each accepted message into one exchange and answers 250 only once the route has completed it.
 * <p>
 * This package owns everything the listener decides on its own: who may relay ({@link
 * io.github.camelrelay.smtprelay.server.RelayNetworks}, {@link io.github.camelrelay.smtprelay.server.LocalDomains},
 * {@link io.github.camelrelay.smtprelay.server.RelayPolicy}), authentication ({@link
 * io.github.camelrelay.smtprelay.server.SmtpRelayAuthenticator}, {@link
 * io.github.camelrelay.smtprelay.server.UserList}, {@link io.github.camelrelay.smtprelay.server.PasswordHash}, the
 * failure throttle), the wire discipline SubEthaSMTP lacks (command and text line limits, bare CR/LF, STARTTLS
 * plaintext injection, error counting) and the SMTP commands that replace SubEthaSMTP's own. Each replacement says
 * in its class comment which library behaviour it works around.
 */
package io.github.camelrelay.smtprelay.server;
