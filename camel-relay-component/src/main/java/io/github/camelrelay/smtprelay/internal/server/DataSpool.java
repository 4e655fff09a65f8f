package io.github.camelrelay.smtprelay.internal.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Message data on its way from the event loop into the delivery's body (Camel's stream cache, which spills to disk):
 * the event loop only copies into chunks in memory and hands full ones to the connection's {@link SerialExecutor},
 * which writes them into the body off the event loop, so a slow disk stalls this message and no other connection on
 * the loop. Back-pressure: while more than {@link #HIGH_WATER} octets wait to be written, the connection reads
 * nothing; it reads again once the writer is down to {@link #LOW_WATER}. The first write failure is kept and
 * reported by {@link #checkWritten()}; later chunks are dropped.
 */
final class DataSpool extends OutputStream {

    static final int CHUNK = 32 * 1024;
    static final int HIGH_WATER = 4 * CHUNK;
    static final int LOW_WATER = CHUNK;

    private final OutputStream body;
    private final SerialExecutor writer;
    private final SessionIo io;
    private final AtomicLong pending = new AtomicLong();
    private volatile IOException failure;
    private volatile boolean discard;
    /** The event loop waits for the writer: only then does a drained writer wake it. */
    private volatile boolean waiting;
    // event loop only
    private ByteArrayOutputStream chunk;
    private boolean paused;
    private boolean ended;

    DataSpool(OutputStream body, SerialExecutor writer, SessionIo io) {
        this.body = body;
        this.writer = writer;
        this.io = io;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b) {
        write(b, 0, b.length);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        while (len > 0) {
            if (chunk == null) {
                chunk = new ByteArrayOutputStream(Math.min(CHUNK, Math.max(len, 4096)));
            }
            int n = Math.min(len, CHUNK - chunk.size());
            chunk.write(b, off, n);
            off += n;
            len -= n;
            if (chunk.size() >= CHUNK) {
                handOff();
            }
        }
        if (!paused && pending.get() > HIGH_WATER) {
            paused = true;
            waiting = true;
            io.suspend();
            // the writer may have drained before it could see waiting
            resumeIfDrained();
        }
    }

    /** The final dot was read: the last chunk goes to the writer and the connection's reading is the caller's again. */
    void endOfData() {
        handOff();
        ended = true;
        waiting = false;
        if (paused) {
            paused = false;
            io.resume();
        }
    }

    /** On the writer, after every chunk: the first failure to write the message, if any. */
    void checkWritten() throws IOException {
        IOException f = failure;
        if (f != null) {
            throw f;
        }
    }

    /** The message will not be delivered: chunks not yet written are dropped and the reading is given back. */
    void discard() {
        discard = true;
        chunk = null;
        ended = true;
        waiting = false;
        paused = false;
    }

    private void handOff() {
        ByteArrayOutputStream c = chunk;
        chunk = null;
        if (c == null || c.size() == 0 || discard) {
            return;
        }
        pending.addAndGet(c.size());
        try {
            writer.execute(() -> writeChunk(c));
        } catch (RejectedExecutionException e) {
            pending.addAndGet(-c.size());
            if (failure == null) {
                failure = new IOException("the listener's executor took no more work", e);
            }
        }
    }

    private void writeChunk(ByteArrayOutputStream c) {
        try {
            if (!discard && failure == null) {
                c.writeTo(body);
            }
        } catch (IOException | RuntimeException e) {
            failure = e instanceof IOException io ? io : new IOException(e);
        } finally {
            if (pending.addAndGet(-c.size()) <= LOW_WATER && waiting) {
                io.eventLoop().execute(this::resumeIfDrained);
            }
        }
    }

    private void resumeIfDrained() {
        if (paused && !ended && pending.get() <= LOW_WATER) {
            paused = false;
            waiting = false;
            io.resume();
        }
    }
}
