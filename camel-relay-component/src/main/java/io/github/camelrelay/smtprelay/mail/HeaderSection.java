package io.github.camelrelay.smtprelay.mail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The header fields of an RFC 5322 message, read up to the blank line that ends them, unfolded. Written here rather
 * than using Jakarta Mail's InternetHeaders because every InternetHeaders construction runs a ServiceLoader scan of
 * the class path (StreamProvider.provider()), which took a third of the relay server's CPU in a profile. Immutable.
 */
public final class HeaderSection {

    /** Header sections larger than this are not a message a relay should read further into. */
    public static final int MAX_BYTES = 1024 * 1024;

    private final Map<String, List<String>> fields;

    private HeaderSection(Map<String, List<String>> fields) {
        this.fields = fields;
    }

    /**
     * Reads header fields from the start of {@code in} until an empty line or the end; stops at the first line that
     * is not a header field or a continuation of one (a message without headers gives an empty section).
     *
     * @throws IllegalArgumentException when the header section is longer than {@link #MAX_BYTES}
     */
    public static HeaderSection read(InputStream in) throws IOException {
        // in chunks into plain arrays: the relay reads a header section several times per message, and the
        // synchronized byte-at-a-time reads of BufferedInputStream and ByteArrayOutputStream showed in its profile
        byte[] chunk = new byte[8192];
        int pos = 0;
        int limit = 0;
        byte[] line = new byte[256];
        Map<String, List<String>> fields = new LinkedHashMap<>();
        String name = null;
        StringBuilder value = new StringBuilder();
        int total = 0;
        while (true) {
            int length = 0;
            int b = -1;
            while (true) {
                if (pos == limit) {
                    limit = in.read(chunk, 0, chunk.length);
                    pos = 0;
                    if (limit <= 0) {
                        limit = 0;
                        b = -1;
                        break;
                    }
                }
                b = chunk[pos++] & 0xff;
                if (b == '\n') {
                    break;
                }
                if (++total > MAX_BYTES) {
                    throw new IllegalArgumentException("Expected a header section of at most " + MAX_BYTES
                                                       + " octets but found more");
                }
                if (length == line.length) {
                    line = java.util.Arrays.copyOf(line, length * 2);
                }
                line[length++] = (byte) b;
            }
            if (length > 0 && line[length - 1] == '\r') {
                length--;
            }
            String text = new String(line, 0, length, StandardCharsets.UTF_8);
            boolean continuation = !text.isEmpty() && (text.charAt(0) == ' ' || text.charAt(0) == '\t');
            if (continuation && name != null) {
                value.append(text);
            } else {
                if (name != null) {
                    fields.computeIfAbsent(name, k -> new ArrayList<>()).add(value.toString().strip());
                    name = null;
                }
                int colon = text.indexOf(':');
                if (text.isEmpty() || colon <= 0 || !isFieldName(text, colon)) {
                    break;
                }
                name = text.substring(0, colon).toLowerCase(Locale.ROOT);
                value.setLength(0);
                value.append(text, colon + 1, text.length());
            }
            if (b < 0) {
                if (name != null) {
                    fields.computeIfAbsent(name, k -> new ArrayList<>()).add(value.toString().strip());
                }
                break;
            }
        }
        return new HeaderSection(fields);
    }

    /** RFC 5322 2.2: a field name is printable US-ASCII except the colon (a loop: a regex here cost a compile per line). */
    private static boolean isFieldName(String text, int end) {
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            if (c < '!' || c > '~' || c == ':') {
                return false;
            }
        }
        return true;
    }

    public boolean isEmpty() {
        return fields.isEmpty();
    }

    public boolean has(String name) {
        return fields.containsKey(name.toLowerCase(Locale.ROOT));
    }

    /** Every value of the field joined with {@code delimiter}, or null when the message has no such field. */
    public String get(String name, String delimiter) {
        List<String> values = fields.get(name.toLowerCase(Locale.ROOT));
        return values == null ? null : String.join(delimiter, values);
    }
}
