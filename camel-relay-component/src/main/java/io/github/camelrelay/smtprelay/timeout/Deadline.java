package io.github.camelrelay.smtprelay.timeout;

import java.io.IOException;
import java.net.SocketTimeoutException;

/**
 * The deadline of the operation under way on one connection (a connect, a read or a write), enforced by a
 * {@link Watchdog}, which expires an overdue one: typically the socket is closed, or its input shut down, so the
 * blocked operation ends with an exception or the end of the stream.
 * <p>
 * Why not SO_TIMEOUT: on a java.net.Socket a timed connect or read switches the socket to non-blocking mode for
 * good, after which every read is a failed read, a poll and a second read: three system calls where a blocking read
 * is one (a sixth of the producer's CPU and an eighth of the listener's in profiles). And SO_TIMEOUT does not bound
 * writes at all, so a peer that stopped reading held a thread for good.
 */
public final class Deadline {

    /** What expiry does to the connection; it must make the blocked operation return. */
    @FunctionalInterface
    public interface Expiry {
        void expire() throws IOException;
    }

    private static final long IDLE = Long.MIN_VALUE;

    private final Expiry expiry;
    /** System.nanoTime() by which the operation under way must finish or make progress; IDLE between operations. */
    private volatile long at = IDLE;
    private volatile int armedMillis;
    /** The timeout after which this deadline expired, or 0. */
    private volatile int expiredAfter;

    public Deadline(Expiry expiry) {
        this.expiry = expiry;
    }

    /** Starts the timeout of the operation about to block, from now; 0 or less: no bound. */
    public void arm(int timeoutMillis) {
        armedMillis = timeoutMillis;
        at = timeoutMillis > 0 ? System.nanoTime() + timeoutMillis * 1_000_000L : IDLE;
    }

    /** The operation is over: nothing to bound until the next {@link #arm}. */
    public void disarm() {
        at = IDLE;
    }

    public boolean armed() {
        return at != IDLE;
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
        long d = at;
        if (d == IDLE || now - d < 0) {
            return false;
        }
        expiredAfter = armedMillis;
        try {
            expiry.expire();
        } catch (IOException e) {
            // the connection is going away either way
        }
        return true;
    }
}
