package io.github.camelrelay.smtprelay.relay;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import io.github.camelrelay.smtprelay.mail.MailAddress;
import org.apache.camel.util.json.DeserializationException;
import org.apache.camel.util.json.JsonArray;
import org.apache.camel.util.json.Jsoner;

/**
 * The envelope recipients as the relay queue carries them in the {@code SmtpRelayRecipients} String property: a JSON
 * array of strings, which holds any address unambiguously (a comma or quote in a quoted local part, UTF-8). Entries
 * written before this format, a comma separated list, are still read, commas inside quotes kept. An address never
 * starts with '[', so the two cannot be confused. Public for tools that read the queue (the starter's mail queue view).
 */
public final class QueueRecipients {

    private QueueRecipients() {
    }

    /** The recipients as the queue property's JSON array. */
    public static String encode(Collection<?> recipients) {
        StringBuilder plain = new StringBuilder("[");
        for (Object r : recipients) {
            String text = String.valueOf(r);
            if (!isPlain(text)) {
                plain = null;
                break;
            }
            plain.append(plain.length() == 1 ? "\"" : ",\"").append(text).append('"');
        }
        if (plain != null) {
            // what Jsoner writes for strings that need no escape, without its generic serializer on every message
            return plain.append(']').toString();
        }
        JsonArray array = new JsonArray();
        for (Object r : recipients) {
            array.add(String.valueOf(r));
        }
        return Jsoner.serialize(array);
    }

    /**
     * The addresses of a queue property in either format.
     *
     * @throws IllegalArgumentException when it starts like JSON but is not an array of strings
     */
    public static List<String> decode(String value) {
        String s = value.strip();
        if (!s.startsWith("[")) {
            return MailAddress.splitList(s);
        }
        List<String> plain = plainArray(s);
        if (plain != null) {
            return plain;
        }
        Object parsed;
        try {
            parsed = Jsoner.deserialize(s);
        } catch (DeserializationException e) {
            throw new IllegalArgumentException("Expected the recipients as a JSON array of strings but found '" + s + "': "
                                               + e.getMessage(), e);
        }
        if (!(parsed instanceof List<?> list)) {
            throw new IllegalArgumentException("Expected the recipients as a JSON array of strings but found '" + s + "'");
        }
        List<String> out = new ArrayList<>(list.size());
        for (Object o : list) {
            if (!(o instanceof String str)) {
                throw new IllegalArgumentException("Expected the recipients as a JSON array of strings but found the element "
                                                   + o + " in '" + s + "'");
            }
            out.add(str);
        }
        return out;
    }

    /** Printable ASCII that JSON and Jsoner write as it is: no quote, backslash or solidus (Jsoner escapes '/'). */
    private static boolean isPlain(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '/') {
                return false;
            }
        }
        return true;
    }

    /**
     * The array {@link #encode} writes for plain strings, split without a JSON parser: {@code ["a","b"]} with no
     * backslash, so no escape, and so no quote inside a string. Anything else (spaces, escapes, other values) is
     * null, for the parser.
     */
    private static List<String> plainArray(String s) {
        if (s.equals("[]")) {
            return new ArrayList<>(0);
        }
        if (s.length() < 4 || !s.startsWith("[\"") || !s.endsWith("\"]") || s.indexOf('\\') >= 0) {
            return null;
        }
        List<String> out = new ArrayList<>();
        int start = 2;
        while (true) {
            int end = s.indexOf('"', start);
            if (end < 0) {
                return null;
            }
            String element = s.substring(start, end);
            for (int i = 0; i < element.length(); i++) {
                if (element.charAt(i) < 0x20) {
                    return null;
                }
            }
            out.add(element);
            if (end == s.length() - 2) {
                return out;
            }
            if (!s.startsWith("\",\"", end)) {
                return null;
            }
            start = end + 3;
        }
    }
}
