package io.github.camelrelay.smtprelay.internal.server;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.util.concurrent.EventExecutor;

/**
 * The two limits Netty's IdleStateHandler cannot express, on the connection's event loop: the total session length,
 * and the minimum data rate. The rate is Postfix's rule (smtpd_min_data_rate with per-request deadlines): whatever
 * the client has begun to send (a command line, or a message after 354) must be complete within the idle timeout
 * plus one second for every minDataRate octets it has sent of it, so a client trickling a byte just before each idle
 * timeout is cut off, while a large message at a decent rate is not.
 */
final class SessionTimers {

    private final EventExecutor loop;
    private final long idleMillis;
    private final long maxSessionMillis;
    private final int minDataRate;
    private final Runnable tooSlow;
    private final Runnable tooLong;
    private ScheduledFuture<?> sessionLimit;
    private ScheduledFuture<?> unitCheck;
    /** When the unit under way began (System.nanoTime), 0 when none is. */
    private long unitStart;
    private long unitBytes;

    SessionTimers(EventExecutor loop, ServerSettings settings, Runnable tooSlow, Runnable tooLong) {
        this.loop = loop;
        this.idleMillis = settings.idleTimeout;
        this.maxSessionMillis = settings.maxSessionTime;
        this.minDataRate = settings.minDataRate;
        this.tooSlow = tooSlow;
        this.tooLong = tooLong;
    }

    void start() {
        if (maxSessionMillis > 0) {
            sessionLimit = loop.schedule(tooLong, maxSessionMillis, TimeUnit.MILLISECONDS);
        }
    }

    /** Octets arrived from the client. */
    void received(int octets) {
        if (unitStart != 0) {
            unitBytes += octets;
        }
    }

    /**
     * After the input was processed: whether a unit is under way, whether one was completed (the next begins now),
     * and how many octets of it are already buffered.
     */
    void unit(boolean underWay, boolean completedOne, int buffered) {
        if (minDataRate <= 0) {
            return;
        }
        if (!underWay) {
            unitStart = 0;
            cancelCheck();
            return;
        }
        if (unitStart == 0 || completedOne) {
            unitStart = System.nanoTime();
            unitBytes = buffered;
            cancelCheck();
            unitCheck = loop.schedule(this::check, deadlineMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Milliseconds from the unit's start until it must be complete. */
    private long deadlineMillis() {
        return idleMillis + unitBytes * 1000 / minDataRate;
    }

    private void check() {
        unitCheck = null;
        if (unitStart == 0) {
            return;
        }
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - unitStart);
        long left = deadlineMillis() - elapsed;
        if (left <= 0) {
            unitStart = 0;
            tooSlow.run();
        } else {
            unitCheck = loop.schedule(this::check, left, TimeUnit.MILLISECONDS);
        }
    }

    private void cancelCheck() {
        if (unitCheck != null) {
            unitCheck.cancel(false);
            unitCheck = null;
        }
    }

    void stop() {
        unitStart = 0;
        cancelCheck();
        if (sessionLimit != null) {
            sessionLimit.cancel(false);
        }
    }
}
