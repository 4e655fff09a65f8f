package io.github.camelrelay.smtprelay.relay;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Queued messages per destination and when the oldest arrived, as this instance of the relay routes put entries on
 * the queue (accepted mail, split entries, retries, bounces) and took them off; for the queue gauges. It starts empty
 * at each start and does not see what other instances queue, so it is the mail waiting here since the start, not
 * the broker's count. Thread-safe.
 */
public final class QueueTracker {

    private final Clock clock;
    /** Per destination: arrival time (epoch millis) to the number of entries with it. */
    private final Map<String, TreeMap<Long, Integer>> queued = new ConcurrentHashMap<>();
    private volatile Consumer<String> newDestination = d -> { };

    public QueueTracker(Clock clock) {
        this.clock = clock;
    }

    /** Called once for each destination when the first entry for it is queued: where a gauge per destination starts. */
    public void onNewDestination(Consumer<String> listener) {
        this.newDestination = listener;
        queued.keySet().forEach(listener);
    }

    /** An entry for the destination, arrived at that time, was put on the queue. */
    public void queued(String destination, long arrivalMillis) {
        boolean[] fresh = new boolean[1];
        TreeMap<Long, Integer> entries = queued.computeIfAbsent(destination, d -> {
            fresh[0] = true;
            return new TreeMap<>();
        });
        synchronized (entries) {
            entries.merge(arrivalMillis, 1, Integer::sum);
        }
        if (fresh[0]) {
            newDestination.accept(destination);
        }
    }

    /** An entry for the destination, arrived at that time, was taken off the queue. */
    public void taken(String destination, long arrivalMillis) {
        TreeMap<Long, Integer> entries = queued.get(destination);
        if (entries == null) {
            // queued before this start, or by another instance
            return;
        }
        synchronized (entries) {
            entries.computeIfPresent(arrivalMillis, (k, n) -> n > 1 ? n - 1 : null);
        }
    }

    /** The destinations seen so far. */
    public Set<String> destinations() {
        return Set.copyOf(queued.keySet());
    }

    /** Entries queued for the destination now. */
    public int queued(String destination) {
        TreeMap<Long, Integer> entries = queued.get(destination);
        if (entries == null) {
            return 0;
        }
        synchronized (entries) {
            return entries.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** How long the oldest entry queued for the destination has been waiting since it arrived; zero when none. */
    public Duration oldestAge(String destination) {
        TreeMap<Long, Integer> entries = queued.get(destination);
        if (entries == null) {
            return Duration.ZERO;
        }
        synchronized (entries) {
            return entries.isEmpty() ? Duration.ZERO : Duration.ofMillis(Math.max(0, clock.millis() - entries.firstKey()));
        }
    }
}
