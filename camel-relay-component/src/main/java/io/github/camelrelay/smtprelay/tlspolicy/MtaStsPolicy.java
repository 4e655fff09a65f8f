package io.github.camelrelay.smtprelay.tlspolicy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import io.github.camelrelay.smtprelay.mail.Domain;

/**
 * A domain's MTA-STS policy (RFC 8461 section 3.2), as fetched: its mode, the MX host patterns mail may go to, how long
 * it may be cached, the id of the TXT record it was fetched for and when. Immutable; made by {@link #parse}.
 */
public final class MtaStsPolicy {

    /** What a sending MTA does with the policy (section 5). */
    public enum Mode {
        /** Deliver only to a matching MX over TLS with a verified certificate. */
        ENFORCE,
        /** Deliver as without a policy, and report failures (TLS-RPT). */
        TESTING,
        /** No policy: the domain withdrew it. */
        NONE
    }

    /** The largest max_age the RFC allows: about a year (section 3.2). */
    public static final long MAX_AGE_LIMIT = 31_557_600;

    private final Mode mode;
    private final List<String> mx;
    private final Duration maxAge;
    private final String id;
    private final Instant fetched;

    private MtaStsPolicy(Mode mode, List<String> mx, Duration maxAge, String id, Instant fetched) {
        this.mode = mode;
        this.mx = List.copyOf(mx);
        this.maxAge = maxAge;
        this.id = id;
        this.fetched = fetched;
    }

    /**
     * Parses a policy body: lines of {@code key: value} separated by CRLF or LF; {@code version: STSv1}, {@code mode}
     * and {@code max_age} required, {@code mx} repeated (at least one unless the mode is none); unknown keys ignored
     * (section 3.2: for extensions).
     *
     * @param body    the policy file's text
     * @param id      the id of the {@code _mta-sts} TXT record it was fetched for
     * @param fetched when it was fetched: it may be used until {@code fetched + max_age}
     * @throws IllegalArgumentException naming what was expected and what was found
     */
    public static MtaStsPolicy parse(String body, String id, Instant fetched) {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(fetched, "fetched");
        String version = null;
        Mode mode = null;
        Long maxAge = null;
        List<String> mx = new ArrayList<>();
        for (String raw : body.split("\r?\n", -1)) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("Expected 'key: value' lines in the MTA-STS policy but found '" + line + "'");
            }
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            switch (key) {
                case "version" -> version = value;
                case "mode" -> mode = mode(value);
                case "max_age" -> maxAge = maxAge(value);
                case "mx" -> mx.add(pattern(value));
                default -> {
                    // an extension's key: ignored, as section 3.2 says
                }
            }
        }
        if (!"STSv1".equals(version)) {
            throw new IllegalArgumentException("Expected 'version: STSv1' in the MTA-STS policy but found "
                                               + (version == null ? "no version" : "'" + version + "'"));
        }
        if (mode == null) {
            throw new IllegalArgumentException("Expected a 'mode' (enforce, testing or none) in the MTA-STS policy but found none");
        }
        if (maxAge == null) {
            throw new IllegalArgumentException("Expected a 'max_age' in the MTA-STS policy but found none");
        }
        if (mx.isEmpty() && mode != Mode.NONE) {
            throw new IllegalArgumentException("Expected at least one 'mx' pattern in an MTA-STS policy in mode "
                                               + mode.name().toLowerCase(Locale.ROOT) + " but found none");
        }
        return new MtaStsPolicy(mode, mx, Duration.ofSeconds(maxAge), id, fetched);
    }

    private static Mode mode(String value) {
        return switch (value) {
            case "enforce" -> Mode.ENFORCE;
            case "testing" -> Mode.TESTING;
            case "none" -> Mode.NONE;
            default -> throw new IllegalArgumentException("Expected mode enforce, testing or none in the MTA-STS policy"
                                                          + " but found '" + value + "'");
        };
    }

    private static long maxAge(String value) {
        // 1*10DIGIT, at most 31557600
        if (!value.matches("[0-9]{1,10}") || Long.parseLong(value) > MAX_AGE_LIMIT) {
            throw new IllegalArgumentException("Expected max_age as seconds from 0 to " + MAX_AGE_LIMIT
                                               + " in the MTA-STS policy but found '" + value + "'");
        }
        return Long.parseLong(value);
    }

    /** An MX pattern: a domain name, or "*." and a domain name; kept in Domain's canonical (A-label, lower) form. */
    private static String pattern(String value) {
        boolean wildcard = value.startsWith("*.");
        String name = wildcard ? value.substring(2) : value;
        try {
            Domain domain = Domain.of(name);
            if (domain.isLiteral()) {
                throw new IllegalArgumentException("an address literal is not a host name");
            }
            return wildcard ? "*." + domain.name() : domain.name();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Expected an mx pattern (a host name, or *. and a domain) in the MTA-STS"
                                               + " policy but found '" + value + "': " + e.getMessage(), e);
        }
    }

    /**
     * Whether mail may go to this MX host (section 4.1): equal to a pattern, or, for "*.example.com", the host has
     * exactly one more label on the left ("mx.example.com", not "a.mx.example.com" nor "example.com").
     */
    public boolean matches(String mxHost) {
        String host;
        try {
            host = Domain.of(mxHost).name();
        } catch (IllegalArgumentException e) {
            return false;
        }
        for (String p : mx) {
            if (p.startsWith("*.")) {
                int dot = host.indexOf('.');
                if (dot > 0 && host.substring(dot + 1).equals(p.substring(2))) {
                    return true;
                }
            } else if (p.equals(host)) {
                return true;
            }
        }
        return false;
    }

    /** Whether it may still be used at that instant: fetched less than max_age ago. */
    public boolean isValidAt(Instant now) {
        return now.isBefore(fetched.plus(maxAge));
    }

    public Mode mode() {
        return mode;
    }

    public List<String> mx() {
        return mx;
    }

    public Duration maxAge() {
        return maxAge;
    }

    public String id() {
        return id;
    }

    public Instant fetched() {
        return fetched;
    }

    /** The policy body it was parsed from, normalised: what the cache stores. */
    public String toPolicyText() {
        StringBuilder sb = new StringBuilder("version: STSv1\r\nmode: ").append(mode.name().toLowerCase(Locale.ROOT)).append("\r\n");
        for (String p : mx) {
            sb.append("mx: ").append(p).append("\r\n");
        }
        return sb.append("max_age: ").append(maxAge.getSeconds()).append("\r\n").toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MtaStsPolicy p && mode == p.mode && mx.equals(p.mx) && maxAge.equals(p.maxAge)
               && id.equals(p.id) && fetched.equals(p.fetched);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, mx, maxAge, id, fetched);
    }

    @Override
    public String toString() {
        return "MTA-STS " + mode.name().toLowerCase(Locale.ROOT) + " mx=" + mx + " max_age=" + maxAge.getSeconds() + " id=" + id;
    }
}
