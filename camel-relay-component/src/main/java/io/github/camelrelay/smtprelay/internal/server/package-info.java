/**
 * Not public API: the SMTP listener behind {@code from("smtprelay:...")}, an ESMTP server (RFC 5321) on Netty that
 * turns each accepted message into one exchange and answers 250 only once the route has completed it. Users
 * configure it through the consumer's options and {@link io.github.camelrelay.smtprelay.auth}; classes here may
 * change in any release.
 * <p>
 * Accepting and connection limits ({@link io.github.camelrelay.smtprelay.internal.server.SmtpListener},
 * {@code ConnectionCounter}); one connection's input, output, framing and timers ({@code SmtpConnection},
 * {@code LineFramer}, {@code MessageReader}, {@code SessionTimers}, {@code TlsHandlers}); message data written into the
 * stream cache off the event loop ({@code DataSpool}, on the connection's {@code SerialExecutor}); the session state machine
 * ({@code SmtpSession}, {@code SessionState}); one class per command family ({@code GreetingCommand},
 * {@code StartTlsCommand}, {@code AuthCommand}, {@code MailCommand}, {@code RcptCommand}, {@code DataCommand},
 * {@code BasicCommands}); and the policy: who may relay ({@code RelayPolicy}, {@code RelayNetworks},
 * {@code LocalDomains}, {@code Cidr}) and the AUTH failure throttle ({@code AuthThrottle}).
 */
package io.github.camelrelay.smtprelay.internal.server;
