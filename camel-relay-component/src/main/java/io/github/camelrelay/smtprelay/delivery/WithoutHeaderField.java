package io.github.camelrelay.smtprelay.delivery;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A message with every occurrence of one header field (with its folded lines) left out of the bytes sent, as Jakarta
 * Mail's SMTP transport leaves out {@code Bcc}: the ranges to skip are found once in the header section, and every
 * read streams the message past them, so the body is never copied.
 */
final class WithoutHeaderField implements MessageContent {

    private final MessageContent content;
    private final List<long[]> skipped;
    private final long dropped;

    private WithoutHeaderField(MessageContent content, List<long[]> skipped) {
        this.content = content;
        this.skipped = skipped;
        this.dropped = skipped.stream().mapToLong(r -> r[1] - r[0]).sum();
    }

    /** The content without the field, or the content itself when it has none. */
    static MessageContent of(MessageContent content, String fieldName) throws IOException {
        List<long[]> ranges = find(content, fieldName.toLowerCase(Locale.ROOT));
        return ranges.isEmpty() ? content : new WithoutHeaderField(content, ranges);
    }

    /** [start, end) of each occurrence in the header section, its continuation lines included. */
    private static List<long[]> find(MessageContent content, String name) throws IOException {
        List<long[]> ranges = new ArrayList<>();
        try (InputStream in = new BufferedInputStream(content.open())) {
            long offset = 0;
            long[] current = null;
            StringBuilder head = new StringBuilder();
            while (true) {
                long start = offset;
                head.setLength(0);
                int b;
                int length = 0;
                while ((b = in.read()) >= 0) {
                    offset++;
                    length++;
                    if (head.length() < name.length() + 8) {
                        head.append((char) b);
                    }
                    if (b == '\n') {
                        break;
                    }
                }
                if (length == 0) {
                    break;
                }
                String line = head.toString();
                boolean continuation = line.charAt(0) == ' ' || line.charAt(0) == '\t';
                if (current != null && continuation) {
                    current[1] = offset;
                } else {
                    current = null;
                    if (line.equals("\r\n") || line.equals("\n")) {
                        break;
                    }
                    if (isField(line, name)) {
                        current = new long[] {start, offset};
                        ranges.add(current);
                    }
                }
                if (b < 0) {
                    break;
                }
            }
        }
        return ranges;
    }

    /** The line starts with the field name, in any case, and a colon (white space before it allowed). */
    private static boolean isField(CharSequence head, String name) {
        String s = head.toString().toLowerCase(Locale.ROOT);
        if (!s.startsWith(name)) {
            return false;
        }
        for (int i = name.length(); i < s.length(); i++) {
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

    @Override
    public long size() {
        long size = content.size();
        return size < 0 ? -1 : size - dropped;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        try (InputStream in = open()) {
            in.transferTo(out);
        }
    }

    @Override
    public InputStream open() throws IOException {
        return new FilterInputStream(content.open()) {
            private long position;
            private int next;

            /** Skips what starts here, so the next byte read is one that is sent. */
            private void skipRanges() throws IOException {
                while (next < skipped.size() && position >= skipped.get(next)[0]) {
                    long end = skipped.get(next)[1];
                    while (position < end) {
                        long n = in.skip(end - position);
                        if (n <= 0) {
                            if (in.read() < 0) {
                                return;
                            }
                            n = 1;
                        }
                        position += n;
                    }
                    next++;
                }
            }

            @Override
            public int read() throws IOException {
                skipRanges();
                int b = in.read();
                if (b >= 0) {
                    position++;
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                skipRanges();
                int max = len;
                if (next < skipped.size()) {
                    max = (int) Math.min(len, skipped.get(next)[0] - position);
                }
                int n = in.read(b, off, Math.max(1, max));
                if (n > 0) {
                    position += n;
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                long done = 0;
                while (done < n && read() >= 0) {
                    done++;
                }
                return done;
            }

            @Override
            public boolean markSupported() {
                return false;
            }

            @Override
            public int available() {
                return 0;
            }
        };
    }
}
