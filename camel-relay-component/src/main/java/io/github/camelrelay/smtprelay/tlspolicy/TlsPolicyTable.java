package io.github.camelrelay.smtprelay.tlspolicy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import io.github.camelrelay.smtprelay.mail.Domain;

/**
 * The {@code tlsPolicies} option: TLS policies per destination, as Postfix's {@code smtp_tls_policy_maps}. Entries
 * separated by {@code ;} or line breaks, each {@code selector: LEVEL[, pin=sha256:HEX]...}, where the selector is
 * <ul>
 * <li>a recipient domain, {@code example.com}: that domain only;</li>
 * <li>{@code .example.com}: every domain below it (not example.com itself), the longest such suffix winning;</li>
 * <li>{@code [smtp.example.net]} or {@code [smtp.example.net]:587}: the relay host (at that port).</li>
 * </ul>
 * Example: {@code bank.example: VERIFY; .partner.example: DANE_ONLY; [smtp.example.net]: REQUIRED, pin=sha256:9f86...}.
 * Immutable.
 */
public final class TlsPolicyTable {

    public static final TlsPolicyTable EMPTY = new TlsPolicyTable(Map.of());

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:_-]+");
    private static final Pattern INDEX = Pattern.compile("\\d+");

    /** Selectors in canonical form (lower case) to their policy, in the order given. */
    private final Map<String, TlsPolicy> entries;

    private TlsPolicyTable(Map<String, TlsPolicy> entries) {
        this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    /**
     * Parses the option's text; null or blank is the empty table.
     *
     * @throws IllegalArgumentException naming the entry and what was expected
     */
    public static TlsPolicyTable parse(String text) {
        if (text == null || text.isBlank()) {
            return EMPTY;
        }
        Map<String, TlsPolicy> entries = new LinkedHashMap<>();
        for (String entry : text.split("[;\\r\\n]+")) {
            if (!entry.isBlank()) {
                add(entries, entry.strip());
            }
        }
        return new TlsPolicyTable(entries);
    }

    /**
     * The table from a map, as Spring Boot binds {@code tls-policies[example.com]=VERIFY} (selector to policy) or a
     * list {@code tls-policies[0]=example.com: VERIFY} (keys 0, 1, ...: each value a whole entry).
     */
    public static TlsPolicyTable of(Map<String, String> map) {
        if (map == null || map.isEmpty()) {
            return EMPTY;
        }
        Map<String, TlsPolicy> entries = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : map.entrySet()) {
            String value = e.getValue() == null ? "" : e.getValue().strip();
            if (INDEX.matcher(e.getKey()).matches()) {
                add(entries, value);
            } else {
                put(entries, selector(e.getKey().strip(), e.getKey() + ": " + value), value);
            }
        }
        return new TlsPolicyTable(entries);
    }

    private static void add(Map<String, TlsPolicy> entries, String entry) {
        int colon = separator(entry);
        if (colon < 1) {
            throw new IllegalArgumentException("Expected a TLS policy as 'selector: LEVEL[, pin=sha256:HEX]' but found '" + entry + "'");
        }
        put(entries, selector(entry.substring(0, colon).strip(), entry), entry.substring(colon + 1));
    }

    private static void put(Map<String, TlsPolicy> entries, String selector, String policy) {
        TlsPolicy parsed;
        try {
            parsed = TlsPolicy.parse(policy);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("TLS policy for " + selector + ": " + e.getMessage(), e);
        }
        if (selector.startsWith("[") && (parsed.level() == TlsPolicy.Level.DANE || parsed.level() == TlsPolicy.Level.DANE_ONLY)) {
            throw new IllegalArgumentException("Expected NONE, OPPORTUNISTIC, REQUIRED or VERIFY for the relay host " + selector
                                               + " (DANE applies to MX delivery) but found " + parsed.level());
        }
        if (entries.put(selector, parsed) != null) {
            throw new IllegalArgumentException("Expected one TLS policy per selector but found two for " + selector);
        }
    }

    /** Where the selector ends: the first ':', after the brackets (and port) of a relay host. */
    private static int separator(String entry) {
        if (!entry.startsWith("[")) {
            return entry.indexOf(':');
        }
        int close = entry.indexOf(']');
        if (close < 0) {
            return -1;
        }
        int colon = entry.indexOf(':', close);
        if (colon == close + 1) {
            int port = close + 2;
            while (port < entry.length() && Character.isDigit(entry.charAt(port))) {
                port++;
            }
            return port > close + 2 ? entry.indexOf(':', port) : colon;
        }
        return colon;
    }

    private static String selector(String s, String entry) {
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            String host = close < 0 ? "" : s.substring(1, close);
            String rest = close < 0 ? "" : s.substring(close + 1);
            if (host.isEmpty() || !HOST.matcher(host).matches() || !(rest.isEmpty() || rest.matches(":\\d{1,5}"))) {
                throw new IllegalArgumentException("Expected a relay host selector as [host] or [host]:port but found '" + s
                                                   + "' in '" + entry + "'");
            }
            if (!rest.isEmpty()) {
                int port = Integer.parseInt(rest.substring(1));
                if (port < 1 || port > 65535) {
                    throw new IllegalArgumentException("Expected a port from 1 to 65535 but found " + port + " in '" + entry + "'");
                }
            }
            return "[" + host.toLowerCase(Locale.ROOT) + "]" + rest;
        }
        boolean below = s.startsWith(".");
        try {
            return (below ? "." : "") + Domain.of(below ? s.substring(1) : s).name();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Expected a domain, .domain or [relay host] as the selector but found '" + s
                                               + "' in '" + entry + "': " + e.getMessage(), e);
        }
    }

    /** The policy of a recipient domain: its own entry, else that of the longest {@code .suffix} above it. */
    public Optional<TlsPolicy> forDomain(Domain domain) {
        if (entries.isEmpty() || domain.isLiteral()) {
            return Optional.empty();
        }
        String name = domain.name();
        TlsPolicy exact = entries.get(name);
        if (exact != null) {
            return Optional.of(exact);
        }
        for (int dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
            TlsPolicy below = entries.get(name.substring(dot));
            if (below != null) {
                return Optional.of(below);
            }
        }
        return Optional.empty();
    }

    /** The policy of the relay host: the entry for it at this port, else the one for it at any port. */
    public Optional<TlsPolicy> forRelayHost(String host, int port) {
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        String key = "[" + host.toLowerCase(Locale.ROOT) + "]";
        TlsPolicy atPort = entries.get(key + ":" + port);
        return Optional.ofNullable(atPort != null ? atPort : entries.get(key));
    }

    /** Whether some entry has one of the levels. */
    public boolean uses(TlsPolicy.Level... levels) {
        List<TlsPolicy.Level> wanted = List.of(levels);
        return entries.values().stream().anyMatch(p -> wanted.contains(p.level()));
    }

    /** The selectors whose entry has one of the levels, for error messages. */
    public List<String> selectorsWith(TlsPolicy.Level... levels) {
        List<TlsPolicy.Level> wanted = List.of(levels);
        List<String> out = new ArrayList<>();
        entries.forEach((s, p) -> {
            if (wanted.contains(p.level())) {
                out.add(s);
            }
        });
        return out;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Selector to policy, in the order given. */
    public Map<String, TlsPolicy> entries() {
        return entries;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlsPolicyTable t && entries.equals(t.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    /** The form {@link #parse} reads. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        entries.forEach((s, p) -> sb.append(sb.length() == 0 ? "" : "; ").append(s).append(": ").append(p));
        return sb.toString();
    }
}
