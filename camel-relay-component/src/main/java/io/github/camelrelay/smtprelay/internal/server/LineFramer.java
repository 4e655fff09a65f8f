package io.github.camelrelay.smtprelay.internal.server;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

import io.netty.buffer.ByteBuf;

/**
 * Cuts command lines (and answers to AUTH challenges) out of the connection's input, one at a time, and never keeps
 * more than {@value #AUTH_LINE_LIMIT} octets of a line: the rest of a longer line is skipped as it arrives, only
 * counted, so the reply can say how long it was. Hand-written rather than Netty's {@code LineBasedFrameDecoder}
 * because that one takes a bare LF as a line end and its limit is one number, while SMTP needs the line's own length
 * checked against a limit that depends on its verb, and a bare CR or LF reported, not accepted.
 */
final class LineFramer {

    /** RFC 5321 4.5.3.1.4: a command line is at most 512 octets, CRLF included. */
    static final int COMMAND_LINE_LIMIT = 512;
    /** RFC 4954 4: an AUTH command line or response may have up to 12288 octets. */
    static final int AUTH_LINE_LIMIT = 12_288;
    /** A command line with no LF after this many octets is not a command: the connection is closed. */
    static final int DISCARD_LIMIT = 65_536;

    /**
     * One line as it came.
     *
     * @param bytes     the line with its line ending, or null when it was longer than {@link #AUTH_LINE_LIMIT}
     * @param length    its length in octets
     * @param auth      whether it starts with {@code AUTH }
     * @param badEnding whether it ended in a bare LF or holds a CR anywhere but before the LF
     * @param endless   no LF within {@link #DISCARD_LIMIT} octets: what came was dropped
     */
    record Line(byte[] bytes, long length, boolean auth, boolean badEnding, boolean endless) {

        /**
         * The line without its CRLF as UTF-8 text (RFC 6531: a UTF-8 address after SMTPUTF8). Octets that are not
         * UTF-8 become NUL, a control character that no address, parameter or name accepts, so a malformed line is
         * refused with its reason rather than taken for other characters.
         */
        String text() {
            int length = Math.max(0, bytes.length - 2);
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(bytes, 0, length)).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                char[] chars = new char[length];
                for (int i = 0; i < length; i++) {
                    chars[i] = bytes[i] < 0 ? '\0' : (char) bytes[i];
                }
                return new String(chars);
            }
        }
    }

    /** Octets of the current line skipped so far because it is too long to keep. */
    private long skipped;

    /** Octets of an unfinished line waiting in the input (its start is kept there until its end comes). */
    boolean partial(ByteBuf in) {
        return skipped > 0 || in.isReadable();
    }

    /** The next whole line from {@code in}, consuming it; null when its end has not arrived yet. */
    Line next(ByteBuf in) {
        int start = in.readerIndex();
        int lf = in.indexOf(start, in.writerIndex(), (byte) '\n');
        if (lf < 0) {
            int readable = in.readableBytes();
            if (skipped + readable > DISCARD_LIMIT) {
                long length = skipped + readable;
                in.skipBytes(readable);
                skipped = 0;
                return new Line(null, length, false, false, true);
            }
            if (skipped > 0 || readable > AUTH_LINE_LIMIT) {
                // too long to keep whatever it is: count it and let the buffer go
                skipped += readable;
                in.skipBytes(readable);
            }
            return null;
        }
        int n = lf - start + 1;
        long length = skipped + n;
        if (length > DISCARD_LIMIT) {
            in.skipBytes(n);
            skipped = 0;
            return new Line(null, length, false, false, true);
        }
        if (skipped > 0 || n > AUTH_LINE_LIMIT) {
            in.skipBytes(n);
            skipped = 0;
            return new Line(null, length, false, false, false);
        }
        byte[] bytes = new byte[n];
        in.readBytes(bytes);
        boolean auth = n >= 5 && new String(bytes, 0, 5, StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT).equals("AUTH ");
        return new Line(bytes, length, auth, !endsWithCrlfOnly(bytes), false);
    }

    private static boolean endsWithCrlfOnly(byte[] b) {
        int n = b.length;
        if (n < 2 || b[n - 2] != '\r') {
            return false;
        }
        for (int i = 0; i < n - 2; i++) {
            if (b[i] == '\r') {
                return false;
            }
        }
        return true;
    }
}
