package io.github.camelrelay.smtprelay.recipient;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.github.camelrelay.smtprelay.mail.Domain;
import io.github.camelrelay.smtprelay.mail.MailAddress;

/**
 * A fixed list of valid recipients: {@code user@domain} entries, and {@code @domain} for a catch-all that accepts
 * every local part at that domain. A local domain with neither has every recipient refused. Local parts are compared
 * without regard to case (as Postfix's local recipient tables are), domains in canonical form ({@link Domain#of}).
 */
public final class RecipientList implements RecipientValidator {

    private final Set<String> addresses;
    private final Set<Domain> catchAll;

    private RecipientList(Set<String> addresses, Set<Domain> catchAll) {
        this.addresses = Set.copyOf(addresses);
        this.catchAll = Set.copyOf(catchAll);
    }

    /**
     * Parses entries separated by commas or line breaks; blank entries and lines starting with # are skipped.
     *
     * @throws IllegalArgumentException naming the entry that is neither an address nor {@code @domain}
     */
    public static RecipientList parse(String text) {
        Set<String> addresses = new HashSet<>();
        Set<Domain> catchAll = new HashSet<>();
        if (text != null) {
            for (String line : text.split("\r?\n")) {
                if (line.strip().startsWith("#")) {
                    continue;
                }
                for (String entry : line.split(",")) {
                    String e = entry.strip();
                    if (e.isEmpty()) {
                        continue;
                    }
                    try {
                        if (e.startsWith("@")) {
                            catchAll.add(Domain.of(e.substring(1)));
                        } else {
                            addresses.add(key(MailAddress.of(e)));
                        }
                    } catch (IllegalArgumentException ex) {
                        throw new IllegalArgumentException("Expected a valid recipient as user@domain or @domain but found '"
                                                           + e + "': " + ex.getMessage(), ex);
                    }
                }
            }
        }
        return new RecipientList(addresses, catchAll);
    }

    /**
     * Reads a file of entries (UTF-8), one or more a line, as {@link #parse} does.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read or holds a wrong entry
     */
    public static RecipientList load(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read the valid recipients file " + file + ": " + e, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("In the valid recipients file " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean isValid(MailAddress recipient) {
        return catchAll.contains(recipient.domain()) || addresses.contains(key(recipient));
    }

    public boolean isEmpty() {
        return addresses.isEmpty() && catchAll.isEmpty();
    }

    private static String key(MailAddress a) {
        return a.localPart().toLowerCase(Locale.ROOT) + "@" + a.domain().name();
    }

    @Override
    public String toString() {
        List<String> all = new ArrayList<>(addresses);
        catchAll.forEach(d -> all.add("@" + d.name()));
        return "RecipientList" + all;
    }
}
