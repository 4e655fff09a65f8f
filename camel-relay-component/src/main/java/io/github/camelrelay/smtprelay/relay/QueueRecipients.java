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
}
