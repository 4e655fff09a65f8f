package io.github.camelrelay.smtprelay.internal.server;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Failed AUTH attempts per client network ({@link ClientKeys}: its /32 for IPv4, its /64 for IPv6 by default), across
 * its connections, so rotating addresses within the network gets around nothing: each failure is answered later than the one
 * before (the delay doubles, up to 30 seconds), and an address that reached the limit is refused until the lockout
 * time has passed since its last failure. Failures older than the lockout time are forgotten.
 * <p>
 * An attempt is checked with {@link #admit} once its credentials are in and before the authenticator hashes the
 * password: a locked-out network is refused without a hash, and a network has at most {@value #MAX_IN_FLIGHT}
 * attempts being verified at a time, so a flood of AUTH over many connections cannot burn the CPU.
 * <p>
 * At most {@value #MAX_TRACKED} networks are tracked; beyond that the least recently failing one is dropped, so a
 * flood of addresses cannot exhaust memory.
 */
final class AuthThrottle {

    static final int MAX_TRACKED = 10_000;
    static final int MAX_IN_FLIGHT = 2;

    /** What {@link #admit} decided. */
    enum Admission {
        ADMITTED, LOCKED_OUT, BUSY
    }
    private static final long MAX_DELAY_MILLIS = 30_000;

    private final int maxFailures;
    private final long baseDelayMillis;
    private final long lockoutMillis;
    private final Clock clock;
    private final ClientKeys keys;
    private final Map<Cidr, Failures> failures = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<Cidr, Integer> inFlight = new HashMap<>();

    private static final class Failures {
        int count;
        long last;
    }

    AuthThrottle(int maxFailures, Duration baseDelay, Duration lockout, Clock clock) {
        this(maxFailures, baseDelay, lockout, clock, ClientKeys.DEFAULT);
    }

    AuthThrottle(int maxFailures, Duration baseDelay, Duration lockout, Clock clock, ClientKeys keys) {
        this.keys = keys;
        this.maxFailures = maxFailures;
        this.baseDelayMillis = baseDelay.toMillis();
        this.lockoutMillis = lockout.toMillis();
        this.clock = clock;
    }

    /** True when the address has failed maxFailures times within the lockout time. */
    synchronized boolean isLockedOut(InetAddress address) {
        Failures f = current(keys.of(address));
        return f != null && f.count >= maxFailures;
    }

    /**
     * Lets an attempt with its credentials go on to the authenticator, or not; every admitted attempt must be
     * {@link #done} once.
     */
    synchronized Admission admit(InetAddress address) {
        Cidr key = keys.of(address);
        Failures f = current(key);
        if (f != null && f.count >= maxFailures) {
            return Admission.LOCKED_OUT;
        }
        int n = inFlight.getOrDefault(key, 0);
        if (n >= MAX_IN_FLIGHT) {
            return Admission.BUSY;
        }
        inFlight.put(key, n + 1);
        return Admission.ADMITTED;
    }

    /** The admitted attempt was verified (its failure, if it failed, already recorded). */
    synchronized void done(InetAddress address) {
        inFlight.computeIfPresent(keys.of(address), (k, n) -> n <= 1 ? null : n - 1);
    }

    /** Records a failure and returns how long to hold back its answer. */
    synchronized Duration recordFailure(InetAddress address) {
        Cidr key = keys.of(address);
        Failures f = current(key);
        if (f == null) {
            f = new Failures();
            failures.put(key, f);
            if (failures.size() > MAX_TRACKED) {
                Iterator<Cidr> eldest = failures.keySet().iterator();
                eldest.next();
                eldest.remove();
            }
        }
        f.count++;
        f.last = clock.millis();
        int doublings = Math.min(f.count - 1, 20);
        return Duration.ofMillis(Math.min(baseDelayMillis << doublings, Math.max(MAX_DELAY_MILLIS, baseDelayMillis)));
    }

    synchronized int failures(InetAddress address) {
        Failures f = current(keys.of(address));
        return f == null ? 0 : f.count;
    }

    private Failures current(Cidr key) {
        Failures f = failures.get(key);
        if (f != null && clock.millis() - f.last >= lockoutMillis) {
            failures.remove(key);
            return null;
        }
        return f;
    }
}
