package io.github.camelrelay.smtprelay.dsn;

import java.util.Locale;

/** RFC 3461 section 4.3 RET: whether a failure notification returns the whole message or its headers only. */
public enum Ret {
    FULL, HDRS;

    /** @throws IllegalArgumentException when the value is neither FULL nor HDRS */
    public static Ret parse(String value) {
        try {
            return valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Expected RET=FULL or RET=HDRS but found '" + value + "'");
        }
    }
}
