package io.github.camelrelay.smtprelay.tlspolicy;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The TLS a destination of the {@code tlsPolicies} table gets, as Postfix's {@code smtp_tls_policy_maps} has it: a
 * level and, for the levels with mandatory TLS, certificate fingerprint pins. Written {@code LEVEL} or
 * {@code LEVEL, pin=sha256:<64 hex digits>, pin=...}; a pin is the SHA-256 of the server certificate or of its
 * SubjectPublicKeyInfo, and one of them must match. Immutable; made by {@link #parse} or {@link #of}.
 */
public final class TlsPolicy {

    /** What a destination's sessions must achieve. */
    public enum Level {
        /** No STARTTLS, even when offered. */
        NONE,
        /** STARTTLS when offered, certificate not checked; neither DANE nor MTA-STS applies. */
        OPPORTUNISTIC,
        /** STARTTLS or defer; certificate not checked (unless pinned). */
        REQUIRED,
        /** STARTTLS or defer, the certificate chain verified against the trust store and naming the host. */
        VERIFY,
        /** DANE where the MX host has usable TLSA records, else MTA-STS where the domain has a policy, else OPPORTUNISTIC. */
        DANE,
        /** DANE or defer: an MX host without usable TLSA records is not delivered to. */
        DANE_ONLY
    }

    private static final Pattern PIN = Pattern.compile("sha256:(?:[0-9a-fA-F]{2}:?){31}[0-9a-fA-F]{2}");

    private final Level level;
    private final List<String> pins;

    private TlsPolicy(Level level, List<String> pins) {
        this.level = level;
        this.pins = List.copyOf(pins);
    }

    /**
     * @param pins SHA-256 fingerprints as 64 hex digits (colons between the pairs allowed)
     * @throws IllegalArgumentException when a pin is malformed or the level does not make TLS mandatory
     */
    public static TlsPolicy of(Level level, List<String> pins) {
        Objects.requireNonNull(level, "level");
        List<String> normal = new ArrayList<>();
        for (String pin : pins) {
            String p = pin.strip();
            if (!p.regionMatches(true, 0, "sha256:", 0, 7)) {
                p = "sha256:" + p;
            }
            if (!PIN.matcher(p).matches()) {
                throw new IllegalArgumentException("Expected a pin as sha256:<64 hex digits> but found '" + pin + "'");
            }
            normal.add(p.substring(7).replace(":", "").toLowerCase(Locale.ROOT));
        }
        if (!normal.isEmpty() && level != Level.REQUIRED && level != Level.VERIFY) {
            throw new IllegalArgumentException("Expected a certificate pin only with REQUIRED or VERIFY (a pin needs TLS and"
                                               + " replaces DANE) but found it with " + level);
        }
        return new TlsPolicy(level, normal);
    }

    public static TlsPolicy of(Level level) {
        return new TlsPolicy(Objects.requireNonNull(level, "level"), List.of());
    }

    /**
     * Parses {@code LEVEL[, pin=sha256:HEX]...}, the level in any case ({@code dane-only} for DANE_ONLY too).
     *
     * @throws IllegalArgumentException naming what was expected and what was found
     */
    public static TlsPolicy parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("Expected a TLS policy level (NONE, OPPORTUNISTIC, REQUIRED, VERIFY, DANE or"
                                               + " DANE_ONLY) but found nothing");
        }
        String[] parts = text.split(",");
        Level level = level(parts[0].strip());
        List<String> pins = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i].strip();
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq < 1 || !part.substring(0, eq).strip().equalsIgnoreCase("pin")) {
                throw new IllegalArgumentException("Expected pin=sha256:<hex> after the level but found '" + part + "' in '"
                                                   + text.strip() + "'");
            }
            pins.add(part.substring(eq + 1).strip());
        }
        return of(level, pins);
    }

    private static Level level(String word) {
        try {
            return Level.valueOf(word.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Expected a TLS policy level (NONE, OPPORTUNISTIC, REQUIRED, VERIFY, DANE or"
                                               + " DANE_ONLY) but found '" + word + "'", e);
        }
    }

    public Level level() {
        return level;
    }

    /** The pins as lower-case hex digits, without the {@code sha256:} prefix. */
    public List<String> pins() {
        return pins;
    }

    /** Whether the certificate's SHA-256, or that of its SubjectPublicKeyInfo, is one of the pins. */
    public boolean pinned(X509Certificate certificate) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            String cert = HexFormat.of().formatHex(sha256.digest(certificate.getEncoded()));
            String spki = HexFormat.of().formatHex(sha256.digest(certificate.getPublicKey().getEncoded()));
            return pins.contains(cert) || pins.contains(spki);
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            return false;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlsPolicy p && level == p.level && pins.equals(p.pins);
    }

    @Override
    public int hashCode() {
        return 31 * level.hashCode() + pins.hashCode();
    }

    /** The form {@link #parse} reads: {@code VERIFY, pin=sha256:...}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(level.name());
        for (String pin : pins) {
            sb.append(", pin=sha256:").append(pin);
        }
        return sb.toString();
    }
}
