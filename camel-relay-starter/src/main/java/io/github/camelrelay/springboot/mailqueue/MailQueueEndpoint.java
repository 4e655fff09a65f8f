package io.github.camelrelay.springboot.mailqueue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

import io.github.camelrelay.springboot.mailqueue.QueueEntry.State;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@code /actuator/mailqueue}: the relay's queues as JSON, secured and exposed like every other actuator endpoint
 * ({@code management.endpoints.web.exposure.include=mailqueue}). Without parameters it lists every entry; the
 * parameters narrow the list (all must match), the counts per destination and state always cover the whole queue.
 * A POST carries out an operator's action ({@link MailQueueOperations}), logged with the principal that asked.
 */
@Endpoint(id = "mailqueue")
public class MailQueueEndpoint {

    private final MailQueue queue;
    private final Clock clock;
    private final @Nullable MailQueueOperations operations;

    public MailQueueEndpoint(MailQueue queue, Clock clock) {
        this(queue, clock, null);
    }

    /** @param operations the operator's actions; null for a listing only */
    public MailQueueEndpoint(MailQueue queue, Clock clock, @Nullable MailQueueOperations operations) {
        this.queue = queue;
        this.clock = clock;
        this.operations = operations;
    }

    /**
     * Carries out an action on the entries selected: {@code POST /actuator/mailqueue} with a JSON body such as
     * {@code {"action":"hold","destination":"example.net"}}.
     *
     * @param action      flush, hold, release, delete, requeue or bounce
     * @param id          a queue id, or ALL for every entry
     * @param destination the entries for this destination
     * @param sender      the entries of this envelope sender ({@code <>} for the null sender)
     * @param bounce      for delete: return the pending recipients to the sender first
     */
    @WriteOperation
    public MailQueueOperations.Result operate(String action, @Nullable String id, @Nullable String destination,
            @Nullable String sender, @Nullable Boolean bounce, SecurityContext security) {
        if (operations == null) {
            throw new InvalidEndpointRequestException("Expected the relay routes in this application to carry out '" + action
                                                      + "' but there are none", "no relay routes");
        }
        String by = security != null && security.getPrincipal() != null ? security.getPrincipal().getName() : "anonymous";
        MailQueueOperations.Action a;
        MailQueueOperations.Selection selection;
        try {
            a = MailQueueOperations.Action.of(action);
            selection = new MailQueueOperations.Selection(id, destination, sender);
        } catch (IllegalArgumentException e) {
            throw new InvalidEndpointRequestException(e.getMessage(), e.getMessage());
        }
        if (Boolean.TRUE.equals(bounce) && a != MailQueueOperations.Action.DELETE) {
            throw new InvalidEndpointRequestException("Expected bounce only with delete but found it with " + action,
                    "bounce only with delete");
        }
        return operations.perform(a, selection, Boolean.TRUE.equals(bounce), by);
    }

    /** The listing and its parts. */
    public record Listing(Instant at, Map<String, Map<State, Integer>> destinations, Instant oldestArrival,
            int total, List<QueueEntry> entries) {
    }

    /**
     * @param destination only entries for this destination (a domain, or [relay host]), case-insensitive
     * @param sender      only entries whose envelope sender contains this, case-insensitive
     * @param recipient   only entries with a pending recipient containing this, case-insensitive
     * @param state       only entries in this state: active, deferred, held or dead
     * @param olderThan   only entries that arrived longer ago than this (10m, 2h, PT30M)
     */
    @ReadOperation
    public Listing listing(@Nullable String destination, @Nullable String sender, @Nullable String recipient,
            @Nullable String state, @Nullable Duration olderThan) {
        List<QueueEntry> all = queue.entries();
        Predicate<QueueEntry> filter = filter(destination, sender, recipient, state(state), olderThan, clock.instant());
        List<QueueEntry> selected = new ArrayList<>();
        Instant oldest = null;
        for (QueueEntry e : all) {
            if (filter.test(e)) {
                selected.add(e);
            }
            if (e.arrival() != null && (oldest == null || e.arrival().isBefore(oldest))) {
                oldest = e.arrival();
            }
        }
        return new Listing(clock.instant(), new LinkedHashMap<>(MailQueue.countsByDestination(all)), oldest, all.size(), selected);
    }

    static @Nullable State state(@Nullable String state) {
        if (state == null || state.isBlank()) {
            return null;
        }
        try {
            return State.valueOf(state.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Expected state active, deferred, held or dead but found '" + state + "'", e);
        }
    }

    /** The entries matching every criterion given; a null criterion matches all. */
    static Predicate<QueueEntry> filter(@Nullable String destination, @Nullable String sender, @Nullable String recipient,
            @Nullable State state, @Nullable Duration olderThan, Instant now) {
        Predicate<QueueEntry> p = e -> true;
        if (destination != null && !destination.isBlank()) {
            p = p.and(e -> e.destination().equalsIgnoreCase(destination.strip()));
        }
        if (sender != null && !sender.isBlank()) {
            p = p.and(e -> contains(e.sender(), sender));
        }
        if (recipient != null && !recipient.isBlank()) {
            p = p.and(e -> e.recipients().stream().anyMatch(r -> contains(r, recipient)));
        }
        if (state != null) {
            p = p.and(e -> e.state() == state);
        }
        if (olderThan != null) {
            Instant before = now.minus(olderThan);
            p = p.and(e -> e.arrival() != null && e.arrival().isBefore(before));
        }
        return p;
    }

    private static boolean contains(String value, String part) {
        return value.toLowerCase(Locale.ROOT).contains(part.strip().toLowerCase(Locale.ROOT));
    }
}
