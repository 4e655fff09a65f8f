package io.github.camelrelay.smtprelay.shaping;

import java.util.List;
import java.util.Locale;

import io.github.camelrelay.smtprelay.mail.Domain;

/**
 * The limits for one destination or group of destinations. The selector is one of:
 * <ul>
 * <li>a domain, {@code gmail.com}: that recipient domain (or relay host) only;</li>
 * <li>a pattern, {@code *.outlook.com}: every domain below it (not {@code outlook.com} itself);</li>
 * <li>an MX host suffix, {@code .google.com}: every domain whose MX hosts, as resolved for the delivery, all end
 * with it, which groups the domains one provider serves; in relay mode, the relay host's name.</li>
 * </ul>
 * Zero means no limit.
 *
 * @param selector                 the domain, pattern or MX host suffix, lower case
 * @param maxConnections           connections in use at once to the destinations it selects, across every thread
 * @param maxMessagesPerConnection messages on one connection before it is closed and a new one opened
 * @param maxRate                  the most messages it may be sent, or null for no limit
 */
public record ShapingRule(String selector, int maxConnections, int maxMessagesPerConnection, Rate maxRate) {

    /** How the selector matches. */
    public enum Kind { DOMAIN, PATTERN, MX_SUFFIX }

    public ShapingRule {
        String s = selector == null ? "" : selector.strip().toLowerCase(Locale.ROOT);
        String name = s.startsWith("*.") ? s.substring(2) : s.startsWith(".") ? s.substring(1) : s;
        try {
            Domain.of(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Expected a traffic-shaping selector such as gmail.com, *.outlook.com or "
                                               + ".google.com but found '" + selector + "'");
        }
        selector = s;
        if (maxConnections < 0 || maxMessagesPerConnection < 0) {
            throw new IllegalArgumentException("Expected limits of 0 (none) or more for " + s + " but found maxConnections="
                                               + maxConnections + ", maxMessagesPerConnection=" + maxMessagesPerConnection);
        }
    }

    public Kind kind() {
        return selector.startsWith("*.") ? Kind.PATTERN : selector.startsWith(".") ? Kind.MX_SUFFIX : Kind.DOMAIN;
    }

    /** Whether the rule selects the domain, without knowing its MX hosts (domain and pattern rules). */
    public boolean matches(Domain domain) {
        String d = domain.name().toLowerCase(Locale.ROOT);
        return switch (kind()) {
            case DOMAIN -> d.equals(selector);
            case PATTERN -> d.endsWith(selector.substring(1));
            case MX_SUFFIX -> false;
        };
    }

    /** Whether the rule selects a domain served by these MX hosts: all of them end with the suffix. */
    public boolean matchesMx(List<String> mxHosts) {
        if (kind() != Kind.MX_SUFFIX || mxHosts.isEmpty()) {
            return false;
        }
        for (String host : mxHosts) {
            String h = host.toLowerCase(Locale.ROOT);
            if (h.endsWith(".")) {
                h = h.substring(0, h.length() - 1);
            }
            if (!h.endsWith(selector)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(selector).append(':');
        String sep = " ";
        if (maxConnections > 0) {
            sb.append(sep).append("maxConnections=").append(maxConnections);
            sep = ", ";
        }
        if (maxMessagesPerConnection > 0) {
            sb.append(sep).append("maxMessagesPerConnection=").append(maxMessagesPerConnection);
            sep = ", ";
        }
        if (maxRate != null) {
            sb.append(sep).append("maxRate=").append(maxRate);
        }
        return sb.toString();
    }
}
