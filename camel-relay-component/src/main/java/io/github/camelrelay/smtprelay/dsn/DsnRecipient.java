package io.github.camelrelay.smtprelay.dsn;

import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What one recipient's RCPT TO asked for (RFC 3461 sections 4.1 and 4.2).
 *
 * @param conditions the NOTIFY conditions; empty when the client gave none, which means FAILURE and DELAY (section 4.1)
 * @param orcpt  the ORCPT value decoded, {@code addr-type;address} such as {@code rfc822;bob@example.net}, or null
 */
public record DsnRecipient(Set<Notify> conditions, String orcpt) {

    /** The request of a recipient that gave no parameters. */
    public static final DsnRecipient NONE = new DsnRecipient(Set.of(), null);

    // addr-type is an atom (RFC 3461 4.2)
    private static final Pattern ADDR_TYPE = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+");

    public DsnRecipient {
        conditions = conditions.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(conditions));
        if (orcpt != null) {
            checkOrcpt(orcpt);
        }
    }

    /**
     * The ORCPT parameter's value as sent ({@code addr-type;xtext}), decoded.
     *
     * @throws IllegalArgumentException when it is not {@code addr-type;xtext} or decodes to control characters
     */
    public static String parseOrcpt(String value) {
        int semi = value.indexOf(';');
        if (semi <= 0) {
            throw new IllegalArgumentException("Expected ORCPT=addr-type;xtext such as rfc822;bob@example.net but found '"
                                               + value + "'");
        }
        String decoded = value.substring(0, semi + 1) + Xtext.decode(value.substring(semi + 1));
        checkOrcpt(decoded);
        return decoded;
    }

    private static void checkOrcpt(String decoded) {
        int semi = decoded.indexOf(';');
        if (semi <= 0 || !ADDR_TYPE.matcher(decoded.substring(0, semi)).matches() || decoded.length() > 500) {
            throw new IllegalArgumentException("Expected ORCPT as addr-type;address of at most 500 characters but found '"
                                               + decoded + "'");
        }
        for (int i = 0; i < decoded.length(); i++) {
            char c = decoded.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException("Expected an ORCPT address without control characters but found one at " + i);
            }
        }
    }

    /** Whether the sender wants a notification in this case; with no NOTIFY, on failure and delay (RFC 3461 4.1). */
    public boolean wants(Notify condition) {
        if (conditions.isEmpty()) {
            return condition == Notify.FAILURE || condition == Notify.DELAY;
        }
        return conditions.contains(condition);
    }

    /** Whether NOTIFY was given. */
    public boolean notifyGiven() {
        return !conditions.isEmpty();
    }

    /** The RCPT TO parameters that pass this request on, each after a space; empty when there are none. */
    public String parameters() {
        StringBuilder sb = new StringBuilder();
        if (!conditions.isEmpty()) {
            sb.append(" NOTIFY=").append(Notify.format(EnumSet.copyOf(conditions)));
        }
        if (orcpt != null) {
            int semi = orcpt.indexOf(';');
            sb.append(" ORCPT=").append(orcpt, 0, semi + 1).append(Xtext.encode(orcpt.substring(semi + 1)));
        }
        return sb.toString();
    }
}
