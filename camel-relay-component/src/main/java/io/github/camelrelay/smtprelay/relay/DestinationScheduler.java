package io.github.camelrelay.smtprelay.relay;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.camelrelay.smtprelay.delivery.DeliveryEngine;
import io.github.camelrelay.smtprelay.report.DeliveryReport;
import io.github.camelrelay.smtprelay.report.Outcome;
import io.github.camelrelay.smtprelay.report.RecipientStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue manager's view of each destination in this instance, as Postfix's qmgr keeps it: how many deliveries run
 * to it, how many may (its concurrency window, halved by a 421 or 4.7.x reply and given back one per delivered
 * attempt), and whether it is unreachable (failed at the connection level) and until when. It decides only what may
 * be delivered now; the delivery itself is the producer's. Thread-safe.
 */
public final class DestinationScheduler {

    private static final Logger LOG = LoggerFactory.getLogger(DestinationScheduler.class);

    /** What {@link #admit} decided. */
    public enum Verdict {
        /** Deliver now; {@link #completed} must follow. */
        DELIVER,
        /** The destination is at its concurrency limit: put the message back for a moment. */
        BUSY,
        /** The destination is unreachable and backing off: defer without a connection. */
        SUSPENDED
    }

    /** One admission; for {@link Verdict#DELIVER} it holds a slot until {@link #completed}. */
    public static final class Admission {
        private final Verdict verdict;
        private final String destination;
        private final String reason;
        private final boolean probe;
        private final AtomicBoolean open;

        private Admission(Verdict verdict, String destination, String reason, boolean probe) {
            this.verdict = verdict;
            this.destination = destination;
            this.reason = reason;
            this.probe = probe;
            this.open = new AtomicBoolean(verdict == Verdict.DELIVER);
        }

        public Verdict verdict() {
            return verdict;
        }

        public String destination() {
            return destination;
        }

        /** Why the destination is suspended: its last connection failure. */
        public String reason() {
            return reason;
        }

        /** Whether this delivery is the one probe let through after a back-off. */
        public boolean probe() {
            return probe;
        }
    }

    private final QueueManagerSettings settings;
    private final Clock clock;
    private final Map<String, State> states = new ConcurrentHashMap<>();

    public DestinationScheduler(QueueManagerSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * Whether mail for the destination may be delivered now; waits at most the busy wait for a slot when the
     * destination is at its limit.
     */
    public Admission admit(String destination) throws InterruptedException {
        State s = states.computeIfAbsent(destination, d -> new State(settings.destinationConcurrency()));
        synchronized (s) {
            if (s.deadUntil != null) {
                if (s.probing || clock.instant().isBefore(s.deadUntil)) {
                    return new Admission(Verdict.SUSPENDED, destination, s.lastFailure, false);
                }
                s.probing = true;
                s.active++;
                LOG.info("destination {}: back-off over, one probe let through", destination);
                return new Admission(Verdict.DELIVER, destination, null, true);
            }
            long waitNanos = settings.busyWait().toNanos();
            long end = System.nanoTime() + waitNanos;
            while (s.active >= s.limit) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return new Admission(Verdict.BUSY, destination, null, false);
                }
                TimeUnit.NANOSECONDS.timedWait(s, left);
                if (s.deadUntil != null) {
                    return new Admission(Verdict.SUSPENDED, destination, s.lastFailure, false);
                }
            }
            s.active++;
            return new Admission(Verdict.DELIVER, destination, null, false);
        }
    }

    /**
     * Ends a delivery admitted by {@link #admit}, learning from its report (null when it ended without one, for
     * example because an enricher refused the message). Only the first call for an admission counts.
     */
    public void completed(Admission admission, DeliveryReport report) {
        if (admission == null || !admission.open.compareAndSet(true, false)) {
            return;
        }
        State s = states.get(admission.destination);
        synchronized (s) {
            s.active--;
            if (admission.probe) {
                s.probing = false;
            }
            if (report != null && !report.statuses().isEmpty()) {
                learn(admission, s, report);
            } else if (admission.probe) {
                // a probe that told nothing: wait another back-off before the next
                s.deadUntil = clock.instant().plus(s.backoff);
            }
            if (s.deadUntil != null) {
                // every waiter is to defer now, without a connection
                s.notifyAll();
            } else {
                // one waiter per free slot: with 50 consumers and a limit of 20, waking all 30 waiters on every
                // delivery, for one of them to take the slot, is 30 thread switches per message
                for (int free = s.limit - s.active; free > 0; free--) {
                    s.notify();
                }
            }
        }
    }

    private void learn(Admission admission, State s, DeliveryReport report) {
        String destination = admission.destination;
        RecipientStatus failure = connectionFailure(report);
        if (failure != null) {
            if (s.deadUntil != null && !admission.probe) {
                // one more of the deliveries that were under way when it failed: the same episode
                return;
            }
            // doubled only when the probe after a back-off fails too
            s.backoff = !admission.probe || s.backoff == null ? settings.backoffInitial()
                    : min(s.backoff.multipliedBy(2), settings.backoffMaximum());
            s.deadUntil = clock.instant().plus(s.backoff);
            s.lastFailure = failure.relay() + ": " + (failure.replyCode() > 0 ? failure.replyCode() + " " : "") + failure.replyText();
            LOG.info("destination {}: unreachable ({}), its mail deferred for {} s", destination, s.lastFailure,
                    s.backoff.toSeconds());
        } else if (s.deadUntil != null && (admission.probe || !report.withOutcome(Outcome.DELIVERED).isEmpty())) {
            LOG.info("destination {}: reachable again", destination);
            s.deadUntil = null;
            s.backoff = null;
            s.lastFailure = null;
        }
        if (throttled(report)) {
            int halved = Math.max(1, s.limit / 2);
            if (halved < s.limit) {
                LOG.info("destination {}: concurrency {} -> {} after a too-many-connections reply", destination, s.limit, halved);
            }
            s.limit = halved;
        } else if (!report.withOutcome(Outcome.DELIVERED).isEmpty() && s.limit < settings.destinationConcurrency()) {
            s.limit++;
        }
    }

    /**
     * The status that shows a failure at the connection level, or null: every recipient deferred without a server's
     * reply to a transaction (no reply at all, a 421 closing the channel, or a network or routing status 4.4.x).
     */
    static RecipientStatus connectionFailure(DeliveryReport report) {
        RecipientStatus last = null;
        for (RecipientStatus s : report.statuses()) {
            if (s.host() == null && DeliveryEngine.SHAPED.equals(s.enhancedStatus())) {
                // held back by this instance's own traffic shaping: says nothing about the destination
                return null;
            }
            boolean connection = s.outcome() == Outcome.DEFERRED
                                 && (s.replyCode() == 0 || s.replyCode() == 421 || s.enhancedStatus().startsWith("4.4."));
            if (!connection) {
                return null;
            }
            last = s;
        }
        return last;
    }

    /** A 421 or a 4.7.x "too many connections, rate limited" reply among the statuses. */
    static boolean throttled(DeliveryReport report) {
        return report.statuses().stream().anyMatch(s -> s.outcome() == Outcome.DEFERRED
                                                         && (s.replyCode() == 421 || s.enhancedStatus().startsWith("4.7.")));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** The concurrency limit of a destination now. */
    public int limit(String destination) {
        State s = states.get(destination);
        if (s == null) {
            return settings.destinationConcurrency();
        }
        synchronized (s) {
            return s.limit;
        }
    }

    /** Deliveries running to a destination now. */
    public int active(String destination) {
        State s = states.get(destination);
        if (s == null) {
            return 0;
        }
        synchronized (s) {
            return s.active;
        }
    }

    /** Until when a destination is backing off, or null when it is not. */
    public Instant suspendedUntil(String destination) {
        State s = states.get(destination);
        if (s == null) {
            return null;
        }
        synchronized (s) {
            return s.deadUntil;
        }
    }

    /** Deliveries running now per destination, for metrics. */
    public Map<String, Integer> activeByDestination() {
        Map<String, Integer> out = new LinkedHashMap<>();
        states.forEach((d, s) -> {
            synchronized (s) {
                if (s.active > 0) {
                    out.put(d, s.active);
                }
            }
        });
        return out;
    }

    private static final class State {
        int limit;
        int active;
        Instant deadUntil;
        Duration backoff;
        boolean probing;
        String lastFailure;

        State(int limit) {
            this.limit = limit;
        }
    }
}
