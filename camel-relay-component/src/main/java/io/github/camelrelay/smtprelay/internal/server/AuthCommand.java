package io.github.camelrelay.smtprelay.internal.server;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.function.Consumer;

import io.github.camelrelay.smtprelay.auth.SmtpRelayAuthenticator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AUTH PLAIN and AUTH LOGIN (RFC 4954, RFC 4616), offered only where {@link ServerSettings#authOffered} allows.
 * <p>
 * The authenticator runs on the listener's executor (a directory look-up or a password hash must not stall an
 * event loop), and only for an attempt the {@link AuthThrottle} admitted once the credentials were in; an empty user
 * name or password never reaches it and is answered 535 5.7.8 like a wrong password. Every failure is answered after a delay that grows per client address; the connection is closed
 * after maxAuthFailures failures, and an address with maxAuthFailuresPerClient recent failures is turned away at
 * once. The user name and password are never logged, not even on failure.
 */
final class AuthCommand implements SmtpCommand {

    private static final Logger LOG = LoggerFactory.getLogger(AuthCommand.class);

    private record Credentials(String user, String password) {
        @Override
        public String toString() {
            return "Credentials[***]";
        }
    }

    @Override
    public void execute(String verb, String line, SmtpSession session) throws RejectException {
        SessionState state = session.state();
        ServerSettings settings = session.settings();
        if (settings.authenticator == null) {
            throw new RejectException(502, "5.5.1 AUTH not available");
        }
        if (!settings.authOffered(state.tls())) {
            throw new RejectException(538, "5.7.11 Encryption required for requested authentication mechanism: use STARTTLS first");
        }
        if (state.authenticatedUser() != null) {
            throw new RejectException(503, "5.5.1 Error: already authenticated");
        }
        if (state.transaction() != null) {
            throw new RejectException(503, "5.5.1 Error: AUTH not permitted during a mail transaction");
        }
        String[] parts = SmtpCommand.argument(line, verb).strip().split(" ", 2);
        if (parts[0].isEmpty()) {
            throw new RejectException(501, "5.5.4 Syntax: AUTH mechanism [initial-response]");
        }
        InetAddress client = session.clientAddress();
        if (session.context().throttle().isLockedOut(client)) {
            LOG.warn("Refused AUTH from {}: too many recent authentication failures", client.getHostAddress());
            throw new CloseConnectionException(421, "4.7.0 Too many failed authentication attempts from "
                                                    + client.getHostAddress() + ", try again later");
        }
        String initial = parts.length > 1 ? parts[1].strip() : null;
        String mechanism = parts[0].toUpperCase(Locale.ROOT);
        switch (mechanism) {
            case "PLAIN" -> answer(session, initial, "", response -> verify(session, plain(response)));
            case "LOGIN" -> answer(session, initial, "VXNlcm5hbWU6", user -> {
                String name = new String(decode(user), StandardCharsets.UTF_8);
                answer(session, null, "UGFzc3dvcmQ6",
                        password -> verify(session, new Credentials(name, new String(decode(password), StandardCharsets.UTF_8))));
            });
            default -> throw new RejectException(504, "5.5.4 Unrecognized authentication mechanism '"
                                                      + Replies.printable(parts[0]) + "', expected PLAIN or LOGIN");
        }
    }

    /** A step of the exchange that gets the client's (Base64) answer. */
    @FunctionalInterface
    private interface Answer {
        void accept(String base64) throws RejectException;
    }

    /** The initial response when there is one, else a 334 challenge and the client's answer to it. */
    private static void answer(SmtpSession session, String initial, String challenge, Answer next) throws RejectException {
        if (initial != null) {
            next.accept(initial);
            return;
        }
        session.reply("334 " + challenge);
        Consumer<LineFramer.Line> handler = raw -> session.run(() -> {
            if (raw.endless() || raw.length() > LineFramer.AUTH_LINE_LIMIT) {
                throw new RejectException(500, "5.5.2 Line too long: expected an AUTH response of at most "
                                               + LineFramer.AUTH_LINE_LIMIT + " octets including CRLF");
            }
            if (raw.badEnding()) {
                throw new RejectException(501, "5.5.2 Syntax error: expected an AUTH response ending in CRLF");
            }
            String text = raw.text().strip();
            if (text.equals("*")) {
                throw new RejectException(501, "5.7.0 Authentication cancelled");
            }
            next.accept(text);
        }, "AUTH");
        session.expectAnswer(handler);
    }

    /** RFC 4616: authzid NUL authcid NUL passwd; an authzid other than the user is not supported. */
    private static Credentials plain(String response) throws RejectException {
        String[] fields = new String(decode(response), StandardCharsets.UTF_8).split("\0", -1);
        if (fields.length != 3) {
            throw new RejectException(501, "5.5.2 Cannot decode the AUTH PLAIN response: expected authzid NUL user NUL password");
        }
        if (!fields[0].isEmpty() && !fields[0].equals(fields[1])) {
            return new Credentials("", "");
        }
        return new Credentials(fields[1], fields[2]);
    }

    private static void verify(SmtpSession session, Credentials credentials) throws RejectException {
        SmtpRelayAuthenticator authenticator = session.settings().authenticator;
        InetAddress client = session.clientAddress();
        AuthThrottle throttle = session.context().throttle();
        if (credentials.user().isEmpty() || credentials.password().isEmpty()) {
            // never passed on: an LDAP bind with an empty password is an unauthenticated bind that succeeds
            failed(session, client);
            return;
        }
        // checked again now the credentials are in, before any hash: other connections may have failed meanwhile
        switch (throttle.admit(client)) {
            case LOCKED_OUT -> {
                LOG.warn("Refused AUTH from {}: too many recent authentication failures", client.getHostAddress());
                throw new CloseConnectionException(421, "4.7.0 Too many failed authentication attempts from "
                                                        + client.getHostAddress() + ", try again later");
            }
            case BUSY -> throw new RejectException(454, "4.7.0 Too many authentication attempts in progress from your"
                                                        + " network, try again later");
            case ADMITTED -> {
            }
        }
        session.offload(() -> authenticator.authenticate(credentials.user(), credentials.password()),
                (ok, failure) -> {
                    if (failure != null) {
                        throttle.done(client);
                        // the exception of a user's authenticator could quote the password; only its type is logged
                        LOG.warn("The authenticator failed for a client at {}: {}", client.getHostAddress(),
                                failure.getClass().getName());
                        session.reply("454 4.7.0 Temporary authentication failure");
                    } else if (ok) {
                        throttle.done(client);
                        session.state().authenticated(credentials.user());
                        LOG.debug("{} authenticated as {}", client.getHostAddress(), Replies.token(credentials.user()));
                        session.reply("235 2.7.0 Authentication successful");
                    } else {
                        // the failure is recorded before the next attempt from the network is admitted
                        failed(session, client);
                        throttle.done(client);
                    }
                });
    }

    private static void failed(SmtpSession session, InetAddress client) {
        AuthThrottle throttle = session.context().throttle();
        Duration delay = throttle.recordFailure(client);
        int failures = session.state().authFailed();
        LOG.info("Authentication failed for a client at {} ({} on this connection)", client.getHostAddress(), failures);
        session.delay(delay.toMillis(), () -> {
            if (failures >= session.settings().maxAuthFailures || throttle.isLockedOut(client)) {
                session.replyAndClose("421 4.7.8 Authentication credentials invalid, too many failures: closing connection");
            } else {
                session.reply("535 5.7.8 Authentication credentials invalid");
            }
        });
    }

    private static byte[] decode(String base64) throws RejectException {
        if (base64.equals("=")) {
            return new byte[0];
        }
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new RejectException(501, "5.5.2 Cannot decode the AUTH response: expected Base64");
        }
    }
}
