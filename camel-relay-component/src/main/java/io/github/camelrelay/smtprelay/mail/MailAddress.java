package io.github.camelrelay.smtprelay.mail;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An envelope mail address {@code local-part@domain} (RFC 5321 section 4.1.2), or the null reverse-path
 * {@code <>} used by bounces. The local part is kept as written (it is case sensitive); the domain is canonical.
 */
public final class MailAddress {

    /** The null reverse-path: MAIL FROM:&lt;&gt;. */
    public static final MailAddress NULL_SENDER = new MailAddress("", null);

    // dot-atom or quoted-string (RFC 5321 4.1.2), with UTF-8 beyond ASCII (RFC 6531 3.3; no C1 controls); control
    // characters are never allowed
    private static final Pattern DOT_ATOM = Pattern.compile(
            "[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\x{A0}-\\x{10FFFF}-]+(?:\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\x{A0}-\\x{10FFFF}-]+)*");
    private static final Pattern QUOTED = Pattern.compile("\"(?:[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\[\\x20-\\x7e])*\"");

    private final String localPart;
    private final Domain domain;

    private MailAddress(String localPart, Domain domain) {
        this.localPart = localPart;
        this.domain = domain;
    }

    /**
     * Parses {@code user@example.com}, optionally in angle brackets; an empty text or {@code <>} is
     * {@link #NULL_SENDER} only when {@code allowNull} is set.
     *
     * @throws IllegalArgumentException with what was expected and what was found
     */
    public static MailAddress of(String text, boolean allowNull) {
        if (text == null) {
            throw new IllegalArgumentException("Expected a mail address but found null");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException("Expected a mail address without control characters (CR, LF) but found '"
                                                   + Domain.printable(text) + "'");
            }
        }
        String s = text.strip();
        if (s.startsWith("<") && s.endsWith(">")) {
            s = s.substring(1, s.length() - 1);
        }
        if (s.isEmpty()) {
            if (allowNull) {
                return NULL_SENDER;
            }
            throw new IllegalArgumentException("Expected a mail address but found an empty one");
        }
        if (s.length() > 254) {
            throw new IllegalArgumentException("Expected a mail address of at most 254 characters but found " + s.length());
        }
        int at = s.lastIndexOf('@');
        if (at <= 0 || at == s.length() - 1) {
            throw new IllegalArgumentException("Expected a mail address like user@example.com but found '" + s + "'");
        }
        String local = s.substring(0, at);
        if (local.length() > 64) {
            throw new IllegalArgumentException("Expected a local part of at most 64 characters but found " + local.length()
                                               + " in '" + s + "'");
        }
        if (!DOT_ATOM.matcher(local).matches() && !QUOTED.matcher(local).matches()) {
            throw new IllegalArgumentException("Expected a local part that is a dot-atom or a quoted string but found '" + s + "'");
        }
        Domain domain;
        try {
            domain = Domain.of(s.substring(at + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid mail address '" + s + "': " + e.getMessage(), e);
        }
        return new MailAddress(local, domain);
    }

    /**
     * Splits a comma separated list of addresses, leaving commas inside a quoted local part (and after a backslash in
     * it) alone, so {@code "a,b"@example.com} stays one address. Blank entries are skipped; each entry is trimmed of spaces
     * and tabs but not parsed.
     */
    public static List<String> splitList(String text) {
        List<String> list = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted && c == '\\' && i + 1 < text.length()) {
                current.append(c).append(text.charAt(++i));
                continue;
            }
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                add(list, current);
                continue;
            }
            current.append(c);
        }
        add(list, current);
        return list;
    }

    private static void add(List<String> list, StringBuilder entry) {
        // only spaces and tabs are trimmed: a CR or LF stays, for of() to refuse
        int start = 0;
        int end = entry.length();
        while (start < end && (entry.charAt(start) == ' ' || entry.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (entry.charAt(end - 1) == ' ' || entry.charAt(end - 1) == '\t')) {
            end--;
        }
        if (end > start) {
            list.add(entry.substring(start, end));
        }
        entry.setLength(0);
    }

    /** Parses a recipient address; the null address is refused. */
    public static MailAddress of(String text) {
        return of(text, false);
    }

    /** Whether the address is ASCII; one that is not can be sent only with SMTPUTF8 (RFC 6531). */
    public boolean isAscii() {
        return localPart.chars().allMatch(c -> c < 0x80);
    }

    public boolean isNullSender() {
        return domain == null;
    }

    public String localPart() {
        return localPart;
    }

    /** The domain, or null for the null sender. */
    public Domain domain() {
        return domain;
    }

    /** The address as it goes between angle brackets in MAIL FROM and RCPT TO. */
    public String address() {
        return isNullSender() ? "" : localPart + "@" + domain.name();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MailAddress m && m.address().equals(address());
    }

    @Override
    public int hashCode() {
        return address().hashCode();
    }

    @Override
    public String toString() {
        return address();
    }
}
