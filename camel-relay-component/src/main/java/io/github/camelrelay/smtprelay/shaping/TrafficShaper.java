package io.github.camelrelay.smtprelay.shaping;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.camelrelay.smtprelay.mail.Domain;

/**
 * The counts behind the {@link TrafficShaping} rules in one instance: connections in use and messages sent within
 * the rate's window, per rule, shared by every thread that delivers with these rules (the component keeps one shaper
 * per set of rules, so the producer's delivery threads and the relay routes' consumers count together). Thread-safe.
 */
public final class TrafficShaper {

    /** Domains an MX-suffix rule was found for by a delivery, so the scheduler knows them before resolving. */
    private static final int LEARNED_MAX = 10_000;

    private final TrafficShaping shaping;
    private final Clock clock;
    private final Map<ShapingRule, State> states = new IdentityHashMap<>();
    private final Map<Domain, ShapingRule> learned = new ConcurrentHashMap<>();

    public TrafficShaper(TrafficShaping shaping, Clock clock) {
        this.shaping = shaping;
        this.clock = clock;
        for (ShapingRule r : shaping.rules()) {
            states.put(r, new State());
        }
    }

    public TrafficShaping shaping() {
        return shaping;
    }

    /**
     * The rule for a destination as a delivery resolved it (null for none); an MX-suffix rule is remembered for the
     * domain, for {@link #delay}.
     */
    public ShapingRule ruleFor(Domain domain, List<String> mxHosts) {
        ShapingRule rule = shaping.forDestination(domain, mxHosts);
        if (rule != null && rule.kind() == ShapingRule.Kind.MX_SUFFIX) {
            if (learned.size() >= LEARNED_MAX) {
                learned.clear();
            }
            learned.put(domain, rule);
        } else {
            learned.remove(domain);
        }
        return rule;
    }

    /** One delivery's share of a rule: a connection in use and one message counted against the rate. */
    public static final class Slot implements AutoCloseable {
        private final State state;
        private final AtomicBoolean open = new AtomicBoolean(true);

        private Slot(State state) {
            this.state = state;
        }

        /** Gives the connection back; the message stays counted in the rate's window. */
        @Override
        public void close() {
            if (state != null && open.compareAndSet(true, false)) {
                synchronized (state) {
                    state.inUse--;
                    state.notifyAll();
                }
            }
        }
    }

    /** A slot for a delivery without a rule. */
    public static final Slot UNSHAPED = new Slot(null);

    /**
     * Takes a connection and a message of the rule's rate, waiting at most {@code maxWait} for them; null when they are
     * not free within it (at once when the rate's window frees up only later than that).
     */
    public Slot acquire(ShapingRule rule, Duration maxWait) throws InterruptedException {
        if (rule == null) {
            return UNSHAPED;
        }
        State s = states.get(rule);
        long deadline = System.nanoTime() + maxWait.toNanos();
        synchronized (s) {
            while (true) {
                Instant now = clock.instant();
                Duration rateWait = s.rateWait(rule, now);
                boolean connection = rule.maxConnections() == 0 || s.inUse < rule.maxConnections();
                if (connection && rateWait.isZero()) {
                    s.inUse++;
                    if (rule.maxRate() != null) {
                        s.sent.addLast(now);
                    }
                    return new Slot(s);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || rateWait.toNanos() > left) {
                    return null;
                }
                long wait = rateWait.isZero() ? left : Math.min(left, rateWait.toNanos());
                TimeUnit.NANOSECONDS.timedWait(s, Math.max(wait, TimeUnit.MILLISECONDS.toNanos(1)));
            }
        }
    }

    /**
     * How long a delivery to the domain would wait for its rule now (the rule by name, else the MX-suffix rule a
     * delivery found for it): zero when it may start at once or has no rule, {@code busy} when every connection is in
     * use, else the time until the rate's window frees a message.
     */
    public Duration delay(Domain domain, Duration busy) {
        ShapingRule rule = shaping.forDomain(domain);
        if (rule == null) {
            rule = learned.get(domain);
        }
        if (rule == null) {
            return Duration.ZERO;
        }
        State s = states.get(rule);
        synchronized (s) {
            Duration rateWait = s.rateWait(rule, clock.instant());
            if (!rateWait.isZero()) {
                return rateWait;
            }
            return rule.maxConnections() > 0 && s.inUse >= rule.maxConnections() ? busy : Duration.ZERO;
        }
    }

    /** Connections in use under a rule now. */
    public int inUse(ShapingRule rule) {
        State s = states.get(rule);
        synchronized (s) {
            return s.inUse;
        }
    }

    private static final class State {
        int inUse;
        /** When each message of the rate's current window was sent, oldest first. */
        final Deque<Instant> sent = new ArrayDeque<>();

        /** Zero when the rate allows a message now, else how long until the oldest in the window leaves it. */
        Duration rateWait(ShapingRule rule, Instant now) {
            Rate rate = rule.maxRate();
            if (rate == null) {
                return Duration.ZERO;
            }
            Instant windowStart = now.minus(rate.per());
            while (!sent.isEmpty() && !sent.peekFirst().isAfter(windowStart)) {
                sent.pollFirst();
            }
            if (sent.size() < rate.messages()) {
                return Duration.ZERO;
            }
            return Duration.between(windowStart, sent.peekFirst());
        }
    }
}
