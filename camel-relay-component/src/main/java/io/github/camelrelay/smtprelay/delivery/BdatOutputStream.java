package io.github.camelrelay.smtprelay.delivery;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The message as RFC 3030 BDAT chunks, written straight to the connection: each chunk is {@code BDAT size} and its
 * octets as they are (no dot-stuffing, no line-ending changes, so BINARYMIME content survives), the last one
 * {@code BDAT size LAST}. One chunk is buffered ahead, so the last one is known when the message ends. Angus Mail's
 * own BDAT stream cannot be used: it dot-stuffs and rewrites line endings like DATA's.
 */
final class BdatOutputStream extends OutputStream {

    /** Sends a chunk header and its data, flushes, and reads the reply to it. */
    interface Wire {
        SmtpReply chunk(String command, byte[] data, int length) throws IOException;
    }

    /** A non-last chunk was refused: the transaction is over, with this reply. */
    static final class Refused extends IOException {
        final SmtpReply reply;

        Refused(SmtpReply reply) {
            super("BDAT refused: " + reply);
            this.reply = reply;
        }
    }

    private final Wire wire;
    private final byte[] buffer;
    private int count;

    BdatOutputStream(Wire wire, int chunkSize) {
        this.wire = wire;
        this.buffer = new byte[chunkSize];
    }

    @Override
    public void write(int b) throws IOException {
        if (count == buffer.length) {
            sendChunk();
        }
        buffer[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (count == buffer.length) {
                sendChunk();
            }
            int n = Math.min(len, buffer.length - count);
            System.arraycopy(b, off, buffer, count, n);
            count += n;
            off += n;
            len -= n;
        }
    }

    private void sendChunk() throws IOException {
        SmtpReply reply = wire.chunk("BDAT " + count, buffer, count);
        count = 0;
        if (!reply.positive()) {
            throw new Refused(reply);
        }
    }

    /** Sends what is left as the last chunk and returns the server's verdict on the message. */
    SmtpReply last() throws IOException {
        SmtpReply reply = wire.chunk("BDAT " + count + " LAST", buffer, count);
        count = 0;
        return reply;
    }

    static byte[] line(String command) {
        return (command + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }
}
