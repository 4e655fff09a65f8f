package io.github.camelrelay.springboot;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.github.camelrelay.springboot.mailqueue.QueueEntry;
import io.github.camelrelay.springboot.mailqueue.QueueEntry.State;
import io.github.camelrelay.springboot.mailqueue.QueueSnapshotListener;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;

/**
 * The queue gauges by state, from the broker's snapshot of the relay's queues (every queue.gauge-refresh, on an
 * Artemis broker): what every instance sharing the broker holds, not what this one counted.
 * <ul>
 * <li>{@value #STATE_MESSAGES} and {@value #STATE_RECIPIENTS}, tagged {@code state} ({@code active},
 * {@code deferred}, {@code dead}): messages (distinct queue ids) and pending recipients; {@code state=dead} is the
 * dead letters.</li>
 * <li>{@value #DESTINATION_MESSAGES} and {@value #DESTINATION_RECIPIENTS}, tagged {@code destination} and
 * {@code state}: per destination, for the {@code topDestinations} with the most recipients queued; the rest are
 * summed under {@value SmtpRelayMetrics#OTHER_DOMAIN}. A destination that leaves the top or the queue leaves the
 * series.</li>
 * <li>{@value #DEFERRED_OLDEST} (time gauge): how long the oldest deferred message has waited since it arrived; 0
 * when none is deferred.</li>
 * </ul>
 * Until the first snapshot the gauges read 0.
 */
public class SmtpRelayQueueMetrics implements QueueSnapshotListener {

    public static final String STATE_MESSAGES = "smtprelay.queue.state.messages";
    public static final String STATE_RECIPIENTS = "smtprelay.queue.state.recipients";
    public static final String DESTINATION_MESSAGES = "smtprelay.queue.destination.messages";
    public static final String DESTINATION_RECIPIENTS = "smtprelay.queue.destination.recipients";
    public static final String DEFERRED_OLDEST = "smtprelay.queue.deferred.oldest.age";

    /** What one snapshot counted. */
    private record Counts(Map<State, Integer> messages, Map<State, Integer> recipients, long oldestDeferredArrival) {
    }

    private final Clock clock;
    private final int topDestinations;
    private final MultiGauge destinationMessages;
    private final MultiGauge destinationRecipients;
    private volatile Counts counts = new Counts(Map.of(), Map.of(), 0);

    /**
     * @param topDestinations how many destinations get series of their own
     */
    public SmtpRelayQueueMetrics(MeterRegistry registry, int topDestinations, Clock clock) {
        if (topDestinations < 0) {
            throw new IllegalArgumentException("Expected camel.smtprelay.relay.queue.gauge-destinations of 0 or more but found "
                                               + topDestinations);
        }
        this.clock = clock;
        this.topDestinations = topDestinations;
        for (State state : State.values()) {
            String tag = tag(state);
            Gauge.builder(STATE_MESSAGES, () -> counts.messages().getOrDefault(state, 0))
                    .description("Messages on the relay's queues (every instance's), by state; dead is the dead letters")
                    .baseUnit("messages").tag("state", tag).register(registry);
            Gauge.builder(STATE_RECIPIENTS, () -> counts.recipients().getOrDefault(state, 0))
                    .description("Recipients pending on the relay's queues (every instance's), by state")
                    .baseUnit("recipients").tag("state", tag).register(registry);
        }
        TimeGauge.builder(DEFERRED_OLDEST, () -> {
                    long arrival = counts.oldestDeferredArrival();
                    return arrival == 0 ? 0 : Math.max(0, clock.millis() - arrival);
                }, TimeUnit.MILLISECONDS)
                .description("How long the oldest deferred message on the relay's queue has waited since it arrived")
                .register(registry);
        destinationMessages = MultiGauge.builder(DESTINATION_MESSAGES)
                .description("Messages on the relay's queues per destination (the top ones by recipients) and state")
                .baseUnit("messages").register(registry);
        destinationRecipients = MultiGauge.builder(DESTINATION_RECIPIENTS)
                .description("Recipients pending on the relay's queues per destination (the top ones) and state")
                .baseUnit("recipients").register(registry);
    }

    static String tag(State state) {
        return state.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public void snapshot(List<QueueEntry> entries) {
        Map<State, Set<String>> ids = new EnumMap<>(State.class);
        Map<State, Integer> recipients = new EnumMap<>(State.class);
        Map<String, Map<State, int[]>> byDestination = new HashMap<>();
        long oldestDeferred = 0;
        for (QueueEntry e : entries) {
            // a message split per destination has one entry each: counted once per state
            ids.computeIfAbsent(e.state(), s -> new HashSet<>()).add(e.queueId() != null ? e.queueId() : e.brokerId());
            recipients.merge(e.state(), e.recipients().size(), Integer::sum);
            int[] n = byDestination.computeIfAbsent(e.destination().isEmpty() ? SmtpRelayMetrics.OTHER_DOMAIN : e.destination(),
                    d -> new EnumMap<>(State.class)).computeIfAbsent(e.state(), s -> new int[2]);
            n[0]++;
            n[1] += e.recipients().size();
            if (e.state() == State.DEFERRED && e.arrival() != null
                && (oldestDeferred == 0 || e.arrival().toEpochMilli() < oldestDeferred)) {
                oldestDeferred = e.arrival().toEpochMilli();
            }
        }
        Map<State, Integer> messages = new EnumMap<>(State.class);
        ids.forEach((state, set) -> messages.put(state, set.size()));
        counts = new Counts(messages, recipients, oldestDeferred);

        Map<String, Map<State, int[]>> top = top(byDestination);
        List<MultiGauge.Row<?>> messageRows = new ArrayList<>();
        List<MultiGauge.Row<?>> recipientRows = new ArrayList<>();
        top.forEach((destination, states) -> states.forEach((state, n) -> {
            Tags tags = Tags.of("destination", destination, "state", tag(state));
            messageRows.add(MultiGauge.Row.of(tags, n[0]));
            recipientRows.add(MultiGauge.Row.of(tags, n[1]));
        }));
        destinationMessages.register(messageRows, true);
        destinationRecipients.register(recipientRows, true);
    }

    /** The destinations with the most recipients queued, the rest summed under "other". */
    private Map<String, Map<State, int[]>> top(Map<String, Map<State, int[]>> byDestination) {
        List<String> ranked = new ArrayList<>(byDestination.keySet());
        ranked.sort(Comparator.comparingInt((String d) -> -total(byDestination.get(d))).thenComparing(Comparator.naturalOrder()));
        Map<String, Map<State, int[]>> out = new LinkedHashMap<>();
        for (int i = 0; i < ranked.size(); i++) {
            String destination = ranked.get(i);
            String tag = i < topDestinations && !destination.equals(SmtpRelayMetrics.OTHER_DOMAIN) ? destination : SmtpRelayMetrics.OTHER_DOMAIN;
            Map<State, int[]> into = out.computeIfAbsent(tag, t -> new EnumMap<>(State.class));
            byDestination.get(destination).forEach((state, n) -> {
                int[] sum = into.computeIfAbsent(state, s -> new int[2]);
                sum[0] += n[0];
                sum[1] += n[1];
            });
        }
        return out;
    }

    private static int total(Map<State, int[]> states) {
        return states.values().stream().mapToInt(n -> n[1]).sum();
    }
}
