package io.github.camelrelay.smtprelay.server;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.Session;

/**
 * AUTH PLAIN and AUTH LOGIN (RFC 4954, RFC 4616). Replaces SubEthaSMTP's, which has no limit on failed attempts, lets
 * AUTH run in clear text unless every command needs TLS, and reads challenge answers through its logging reader.
 * <p>
 * Every failure is answered after a delay that grows per client address; the connection is closed after
 * maxAuthFailures failures, and an address with maxAuthFailuresPerClient recent failures is turned away at once. The
 * user name and password are never logged, not even on failure.
 */
final class AuthCommand extends RelayCommand {

    private static final Logger LOG = LoggerFactory.getLogger(AuthCommand.class);

    AuthCommand(CommandContext context) {
        super("AUTH", "Authenticates: AUTH PLAIN [initial-response] or AUTH LOGIN [initial-response]", context);
    }

    private record Credentials(String user, String password) {
        @Override
        public String toString() {
            return "Credentials[***]";
        }
    }

    @Override
    void handle(String line, Session session, SmtpConnection connection) throws IOException, RejectException {
        SessionState state = connection.state();
        // taken first, so an answer below never leaves it behind for a later AUTH
        String initialResponse = state.takeAuthInitialResponse();
        ServerSettings settings = context.settings();
        if (settings.authenticator == null) {
            throw new RejectException(502, "5.5.1 AUTH not available");
        }
        if (!settings.authOffered(state.tls())) {
            throw new RejectException(538, "5.7.11 Encryption required for requested authentication mechanism: use STARTTLS first");
        }
        if (state.authenticatedUser() != null) {
            throw new RejectException(503, "5.5.1 Error: already authenticated");
        }
        if (session.isMailTransactionInProgress()) {
            throw new RejectException(503, "5.5.1 Error: AUTH not permitted during a mail transaction");
        }
        String[] parts = argument(line, "AUTH").strip().split(" +");
        if (parts.length != 1 || parts[0].isEmpty()) {
            throw new RejectException(501, "5.5.4 Syntax: AUTH mechanism [initial-response]");
        }
        InetAddress client = connection.getInetAddress();
        if (context.throttle().isLockedOut(client)) {
            LOG.warn("Refused AUTH from {}: too many recent authentication failures", client.getHostAddress());
            throw new DropConnectionException(421, "4.7.0 Too many failed authentication attempts from "
                                                   + client.getHostAddress() + ", try again later");
        }
        String mechanism = parts[0].toUpperCase(Locale.ROOT);
        Credentials credentials = switch (mechanism) {
            case "PLAIN" -> plain(session, connection, initialResponse);
            case "LOGIN" -> login(session, connection, initialResponse);
            default -> throw new RejectException(504, "5.5.4 Unrecognized authentication mechanism '"
                                                      + Replies.printable(parts[0]) + "', expected PLAIN or LOGIN");
        };
        if (credentials == null) {
            throw new RejectException(501, "5.7.0 Authentication cancelled");
        }
        boolean ok;
        try {
            ok = !credentials.user().isEmpty() && settings.authenticator.authenticate(credentials.user(), credentials.password());
        } catch (RuntimeException e) {
            // the exception of a user's authenticator could quote the password; only its type is logged
            LOG.warn("The authenticator failed for a client at {}: {}", client.getHostAddress(), e.getClass().getName());
            throw new RejectException(454, "4.7.0 Temporary authentication failure");
        }
        if (ok) {
            state.authenticated(credentials.user());
            LOG.debug("{} authenticated as {} with {}", client.getHostAddress(), Replies.printable(credentials.user()), mechanism);
            session.sendResponse("235 2.7.0 Authentication successful");
            return;
        }
        failed(session, connection, client);
    }

    private void failed(Session session, SmtpConnection connection, InetAddress client) throws RejectException {
        Duration delay = context.throttle().recordFailure(client);
        int failures = connection.state().authFailed();
        LOG.info("Authentication failed for a client at {} ({} on this connection)", client.getHostAddress(), failures);
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DropConnectionException(421, "4.3.2 Service shutting down");
        }
        if (failures >= context.settings().maxAuthFailures || context.throttle().isLockedOut(client)) {
            throw new DropConnectionException(421, "4.7.8 Authentication credentials invalid, too many failures: closing connection");
        }
        throw new RejectException(535, "5.7.8 Authentication credentials invalid");
    }

    /** RFC 4616: authzid NUL authcid NUL passwd; an authzid other than the user is not supported. */
    private static Credentials plain(Session session, SmtpConnection connection, String initial)
            throws IOException, RejectException {
        String response = initial != null ? initial : challenge(session, connection, "");
        if (response == null) {
            return null;
        }
        String[] fields = new String(decode(response), StandardCharsets.UTF_8).split("\0", -1);
        if (fields.length != 3) {
            throw new RejectException(501, "5.5.2 Cannot decode the AUTH PLAIN response: expected authzid NUL user NUL password");
        }
        if (!fields[0].isEmpty() && !fields[0].equals(fields[1])) {
            return new Credentials("", "");
        }
        return new Credentials(fields[1], fields[2]);
    }

    private static Credentials login(Session session, SmtpConnection connection, String initial)
            throws IOException, RejectException {
        String user = initial != null ? initial : challenge(session, connection, "VXNlcm5hbWU6");
        if (user == null) {
            return null;
        }
        String userText = new String(decode(user), StandardCharsets.UTF_8);
        String password = challenge(session, connection, "UGFzc3dvcmQ6");
        if (password == null) {
            return null;
        }
        return new Credentials(userText, new String(decode(password), StandardCharsets.UTF_8));
    }

    /** Sends a 334 challenge and reads the answer; null when the client cancels with "*" (RFC 4954 4). */
    private static String challenge(Session session, SmtpConnection connection, String base64) throws IOException, RejectException {
        session.sendResponse("334 " + base64);
        String answer = connection.input().readAuthResponse();
        if (answer == null) {
            session.quit();
            throw new RejectException(501, "5.7.0 Authentication cancelled: connection closed");
        }
        answer = answer.strip();
        return answer.equals("*") ? null : answer;
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
