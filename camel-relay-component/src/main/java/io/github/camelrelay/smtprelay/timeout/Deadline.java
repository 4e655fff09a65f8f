package io.github.camelrelay.smtprelay.timeout;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The deadline of the operation under way on one connection (a connect, a read or a write), enforced by a
 * {@link Watchdog}, which expires an overdue one: typically the socket is closed, or its input shut down, so the
 * blocked operation ends with an exception or the end of the stream.
 * <p>
 * Why not SO_TIMEOUT: on a java.net.Socket a timed connect or read switches the socket to non-blocking mode for
 * good, after which every read is a failed read, a poll and a second read: three system calls where a blocking read
 * is one (a sixth of the producer's CPU and an eighth of the listener's in profiles). And SO_TIMEOUT does not bound
 * writes at all, so a peer that stopped reading held a thread for good.
 * <p>
 * The watchdog claims an overdue deadline atomically before it expires it, and {@link #arm} and {@link #disarm} say
 * whether it did, so an operation that succeeded just as its deadline passed still learns that its connection is
 * being closed.
 */
public final class Deadline {

    /** What expiry does to the connection; it must make the blocked operation return. */
    @FunctionalInterface
    public interface Expiry {
        void expire() throws IOException;
    }

    private static final long IDLE = Long.MIN_VALUE;
    private static final long EXPIRED = Long.MIN_VALUE + 1;

    private final Expiry expiry;
    /** System.nanoTime() by which the operation under way must finish or make progress; IDLE or EXPIRED. */
    private final AtomicLong at = new AtomicLong(IDLE);
    private volatile int armedMillis;
    /** The timeout after which this deadline expired, or 0. */
    private volatile int expiredAfter;

    public Deadline(Expiry expiry) {
        this.expiry = expiry;
    }

    /**
     * Starts the timeout of the operation about to block, from now; 0 or less: no bound.
     *
     * @return true when the deadline had expired, so the connection is closed or being closed
     */
    public boolean arm(int timeoutMillis) {
        armedMillis = timeoutMillis;
        long next = timeoutMillis > 0 ? System.nanoTime() + timeoutMillis * 1_000_000L : IDLE;
        // a real nanoTime value equal to a sentinel is as good as impossible; step over it anyway
        return at.getAndSet(next == IDLE || next == EXPIRED ? next + 2 : next) == EXPIRED || expiredAfter > 0;
    }

    /** Progress was made: the timeout armed starts again from now, when one is armed. */
    public void renew() {
        long current = at.get();
        if (current != IDLE && current != EXPIRED) {
            long next = System.nanoTime() + armedMillis * 1_000_000L;
            at.compareAndSet(current, next == IDLE || next == EXPIRED ? next + 2 : next);
        }
    }

    /**
     * The operation is over: nothing to bound until the next {@link #arm}.
     *
     * @return true when the deadline had expired, so the connection is closed or being closed
     */
    public boolean disarm() {
        return at.getAndSet(IDLE) == EXPIRED || expiredAfter > 0;
    }

    public boolean armed() {
        long current = at.get();
        return current != IDLE && current != EXPIRED;
    }

    /** The timeout that was armed, meaningful while {@link #armed()}. */
    public int armedMillis() {
        return armedMillis;
    }

    /** The timeout after which the watchdog expired this deadline, or 0 when it did not. */
    public int expiredAfter() {
        return expiredAfter;
    }

    /** The exception to report an expiry with: what the operation failed with instead tells nothing. */
    public SocketTimeoutException timeout() {
        return new SocketTimeoutException("timed out: no progress within " + expiredAfter + " ms, connection closed");
    }

    /** Expires the deadline when the operation under way is overdue; true when it did. */
    boolean expireIfOverdue(long now) {
        long d = at.get();
        if (d == IDLE || d == EXPIRED || now - d < 0) {
            return false;
        }
        int millis = armedMillis;
        if (!at.compareAndSet(d, EXPIRED)) {
            // finished, renewed or re-armed meanwhile
            return false;
        }
        expiredAfter = Math.max(1, millis);
        try {
            expiry.expire();
        } catch (IOException e) {
            // the connection is going away either way
        }
        return true;
    }
}
