package io.github.camelrelay.smtprelay.dsn;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** The conditions of RFC 3461 section 4.1 NOTIFY: when the sender wants a notification. */
public enum Notify {
    SUCCESS, FAILURE, DELAY, NEVER;

    /**
     * The set a NOTIFY value names: {@code NEVER} alone, or a comma separated list of SUCCESS, FAILURE and DELAY.
     *
     * @throws IllegalArgumentException when it is neither
     */
    public static Set<Notify> parse(String value) {
        Set<Notify> set = EnumSet.noneOf(Notify.class);
        for (String part : value.split(",", -1)) {
            Notify n;
            try {
                n = valueOf(part.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Expected NOTIFY=NEVER or a list of SUCCESS, FAILURE and DELAY but found '"
                                                   + value + "'");
            }
            if (!set.add(n)) {
                throw new IllegalArgumentException("Expected each NOTIFY condition once but found '" + value + "'");
            }
        }
        if (set.contains(NEVER) && set.size() > 1) {
            throw new IllegalArgumentException("Expected NOTIFY=NEVER alone but found '" + value + "'");
        }
        return set;
    }

    /** The NOTIFY value of a set, such as {@code SUCCESS,FAILURE}. */
    public static String format(Set<Notify> set) {
        return set.stream().map(Enum::name).collect(Collectors.joining(","));
    }
}
