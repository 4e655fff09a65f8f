package io.github.camelrelay.smtprelay.auth;

import java.time.Instant;
import java.util.Objects;

/**
 * An OAuth 2.0 access token for SMTP AUTH XOAUTH2 or OAUTHBEARER at the relay host, with the instant it expires.
 * Immutable. Its {@link #toString()} never shows the token, so it can be logged.
 */
public final class SmtpRelayToken {

    private final String accessToken;
    private final Instant expiresAt;

    private SmtpRelayToken(String accessToken, Instant expiresAt) {
        this.accessToken = accessToken;
        this.expiresAt = expiresAt;
    }

    /**
     * @param accessToken the bearer token as the authorization server issued it (RFC 6750 b64token characters)
     * @param expiresAt   when it expires, as the token response's {@code expires_in} says
     * @throws IllegalArgumentException when the token is empty or has characters a bearer token cannot have; the
     *                                  message names the position, never the token
     */
    public static SmtpRelayToken of(String accessToken, Instant expiresAt) {
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (accessToken == null || accessToken.isEmpty()) {
            throw new IllegalArgumentException("Expected an access token but found an empty value");
        }
        // RFC 6750 2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
        int end = accessToken.length();
        while (end > 1 && accessToken.charAt(end - 1) == '=') {
            end--;
        }
        for (int i = 0; i < end; i++) {
            char c = accessToken.charAt(i);
            boolean ok = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || "-._~+/".indexOf(c) >= 0;
            if (!ok) {
                throw new IllegalArgumentException("Expected an access token of RFC 6750 b64token characters (letters, digits,"
                                                   + " - . _ ~ + / and trailing =) but found " + describe(c) + " at index " + i);
            }
        }
        return new SmtpRelayToken(accessToken, expiresAt);
    }

    private static String describe(char c) {
        return c >= 0x21 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    /** The token itself, for the AUTH exchange only: never log it. */
    public String accessToken() {
        return accessToken;
    }

    public Instant expiresAt() {
        return expiresAt;
    }

    /** Whether the token has expired at {@code now}: from its expiry instant on, it is not used for a new AUTH. */
    public boolean isExpiredAt(Instant now) {
        return !now.isBefore(expiresAt);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SmtpRelayToken t && accessToken.equals(t.accessToken) && expiresAt.equals(t.expiresAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(accessToken, expiresAt);
    }

    /** The expiry and the token's length, not the token. */
    @Override
    public String toString() {
        return "SmtpRelayToken[" + accessToken.length() + " characters, expires " + expiresAt + "]";
    }
}
