package io.github.camelrelay.smtprelay.timeout;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Expires the overdue {@link Deadline}s of a set of connections (a connection pool's, a listener's): one thread that
 * checks them a few times per timeout, which costs next to nothing, where SO_TIMEOUT costs system calls on every read
 * (see {@link Deadline}).
 */
public final class Watchdog implements AutoCloseable {

    private final Set<Deadline> deadlines = ConcurrentHashMap.newKeySet();
    private final long tickNanos;
    private final Thread thread;
    private volatile boolean closed;

    /** @param shortestTimeoutMillis the shortest timeout to enforce; deadlines are checked four times within it */
    public Watchdog(int shortestTimeoutMillis, String threadName) {
        this.tickNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(10, Math.min(1000, shortestTimeoutMillis / 4)));
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    public void watch(Deadline deadline) {
        deadlines.add(deadline);
    }

    public void forget(Deadline deadline) {
        deadlines.remove(deadline);
    }

    private void run() {
        // after close(), deadlines still watched (operations in flight) stay bounded until their connections close
        while (!closed || !deadlines.isEmpty()) {
            LockSupport.parkNanos(this, tickNanos);
            long now = System.nanoTime();
            for (Deadline d : deadlines) {
                try {
                    if (d.expireIfOverdue(now)) {
                        deadlines.remove(d);
                    }
                } catch (RuntimeException e) {
                    // one connection's failure must not end the thread that bounds all of them
                    deadlines.remove(d);
                }
            }
        }
    }

    /** Ends the thread once every deadline still watched is forgotten or expired. */
    @Override
    public void close() {
        closed = true;
    }
}
