package io.github.camelrelay.smtprelay.delivery;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;

import jakarta.mail.MessagingException;

/**
 * The deadline of the operation under way on one connection, enforced by the {@link Watchdog}, which closes the
 * socket of an overdue one. The socket itself never gets a timeout: on a java.net.Socket a timed connect or read
 * switches it to non-blocking mode for good, after which every read costs a failed read and a poll first.
 */
final class Deadline {

    interface Operation<T> {
        T run() throws MessagingException, IOException;
    }

    private static final long IDLE = Long.MIN_VALUE;

    private final Socket socket;
    /** System.nanoTime() by which the operation under way must finish or make progress; IDLE between operations. */
    private volatile long at = IDLE;
    private volatile int armedMillis;
    /** The timeout after which the watchdog closed the connection, or 0. */
    private volatile int expiredAfter;

    Deadline(Socket socket) {
        this.socket = socket;
    }

    /**
     * Runs an operation that must finish within {@code timeoutMillis} (0: no bound), or the connection is closed and
     * the operation fails with a timeout. A nested operation bounds its own part; when it is done, the outer one's
     * timeout starts again, as a finished step is progress.
     */
    <T> T bounded(int timeoutMillis, Operation<T> operation) throws MessagingException, IOException {
        boolean outer = at != IDLE;
        int outerMillis = armedMillis;
        arm(timeoutMillis);
        try {
            return operation.run();
        } catch (MessagingException | IOException | RuntimeException e) {
            int after = expiredAfter;
            if (after > 0) {
                throw new MessagingException("timed out: no progress within " + after + " ms, connection closed",
                        new SocketTimeoutException("no progress within " + after + " ms"));
            }
            throw e;
        } finally {
            if (outer) {
                arm(outerMillis);
            } else {
                at = IDLE;
            }
        }
    }

    /** Starts the timeout again from now, as progress was made. */
    void arm(int timeoutMillis) {
        armedMillis = timeoutMillis;
        at = timeoutMillis > 0 ? System.nanoTime() + timeoutMillis * 1_000_000L : IDLE;
    }

    /** Closes the connection when the operation under way is overdue; true when it did. */
    boolean expireIfOverdue(long now) {
        long d = at;
        if (d == IDLE || now - d < 0) {
            return false;
        }
        expiredAfter = armedMillis;
        try {
            socket.close();
        } catch (IOException e) {
            // closed either way
        }
        return true;
    }
}
