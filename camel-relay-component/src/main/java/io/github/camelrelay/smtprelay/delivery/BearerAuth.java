package io.github.camelrelay.smtprelay.delivery;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.github.camelrelay.smtprelay.AuthMechanism;
import io.github.camelrelay.smtprelay.auth.SmtpRelayToken;
import jakarta.mail.MessagingException;

/**
 * SMTP AUTH with an OAuth 2.0 bearer token (RFC 4954): XOAUTH2, as Google and Microsoft define it, or OAUTHBEARER
 * (RFC 7628). On a refused token the server answers 334 with a base64 JSON error, which the client acknowledges (an
 * empty line for XOAUTH2, a single %x01 for OAUTHBEARER, RFC 7628 3.2.3) before the final 535.
 */
final class BearerAuth {

    /** The SMTP command line limit with its CRLF (RFC 5321 4.5.3.1.4), which AUTH with an initial response must keep. */
    static final int MAX_COMMAND_LINE = 512;
    /** The enhanced status when no AUTH with a token could be attempted: no token, or no mechanism in common. */
    static final String NO_BEARER_AUTH = "4.7.0";

    private static final int MAX_ERROR = 200;

    /** How the exchange ended: the last reply, and the JSON error of a 334 error challenge when there was one. */
    record Outcome(SmtpReply reply, String error) {

        boolean authenticated() {
            return reply.code() == 235;
        }

        /** The server refused the token itself (rather than being unable to check it now): a fresh one may do. */
        boolean tokenRefused() {
            return reply.code() == 535 || error != null && reply.code() >= 500;
        }

        /** The reply text, with the mechanism and the server's JSON error (never the token) when it sent one. */
        String text(AuthMechanism mechanism) {
            return reply.text() + " (AUTH " + mechanism + (error == null ? "" : "; error: " + error) + ")";
        }
    }

    private BearerAuth() {
    }

    /**
     * The mechanism to use with this server: the configured one, or for AUTO OAUTHBEARER, the standard, else XOAUTH2,
     * as the server offers them; null when AUTO finds neither.
     */
    static AuthMechanism choose(AuthMechanism configured, RelayTransport transport) {
        if (configured.bearer()) {
            return configured;
        }
        if (transport.offersAuth("OAUTHBEARER")) {
            return AuthMechanism.OAUTHBEARER;
        }
        return transport.offersAuth("XOAUTH2") ? AuthMechanism.XOAUTH2 : null;
    }

    /** The client's response, base64 encoded, that carries the token. */
    static String response(AuthMechanism mechanism, String user, Destination destination, SmtpRelayToken token) {
        String bearer = "auth=Bearer " + token.accessToken() + "\u0001\u0001";
        String raw = mechanism == AuthMechanism.XOAUTH2
                ? "user=" + user + "\u0001" + bearer
                // RFC 7628 3.1: the GS2 header names the user; host and port are what the client connected to
                : "n,a=" + saslName(user) + ",\u0001host=" + destination.host() + "\u0001port=" + destination.port()
                  + "\u0001" + bearer;
        return Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** RFC 5801's saslname: ',' and '=' escaped, as the GS2 header separates fields with them. */
    private static String saslName(String user) {
        return user.replace("=", "=3D").replace(",", "=2C");
    }

    /**
     * Authenticates with the token: the response on the AUTH line when the line stays within the command line
     * limit, else after the server's empty 334 challenge (RFC 4954 4), which real tokens (1 to 3 KB) always need.
     */
    static Outcome authenticate(RelayTransport transport, AuthMechanism mechanism, String response) throws MessagingException {
        String command = "AUTH " + mechanism.name();
        SmtpReply reply;
        if (command.length() + 1 + response.length() + 2 <= MAX_COMMAND_LINE) {
            reply = transport.secretCommand(command + " " + response);
        } else {
            reply = transport.command(command);
            if (reply.code() != 334) {
                return new Outcome(reply, null);
            }
            reply = transport.secretCommand(response);
        }
        if (reply.code() != 334) {
            return new Outcome(reply, null);
        }
        String error = error(reply.text());
        // the server has refused the token: acknowledge its error to have the final reply
        reply = transport.command(mechanism == AuthMechanism.XOAUTH2 ? "" : Base64.getEncoder().encodeToString(new byte[] {1}));
        if (reply.code() == 334) {
            // a second challenge has no meaning in either mechanism: cancel (RFC 4954 4)
            reply = transport.command("*");
        }
        return new Outcome(reply, error);
    }

    /** The JSON of an error challenge, reduced to printable ASCII and a bounded length, as it goes into logs. */
    private static String error(String base64) {
        String json;
        try {
            json = new String(Base64.getDecoder().decode(base64.strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "challenge not base64";
        }
        StringBuilder sb = new StringBuilder(Math.min(json.length(), MAX_ERROR));
        for (int i = 0; i < json.length() && sb.length() < MAX_ERROR; i++) {
            char c = json.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb.length() == 0 ? "empty challenge" : sb.toString();
    }
}
