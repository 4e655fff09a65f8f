package io.github.camelrelay.smtprelay.dsn;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * RFC 3461 section 4 xtext: printable ASCII except {@code +} and {@code =}, which, like any other octet, are written
 * as {@code +} and two upper case hex digits. Written here because neither Angus Mail nor mime4j exposes it.
 */
public final class Xtext {

    private Xtext() {
    }

    /**
     * The text an xtext stands for (its octets read as UTF-8).
     *
     * @throws IllegalArgumentException when it is not xtext, saying where
     */
    public static String decode(String xtext) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(xtext.length());
        for (int i = 0; i < xtext.length(); i++) {
            char c = xtext.charAt(i);
            if (c == '+') {
                if (i + 2 >= xtext.length()) {
                    throw new IllegalArgumentException("Expected two upper case hex digits after '+' at " + i + " but found the end");
                }
                int hi = hex(xtext.charAt(i + 1));
                int lo = hex(xtext.charAt(i + 2));
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("Expected two upper case hex digits after '+' at " + i + " but found '"
                                                       + xtext.substring(i + 1, i + 3) + "'");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if (c >= '!' && c <= '~' && c != '=') {
                out.write(c);
            } else {
                throw new IllegalArgumentException("Expected xtext (printable ASCII, '+XX' for others) but found "
                                                   + (c >= '!' && c <= '~' ? "'" + c + "'" : String.format("U+%04X", (int) c))
                                                   + " at " + i);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The xtext of a text (its UTF-8 octets). */
    public static String encode(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= '!' && c <= '~' && c != '+' && c != '=') {
                sb.append((char) c);
            } else {
                sb.append('+').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }
}
