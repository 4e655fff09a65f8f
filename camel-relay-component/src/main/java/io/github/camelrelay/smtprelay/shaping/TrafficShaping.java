package io.github.camelrelay.smtprelay.shaping;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import io.github.camelrelay.smtprelay.mail.Domain;

/**
 * The traffic-shaping rules of an endpoint, parsed from the {@code trafficShaping} option: rules separated by
 * {@code ;} or line breaks, each {@code selector: name=value, name=value} with the names {@code maxConnections},
 * {@code maxMessagesPerConnection} and {@code maxRate} ({@code 100/s}, {@code 30/min}, {@code 3600/h}), for example
 * {@code .google.com: maxConnections=10, maxRate=3000/h; *.outlook.com: maxConnections=5, maxMessagesPerConnection=30}.
 * The most specific rule wins: a domain, then the longest pattern, then the longest MX host suffix. Immutable.
 */
public final class TrafficShaping {

    public static final TrafficShaping NONE = new TrafficShaping(List.of());

    private final List<ShapingRule> rules;

    private TrafficShaping(List<ShapingRule> rules) {
        List<ShapingRule> sorted = new ArrayList<>(rules);
        // domains first, then patterns, then MX suffixes; the longest (most specific) first within each
        sorted.sort(Comparator.comparing(ShapingRule::kind).thenComparing(r -> -r.selector().length()));
        this.rules = List.copyOf(sorted);
    }

    public static TrafficShaping of(List<ShapingRule> rules) {
        List<String> seen = new ArrayList<>();
        for (ShapingRule r : rules) {
            if (seen.contains(r.selector())) {
                throw new IllegalArgumentException("Expected one traffic-shaping rule per selector but found two for " + r.selector());
            }
            seen.add(r.selector());
        }
        return rules.isEmpty() ? NONE : new TrafficShaping(rules);
    }

    /** Parses the option's text; null or blank means no rules. */
    public static TrafficShaping parse(String text) {
        if (text == null || text.isBlank()) {
            return NONE;
        }
        List<ShapingRule> rules = new ArrayList<>();
        for (String rule : text.split("[;\\r\\n]+")) {
            if (!rule.isBlank()) {
                rules.add(parseRule(rule.strip()));
            }
        }
        return of(rules);
    }

    private static ShapingRule parseRule(String text) {
        int colon = text.indexOf(':');
        if (colon < 1) {
            throw new IllegalArgumentException("Expected a traffic-shaping rule as 'selector: name=value, ...' but found '" + text + "'");
        }
        String selector = text.substring(0, colon).strip();
        int connections = 0;
        int perConnection = 0;
        Rate rate = null;
        for (String pair : text.substring(colon + 1).split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("Expected name=value in the traffic-shaping rule for " + selector
                                                   + " but found '" + pair.strip() + "'");
            }
            String name = pair.substring(0, eq).strip();
            String value = pair.substring(eq + 1).strip();
            switch (name.toLowerCase(Locale.ROOT)) {
                case "maxconnections" -> connections = number(selector, name, value);
                case "maxmessagesperconnection" -> perConnection = number(selector, name, value);
                case "maxrate" -> rate = Rate.of(value);
                default -> throw new IllegalArgumentException("Expected maxConnections, maxMessagesPerConnection or maxRate "
                                                              + "in the traffic-shaping rule for " + selector + " but found '" + name + "'");
            }
        }
        return new ShapingRule(selector, connections, perConnection, rate);
    }

    private static int number(String selector, String name, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Expected a whole number for " + name + " of " + selector + " but found '" + value + "'");
        }
    }

    public List<ShapingRule> rules() {
        return rules;
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /** The rule for a domain whose MX hosts are not known (yet): a domain or pattern rule, or null. */
    public ShapingRule forDomain(Domain domain) {
        for (ShapingRule r : rules) {
            if (r.matches(domain)) {
                return r;
            }
        }
        return null;
    }

    /** The rule for a domain served by these MX hosts (or a relay host, named in both), or null. */
    public ShapingRule forDestination(Domain domain, List<String> mxHosts) {
        ShapingRule byName = forDomain(domain);
        if (byName != null) {
            return byName;
        }
        for (ShapingRule r : rules) {
            if (r.matchesMx(mxHosts)) {
                return r;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return String.join("; ", rules.stream().map(ShapingRule::toString).toList());
    }
}
