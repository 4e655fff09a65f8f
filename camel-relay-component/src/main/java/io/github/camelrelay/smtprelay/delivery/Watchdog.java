package io.github.camelrelay.smtprelay.delivery;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Bounds every operation on the connections of one pool, connect included: a connection whose operation outlives its
 * {@link Deadline} has its socket closed, which ends the blocked connect, read or write with an exception.
 * <p>
 * Why not the socket's SO_TIMEOUT: a read with a timeout on a java.net.Socket is a non-blocking read, a poll and a
 * second read, three system calls where a blocking read is one (a sixth of the producer's CPU in a profile; and a
 * timed connect makes every later read timed too), and
 * SO_TIMEOUT does not bound writes at all, so a server that stopped reading held a delivery thread for good. One
 * thread checking deadlines a few times per timeout costs next to nothing.
 */
final class Watchdog implements AutoCloseable {

    private final Set<Deadline> deadlines = ConcurrentHashMap.newKeySet();
    private final long tickNanos;
    private final Thread thread;
    private volatile boolean closed;

    /** @param shortestTimeoutMillis the shortest timeout to enforce; deadlines are checked four times within it */
    Watchdog(int shortestTimeoutMillis) {
        this.tickNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(10, Math.min(1000, shortestTimeoutMillis / 4)));
        this.thread = new Thread(this::run, "smtprelay-watchdog");
        thread.setDaemon(true);
        thread.start();
    }

    void watch(Deadline deadline) {
        deadlines.add(deadline);
    }

    void forget(Deadline deadline) {
        deadlines.remove(deadline);
    }

    private void run() {
        while (!closed) {
            LockSupport.parkNanos(this, tickNanos);
            long now = System.nanoTime();
            for (Deadline d : deadlines) {
                if (d.expireIfOverdue(now)) {
                    deadlines.remove(d);
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
    }
}
