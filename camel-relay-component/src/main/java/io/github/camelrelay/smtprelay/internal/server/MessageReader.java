package io.github.camelrelay.smtprelay.internal.server;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import io.netty.buffer.ByteBuf;

/**
 * Reads one message after the 354 reply, as it arrives, up to {@code <CRLF>.<CRLF>}, removing dot-stuffing, into an
 * output stream (the exchange's stream cache), so a message is never held whole here. Only a line of exactly "."
 * after a line that ended in CRLF ends it: a bare LF or CR never does, so {@code <LF>.<LF>}, {@code <LF>.<CR><LF>}
 * and {@code <CR>.<CR>} are message content, and the message is marked so it can be refused (SMTP smuggling). Once
 * the message is known to be refused, nothing more is written, but it is still read to its end so the session stays
 * in step.
 */
final class MessageReader {

    /** RFC 5321 4.5.3.1.6: a text line is at most 1000 octets, CRLF included, not counting a stuffed dot. */
    static final int TEXT_LINE_LIMIT = 1000;

    private static final int HEAD = 16;

    /**
     * What was found in a message.
     *
     * @param size            octets of the message, dot-stuffing and the final dot removed
     * @param tooBig          more than the maximum size; the rest was not kept
     * @param longLine        the number of the first line over 1000 octets, 0 if none
     * @param longLineLength  its length
     * @param bareLineEnding  the number of the first line with a bare CR or LF, 0 if none
     * @param receivedHeaders Received header fields in the header section
     */
    record Result(long size, boolean tooBig, long longLine, long longLineLength, long bareLineEnding, int receivedHeaders) {
    }

    private final OutputStream out;
    private final long maxSize;
    private final byte[] head = new byte[HEAD];
    private long size;
    private long lineNo;
    private long longLine;
    private long longLineLength;
    private long bareLine;
    private int received;
    private boolean headers = true;
    private boolean previousEndedCrlf = true;
    private boolean atLineStart = true;
    private long lineLength;
    private int headLength;
    private boolean lastCr;

    MessageReader(OutputStream out, long maxSize) {
        this.out = out;
        this.maxSize = maxSize;
    }

    /**
     * Consumes what {@code in} holds of the message; returns the result once the final dot has been read (the bytes
     * after it stay in {@code in}), null when more is needed.
     */
    Result read(ByteBuf in) throws IOException {
        while (in.isReadable()) {
            if (atLineStart) {
                int r = in.readerIndex();
                if (in.getByte(r) == '.') {
                    if (in.readableBytes() < 3) {
                        return null;
                    }
                    if (previousEndedCrlf && in.getByte(r + 1) == '\r' && in.getByte(r + 2) == '\n') {
                        in.skipBytes(3);
                        return new Result(size, size > maxSize, longLine, longLineLength, bareLine, received);
                    }
                    // RFC 5321 4.5.2: the leading dot of any other line was added by the client; take it off
                    in.skipBytes(1);
                }
                atLineStart = false;
                lineNo++;
                lineLength = 0;
                headLength = 0;
                lastCr = false;
            }
            readLinePart(in);
        }
        return null;
    }

    /** Reads up to the end of the current line or of the input, whichever comes first. */
    private void readLinePart(ByteBuf in) throws IOException {
        int from = in.readerIndex();
        int to = in.writerIndex();
        int i = from;
        boolean ended = false;
        while (i < to) {
            byte b = in.getByte(i++);
            lineLength++;
            if (headLength < HEAD) {
                head[headLength++] = b;
            }
            if (b == '\n') {
                ended = true;
                break;
            }
            if (lastCr && bareLine == 0) {
                bareLine = lineNo;
            }
            lastCr = b == '\r';
        }
        int n = i - from;
        size += n;
        if (ended) {
            lineEnded();
        }
        if (size <= maxSize && longLine == 0 && bareLine == 0 && lineLength <= TEXT_LINE_LIMIT) {
            in.getBytes(from, out, n);
        }
        in.readerIndex(i);
    }

    private void lineEnded() {
        boolean endedCrlf = lastCr;
        if (!endedCrlf && bareLine == 0) {
            bareLine = lineNo;
        }
        if (lineLength > TEXT_LINE_LIMIT && longLine == 0) {
            longLine = lineNo;
            longLineLength = lineLength;
        }
        if (headers) {
            if (lineLength <= 2 && (head[0] == '\r' || head[0] == '\n')) {
                headers = false;
            } else if (isReceived(head, headLength)) {
                received++;
            }
        }
        previousEndedCrlf = endedCrlf;
        atLineStart = true;
    }

    /** A "Received:" field name, in any case, with optional white space before the colon. */
    private static boolean isReceived(byte[] head, int length) {
        String s = new String(head, 0, length, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        if (!s.startsWith("received")) {
            return false;
        }
        for (int i = "received".length(); i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ':') {
                return true;
            }
            if (c != ' ' && c != '\t') {
                return false;
            }
        }
        return false;
    }
}
