package io.github.camelrelay.smtprelay.server;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.subethamail.smtp.RejectException;

/**
 * The connection's input as SubEthaSMTP sees it: one checked command line at a time. It also reads the message
 * after DATA and the answers to AUTH challenges itself.
 * <p>
 * SubEthaSMTP's reader allows 998 characters per command line (not RFC 5321's 512 octets), drops the connection
 * with 501 on a longer line or a bare CR or LF, and its DATA stream has no line limit and passes bare CR and LF
 * through. This stream sits below it and enforces the RFC instead: a command line over 512 octets (12288 for AUTH,
 * RFC 4954) or not ending in CRLF is answered 500 and skipped, and the session goes on. Because it hands out no more
 * than one line per read, SubEthaSMTP's buffer is empty whenever a command runs, so the bytes after a command stay
 * here: DATA reads the message from here, and after STARTTLS whatever plaintext the client pipelined is dropped
 * with this object (CVE-2011-0411).
 */
final class CommandInput extends InputStream {

    /** RFC 5321 4.5.3.1.4: a command line is at most 512 octets, CRLF included. */
    static final int COMMAND_LINE_LIMIT = 512;
    /** RFC 4954 4: an AUTH command line or response may have up to 12288 octets. */
    static final int AUTH_LINE_LIMIT = 12_288;
    /** RFC 5321 4.5.3.1.6: a text line is at most 1000 octets, CRLF included, not counting a stuffed dot. */
    static final int TEXT_LINE_LIMIT = 1000;
    /** A command line with no LF after this many octets is not a command: the connection is closed. */
    static final int DISCARD_LIMIT = 65_536;

    private static final int HEAD = 16;

    private final InputStream in;
    private final SessionState state;
    private final ReplyOutput replies;
    private final String hostName;
    private final byte[] buf = new byte[8192];
    private final ByteArrayOutputStream scratch = new ByteArrayOutputStream(128);
    private int pos;
    private int end;
    private byte[] line;
    private int linePos;
    private boolean closing;

    CommandInput(InputStream in, SessionState state, ReplyOutput replies, String hostName) {
        this.in = in;
        this.state = state;
        this.replies = replies;
        this.hostName = hostName;
    }

    /** Raw bytes received but not yet handed out: after STARTTLS, plaintext the client should not have sent. */
    int buffered() {
        return end - pos;
    }

    @Override
    public int read() throws IOException {
        if (!nextLineReady()) {
            return -1;
        }
        return line[linePos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!nextLineReady()) {
            return -1;
        }
        int n = Math.min(len, line.length - linePos);
        System.arraycopy(line, linePos, b, off, n);
        linePos += n;
        return n;
    }

    /** Only what is left of the current command line, so SubEthaSMTP's buffer never looks beyond it. */
    @Override
    public int available() {
        return line == null ? 0 : line.length - linePos;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private boolean nextLineReady() throws IOException {
        if (line != null && linePos < line.length) {
            return true;
        }
        line = nextCommandLine();
        linePos = 0;
        return line != null;
    }

    /** The next acceptable command line, CRLF included, or null to end the session. */
    private byte[] nextCommandLine() throws IOException {
        while (true) {
            if (closing) {
                return null;
            }
            if (state.tooManyErrors()) {
                closing = true;
                replies.reply("421 4.7.0 " + hostName + " Error: too many errors, closing connection");
                return null;
            }
            RawLine raw = readRawLine();
            if (raw == null) {
                return null;
            }
            if (raw.endless()) {
                closing = true;
                replies.reply("500 5.5.2 Line too long: expected a command line of at most " + COMMAND_LINE_LIMIT
                              + " octets but found no end of line after " + DISCARD_LIMIT);
                replies.reply("421 4.7.0 " + hostName + " closing connection");
                return null;
            }
            int limit = raw.auth() ? AUTH_LINE_LIMIT : COMMAND_LINE_LIMIT;
            if (raw.length() > limit) {
                replies.reply("500 5.5.2 Line too long: expected a command line of at most " + limit
                              + " octets including CRLF (RFC 5321 4.5.3.1.4) but found " + raw.length());
            } else if (raw.badEnding()) {
                replies.reply("500 5.5.2 Syntax error: expected a command line ending in CRLF but found a bare CR or LF");
            } else if (!raw.auth()) {
                return raw.bytes();
            } else {
                byte[] shown = withoutInitialResponse(raw.bytes());
                if (shown.length <= COMMAND_LINE_LIMIT) {
                    return shown;
                }
                // SubEthaSMTP would drop the connection on a line this long; only the initial response may be long
                replies.reply("500 5.5.2 Line too long: expected AUTH mechanism [initial-response] with a short"
                              + " mechanism name but found " + shown.length + " octets before the initial response");
            }
        }
    }

    /**
     * The answer to a 334 AUTH challenge, without its CRLF; null when the client closed the connection.
     *
     * @throws RejectException 500 for a line over 12288 octets, 501 for one not ending in CRLF
     */
    String readAuthResponse() throws IOException, RejectException {
        RawLine raw = readRawLine();
        if (raw == null) {
            return null;
        }
        if (raw.endless() || raw.length() > AUTH_LINE_LIMIT) {
            throw new RejectException(500, "5.5.2 Line too long: expected an AUTH response of at most " + AUTH_LINE_LIMIT
                                           + " octets including CRLF");
        }
        if (raw.badEnding()) {
            throw new RejectException(501, "5.5.2 Syntax error: expected an AUTH response ending in CRLF");
        }
        byte[] b = raw.bytes();
        return new String(b, 0, b.length - 2, StandardCharsets.ISO_8859_1);
    }

    /** Keeps the credentials of {@code AUTH PLAIN <initial-response>} out of the line SubEthaSMTP logs. */
    private byte[] withoutInitialResponse(byte[] bytes) {
        String text = new String(bytes, 0, bytes.length - 2, StandardCharsets.ISO_8859_1);
        String[] parts = text.split(" ", 3);
        if (parts.length < 3) {
            state.stashAuthInitialResponse(null);
            return bytes;
        }
        state.stashAuthInitialResponse(parts[2].strip());
        return (parts[0] + " " + parts[1] + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * One line as it came: its bytes (all of them when it is within the AUTH limit), its length, whether it began
     * with AUTH, and whether it ended in anything but CRLF or held a CR elsewhere.
     */
    private record RawLine(byte[] bytes, long length, boolean auth, boolean badEnding, boolean endless) {
    }

    /** Reads through the next LF; null at the end of the stream (an unterminated last line is dropped). */
    private RawLine readRawLine() throws IOException {
        scratch.reset();
        long length = 0;
        while (true) {
            if (pos == end && !fill()) {
                return null;
            }
            byte b = buf[pos++];
            length++;
            if (length <= AUTH_LINE_LIMIT) {
                scratch.write(b);
            }
            if (b == '\n') {
                break;
            }
            if (length > DISCARD_LIMIT) {
                return new RawLine(null, length, false, false, true);
            }
        }
        byte[] bytes = length <= AUTH_LINE_LIMIT ? scratch.toByteArray() : null;
        boolean auth = bytes != null && bytes.length >= 5
                       && new String(bytes, 0, 5, StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT).equals("AUTH ");
        return new RawLine(bytes, length, auth, bytes != null && !endsWithCrlfOnly(bytes), false);
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

    /**
     * What {@link #readMessage} found in a message.
     *
     * @param size            octets of the message, dot-stuffing and the final dot removed
     * @param tooBig          more than the maximum size; the rest was not kept
     * @param longLine        the number of the first line over 1000 octets, 0 if none
     * @param longLineLength  its length
     * @param bareLineEnding  the number of the first line with a bare CR or LF, 0 if none
     * @param receivedHeaders Received header fields in the header section
     */
    record DataResult(long size, boolean tooBig, long longLine, long longLineLength, long bareLineEnding,
            int receivedHeaders) {

        boolean acceptable() {
            return !tooBig && longLine == 0 && bareLineEnding == 0;
        }
    }

    /**
     * Reads the message after the 354 reply up to {@code <CRLF>.<CRLF>}, removing dot-stuffing, into {@code out}. Only
     * a line of exactly "." after a line that ended in CRLF ends it: a bare LF or CR never does, so {@code <LF>.<LF>},
     * {@code <LF>.<CR><LF>} and {@code <CR>.<CR>} are message content, and the message is marked so it can be refused
     * (SMTP smuggling). Once the message is known to be refused, nothing more is written to {@code out}, but it is
     * still read to its end so the session stays in step.
     *
     * @throws EOFException when the client closed the connection before the end of the data
     */
    DataResult readMessage(OutputStream out, long maxSize) throws IOException {
        if (line != null && linePos < line.length) {
            throw new IllegalStateException("DATA started with part of a command line still unread");
        }
        long size = 0;
        long lineNo = 0;
        long longLine = 0;
        long longLineLength = 0;
        long bareLine = 0;
        int received = 0;
        boolean headers = true;
        boolean previousEndedCrlf = true;
        byte[] head = new byte[HEAD];
        while (true) {
            int available = ensure(3);
            if (available == 0) {
                throw new EOFException("The client closed the connection before the end of the message data");
            }
            if (buf[pos] == '.') {
                if (previousEndedCrlf && available >= 3 && buf[pos + 1] == '\r' && buf[pos + 2] == '\n') {
                    pos += 3;
                    return new DataResult(size, size > maxSize, longLine, longLineLength, bareLine, received);
                }
                // RFC 5321 4.5.2: the leading dot of any other line was added by the client; take it off
                pos++;
            }
            lineNo++;
            long lineLength = 0;
            int headLength = 0;
            boolean lastCr = false;
            boolean endedCrlf = false;
            int segment = pos;
            while (true) {
                if (pos == end) {
                    size += pos - segment;
                    boolean keep = size <= maxSize && longLine == 0 && bareLine == 0 && lineLength <= TEXT_LINE_LIMIT;
                    if (keep) {
                        out.write(buf, segment, pos - segment);
                    }
                    if (!fill()) {
                        throw new EOFException("The client closed the connection before the end of the message data");
                    }
                    segment = pos;
                }
                byte b = buf[pos++];
                lineLength++;
                if (headLength < HEAD) {
                    head[headLength++] = b;
                }
                if (b == '\n') {
                    endedCrlf = lastCr;
                    break;
                }
                if (lastCr && bareLine == 0) {
                    bareLine = lineNo;
                }
                lastCr = b == '\r';
            }
            if (!endedCrlf && bareLine == 0) {
                bareLine = lineNo;
            }
            if (lineLength > TEXT_LINE_LIMIT && longLine == 0) {
                longLine = lineNo;
                longLineLength = lineLength;
            }
            size += pos - segment;
            if (size <= maxSize && longLine == 0 && bareLine == 0) {
                out.write(buf, segment, pos - segment);
            }
            if (headers) {
                if (lineLength <= 2 && (head[0] == '\r' || head[0] == '\n')) {
                    headers = false;
                } else if (isReceived(head, headLength)) {
                    received++;
                }
            }
            previousEndedCrlf = endedCrlf;
        }
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

    /** Makes at least n bytes available unless the stream ends first; returns how many are. */
    private int ensure(int n) throws IOException {
        if (end - pos >= n) {
            return end - pos;
        }
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, end - pos);
            end -= pos;
            pos = 0;
        }
        while (end < n) {
            int r = in.read(buf, end, buf.length - end);
            if (r < 0) {
                break;
            }
            end += r;
        }
        return end - pos;
    }

    /** Refills the empty buffer; false at the end of the stream. */
    private boolean fill() throws IOException {
        pos = 0;
        end = 0;
        int r;
        do {
            r = in.read(buf, 0, buf.length);
        } while (r == 0);
        if (r < 0) {
            return false;
        }
        end = r;
        return true;
    }
}
