package io.github.camelrelay.smtprelay.relay;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * When to retry a deferred message, in the spirit of Postfix: the first retry after {@code initial}, each later
 * delay doubled up to {@code maximum}, given up {@code lifetime} after the first attempt. The Postfix-like default is
 * 5 minutes doubling to about 67 minutes (4000 s), for 5 days. Immutable.
 */
public record RetrySchedule(Duration initial, Duration maximum, Duration lifetime, Duration delayWarning) {

    public static final RetrySchedule POSTFIX_LIKE =
            new RetrySchedule(Duration.ofMinutes(5), Duration.ofSeconds(4000), Duration.ofDays(5), Duration.ZERO);

    public RetrySchedule {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(maximum, "maximum");
        Objects.requireNonNull(lifetime, "lifetime");
        delayWarning = delayWarning == null ? Duration.ZERO : delayWarning;
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("Expected a positive initial retry delay but found " + initial);
        }
        if (maximum.compareTo(initial) < 0) {
            throw new IllegalArgumentException("Expected the maximum retry delay (" + maximum + ") to be at least the initial one ("
                                               + initial + ")");
        }
        if (lifetime.isNegative()) {
            throw new IllegalArgumentException("Expected a non-negative queue lifetime but found " + lifetime);
        }
    }

    /** The wait before attempt number {@code attempt + 1}, where {@code attempt} attempts (at least 1) have failed. */
    public Duration delayAfter(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("Expected the number of failed attempts (1 or more) but found " + attempt);
        }
        Duration d = initial;
        for (int i = 1; i < attempt && d.compareTo(maximum) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(maximum) > 0 ? maximum : d;
    }

    /** True when a message first tried at {@code firstAttempt} must not be tried again at {@code now}. */
    public boolean expired(Instant firstAttempt, Instant now) {
        return !now.isBefore(firstAttempt.plus(lifetime));
    }

    /** True when a delay warning is due: it is configured, late enough, and none was sent yet. */
    public boolean warningDue(Instant firstAttempt, Instant now, boolean alreadyWarned) {
        return !alreadyWarned && !delayWarning.isZero() && !now.isBefore(firstAttempt.plus(delayWarning));
    }

    /** When a message first tried at {@code firstAttempt} is given up. */
    public Instant giveUpAt(Instant firstAttempt) {
        return firstAttempt.plus(lifetime);
    }
}
