package io.github.camelrelay.smtprelay.mail;

import java.util.Locale;
import java.util.regex.Pattern;

import com.ibm.icu.text.IDNA;

/**
 * A mail domain in canonical form: lower case, A-labels (punycode) for internationalised names, no trailing
 * dot. Internationalised names are converted as IDNA2008 with UTS #46 non-transitional processing (ICU4J), as
 * browsers and current mail software do, so {@code faß.de} is {@code xn--fa-hia.de}; the JDK's {@code java.net.IDN}
 * is IDNA2003, which maps it to {@code fass.de}, another domain. An address literal such as {@code [192.0.2.1]} is kept as written and reported by {@link #isLiteral()}.
 */
public final class Domain {

    private static final Pattern LABEL = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");
    // an IPv4 literal is four numbers from 0 to 255 of 1 to 3 digits (RFC 5321 Snum, so 002 is 2): anything looser
    // ([1.2.3], [999.1.1.1]) the JDK reads as another address or as a host name to look up
    private static final String OCTET = "(?:25[0-5]|2[0-4][0-9]|[01]?[0-9]?[0-9])";
    private static final Pattern LITERAL = Pattern.compile("\\[(?:IPv6:[0-9a-fA-F:.]+|" + OCTET + "(?:\\." + OCTET + "){3})]");

    private static final IDNA UTS46 = IDNA.getUTS46Instance(IDNA.NONTRANSITIONAL_TO_ASCII | IDNA.NONTRANSITIONAL_TO_UNICODE
                                                             | IDNA.CHECK_BIDI | IDNA.CHECK_CONTEXTJ | IDNA.USE_STD3_RULES);

    private final String name;

    private Domain(String name) {
        this.name = name;
    }

    /**
     * @throws IllegalArgumentException when the text is not a host name or address literal
     */
    public static Domain of(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("Expected a domain name but found an empty value");
        }
        if (text.startsWith("[")) {
            if (!LITERAL.matcher(text).matches()) {
                throw new IllegalArgumentException("Expected an address literal like [192.0.2.1] but found '" + printable(text) + "'");
            }
            return new Domain(text);
        }
        String trimmed = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
        String ascii = toAscii(trimmed, text);
        if (ascii.isEmpty() || ascii.length() > 253) {
            throw new IllegalArgumentException("Expected a domain name of 1 to 253 characters but found '" + printable(text) + "'");
        }
        for (String label : ascii.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException("Expected a domain name made of letters, digits and hyphens but found '"
                                                   + printable(text) + "'");
            }
        }
        return new Domain(ascii);
    }

    /**
     * Plain ASCII names without A-labels are only lower-cased (the label check below does the rest), so names UTS #46
     * would refuse for hyphens in the third and fourth place, which exist in the DNS, stay usable; anything else goes
     * through UTS #46, which also checks that A-labels decode.
     */
    private static String toAscii(String name, String original) {
        boolean plain = name.chars().allMatch(c -> c < 0x80);
        String lower = name.toLowerCase(Locale.ROOT);
        if (plain && !lower.startsWith("xn--") && !lower.contains(".xn--")) {
            return lower;
        }
        IDNA.Info info = new IDNA.Info();
        StringBuilder out = new StringBuilder();
        UTS46.nameToASCII(name, out, info);
        if (info.hasErrors()) {
            throw new IllegalArgumentException("Expected a domain name but found '" + printable(original)
                                               + "', which IDNA2008 (UTS #46) refuses: " + info.getErrors());
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }

    /** The canonical name, for example {@code example.com}. */
    public String name() {
        return name;
    }

    /** True for an address literal such as {@code [192.0.2.1]}, which is delivered to without an MX lookup. */
    public boolean isLiteral() {
        return name.startsWith("[");
    }

    /**
     * True for a name that can stand for a host on the Internet: at least two labels, the last not all digits (so not
     * an IPv4 address), and neither {@code localhost} nor {@code localdomain}, which many mail servers refuse in EHLO.
     */
    public boolean isFullyQualified() {
        if (isLiteral() || name.indexOf('.') < 0) {
            return false;
        }
        String first = name.substring(0, name.indexOf('.'));
        String last = name.substring(name.lastIndexOf('.') + 1);
        return !last.chars().allMatch(Character::isDigit) && !first.equals("localhost") && !last.equals("localhost")
               && !last.equals("localdomain");
    }

    /** The address inside a literal, without brackets or the {@code IPv6:} tag. */
    public String literalAddress() {
        if (!isLiteral()) {
            throw new IllegalStateException(name + " is not an address literal");
        }
        String inner = name.substring(1, name.length() - 1);
        return inner.regionMatches(true, 0, "IPv6:", 0, 5) ? inner.substring(5) : inner;
    }

    /** Makes control characters visible in error messages instead of letting them break a log line. */
    static String printable(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c < 0x20 || c == 0x7f) {
                sb.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Domain d && d.name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name;
    }
}
