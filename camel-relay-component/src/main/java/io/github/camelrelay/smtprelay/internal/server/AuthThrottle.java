package io.github.camelrelay.smtprelay.internal.server;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Failed AUTH attempts per client address, across its connections: each failure is answered later than the one
 * before (the delay doubles, up to 30 seconds), and an address that reached the limit is refused until the lockout
 * time has passed since its last failure. Failures older than the lockout time are forgotten.
 * <p>
 * At most {@value #MAX_TRACKED} addresses are tracked; beyond that the least recently failing one is dropped, so a
 * flood of addresses cannot exhaust memory.
 */
final class AuthThrottle {

    static final int MAX_TRACKED = 10_000;
    private static final long MAX_DELAY_MILLIS = 30_000;

    private final int maxFailures;
    private final long baseDelayMillis;
    private final long lockoutMillis;
    private final Clock clock;
    private final Map<InetAddress, Failures> failures = new LinkedHashMap<>(16, 0.75f, true);

    private static final class Failures {
        int count;
        long last;
    }

    AuthThrottle(int maxFailures, Duration baseDelay, Duration lockout, Clock clock) {
        this.maxFailures = maxFailures;
        this.baseDelayMillis = baseDelay.toMillis();
        this.lockoutMillis = lockout.toMillis();
        this.clock = clock;
    }

    /** True when the address has failed maxFailures times within the lockout time. */
    synchronized boolean isLockedOut(InetAddress address) {
        Failures f = current(address);
        return f != null && f.count >= maxFailures;
    }

    /** Records a failure and returns how long to hold back its answer. */
    synchronized Duration recordFailure(InetAddress address) {
        Failures f = current(address);
        if (f == null) {
            f = new Failures();
            failures.put(address, f);
            if (failures.size() > MAX_TRACKED) {
                Iterator<InetAddress> eldest = failures.keySet().iterator();
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
        Failures f = current(address);
        return f == null ? 0 : f.count;
    }

    private Failures current(InetAddress address) {
        Failures f = failures.get(address);
        if (f != null && clock.millis() - f.last >= lockoutMillis) {
            failures.remove(address);
            return null;
        }
        return f;
    }
}
