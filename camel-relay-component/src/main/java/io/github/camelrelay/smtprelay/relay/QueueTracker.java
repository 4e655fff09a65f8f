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
 * the queue (accepted mail, split entries, retries, bounces) and took them off; for the queue gauges. On its own it
 * starts empty at each start and does not see what other instances queue; {@link #replaceAll} sets it to what the
 * broker holds (the starter does that periodically where it can read the broker), and the local counting keeps it
 * current in between. Thread-safe.
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

    /**
     * Replaces every count with a snapshot of the queue: per destination, the arrival times (epoch millis) of its
     * entries. Destinations missing from the snapshot drop to zero; new ones are announced as by {@link #queued}.
     */
    public void replaceAll(Map<String, ? extends java.util.Collection<Long>> arrivalsByDestination) {
        for (Map.Entry<String, TreeMap<Long, Integer>> e : queued.entrySet()) {
            if (!arrivalsByDestination.containsKey(e.getKey())) {
                synchronized (e.getValue()) {
                    e.getValue().clear();
                }
            }
        }
        arrivalsByDestination.forEach((destination, arrivals) -> {
            TreeMap<Long, Integer> counted = new TreeMap<>();
            arrivals.forEach(a -> counted.merge(a, 1, Integer::sum));
            boolean[] fresh = new boolean[1];
            TreeMap<Long, Integer> entries = queued.computeIfAbsent(destination, d -> {
                fresh[0] = true;
                return new TreeMap<>();
            });
            synchronized (entries) {
                entries.clear();
                entries.putAll(counted);
            }
            if (fresh[0]) {
                newDestination.accept(destination);
            }
        });
    }
}
