package io.github.camelrelay.smtprelay.relay;

import java.time.Duration;
import java.util.Objects;

/**
 * How the relay routes schedule deliveries per destination (the recipient domain in MX mode, the relay host in relay
 * mode), after Postfix's queue manager. Immutable; {@link #DEFAULTS} are Postfix's where it has one.
 *
 * @param destinationConcurrency deliveries to one destination at once in this instance (Postfix's
 *                               default_destination_concurrency_limit, 20); a 421 or 4.7.x reply halves it for a
 *                               while, and each delivered attempt gives one back
 * @param backoffInitial         how long a destination that failed at the connection level (refused, timed out, no
 *                               greeting, 421 at the greeting, every address down) is left alone: its mail is deferred
 *                               at once without a connection, then one probe is let through; doubled after each
 *                               failed probe
 * @param backoffMaximum         the longest such back-off
 * @param busyWait               how long a queue consumer waits for a free slot of a destination at its limit before
 *                               it puts the message back
 * @param busyDelay              after which delay a message put back for a busy destination is offered again; not an
 *                               attempt, so its retry schedule is unchanged
 */
public record QueueManagerSettings(int destinationConcurrency, Duration backoffInitial, Duration backoffMaximum,
        Duration busyWait, Duration busyDelay) {

    public static final QueueManagerSettings DEFAULTS = new QueueManagerSettings(20, Duration.ofSeconds(60),
            Duration.ofSeconds(4000), Duration.ofMillis(500), Duration.ofSeconds(1));

    public QueueManagerSettings {
        Objects.requireNonNull(backoffInitial, "backoffInitial");
        Objects.requireNonNull(backoffMaximum, "backoffMaximum");
        Objects.requireNonNull(busyWait, "busyWait");
        Objects.requireNonNull(busyDelay, "busyDelay");
        if (destinationConcurrency < 1) {
            throw new IllegalArgumentException("Expected a destination concurrency of 1 or more but found " + destinationConcurrency);
        }
        if (backoffInitial.isNegative() || backoffInitial.isZero() || backoffMaximum.compareTo(backoffInitial) < 0) {
            throw new IllegalArgumentException("Expected a positive initial back-off no longer than the maximum but found "
                                               + backoffInitial + " and " + backoffMaximum);
        }
        if (busyWait.isNegative() || busyDelay.isNegative() || busyDelay.isZero()) {
            throw new IllegalArgumentException("Expected a non-negative busy wait and a positive busy delay but found "
                                               + busyWait + " and " + busyDelay);
        }
    }

    public QueueManagerSettings withDestinationConcurrency(int limit) {
        return new QueueManagerSettings(limit, backoffInitial, backoffMaximum, busyWait, busyDelay);
    }

    public QueueManagerSettings withBackoff(Duration initial, Duration maximum) {
        return new QueueManagerSettings(destinationConcurrency, initial, maximum, busyWait, busyDelay);
    }
}
