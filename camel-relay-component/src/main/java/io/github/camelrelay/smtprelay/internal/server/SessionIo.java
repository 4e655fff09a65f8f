package io.github.camelrelay.smtprelay.internal.server;

import java.util.concurrent.Executor;

/**
 * What a session needs of its connection, so the SMTP state machine knows nothing of Netty: replies that are written
 * at once but sent together when the input runs dry (pipelining), the switch to TLS, the switch from command lines
 * to message data, and pausing the input while a decision is made elsewhere. Called on the connection's event loop
 * only.
 */
interface SessionIo {

    /** Queues a reply (CRLF added); it is flushed when no more input is waiting. */
    void write(String reply);

    /** Sends the reply and closes the connection; later input is ignored. */
    void writeAndClose(String reply);

    /**
     * Starts TLS after the 220 reply: the queued replies are sent, the plaintext received after the command is
     * discarded (CVE-2011-0411), and the TLS handshake expected.
     *
     * @return the number of plaintext octets discarded
     */
    int startTls();

    /** The input after this line is message data, read by the transfer until it reports the end. */
    void receive(DataTransfer transfer);

    /** Stops taking input (and the idle timeout) until {@link #resume()}. */
    void suspend();

    /** Takes input again, starting with whatever is already buffered. */
    void resume();

    /** Runs tasks on the connection's event loop. */
    Executor eventLoop();

    /** Runs the task on the event loop after the delay. */
    void schedule(long delayMillis, Runnable task);
}
