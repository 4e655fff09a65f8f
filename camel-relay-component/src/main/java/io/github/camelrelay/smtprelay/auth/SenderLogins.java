package io.github.camelrelay.smtprelay.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.github.camelrelay.smtprelay.internal.server.Replies;
import io.github.camelrelay.smtprelay.mail.Domain;
import io.github.camelrelay.smtprelay.mail.MailAddress;

/**
 * The built-in sender login map of the {@code senderLogins} and {@code senderLoginsFile} options: which sender
 * addresses each authenticated user may use, as Postfix's {@code smtpd_sender_login_maps} with
 * {@code reject_sender_login_mismatch}, keyed by user instead of by address. An entry is
 * {@code user: address, address, @domain}: {@code @domain} allows every address at that domain (not its subdomains).
 * A user without an entry may use no address. Local parts are compared without regard to case (as Postfix's lookups
 * are), domains in canonical form ({@link Domain#of}); user names exactly, as the authenticator got them. Immutable.
 */
public final class SenderLogins {

    private final Map<String, Set<String>> addresses;
    private final Map<String, Set<Domain>> domains;

    private SenderLogins(Map<String, Set<String>> addresses, Map<String, Set<Domain>> domains) {
        this.addresses = copy(addresses);
        this.domains = copy(domains);
    }

    private static <T> Map<String, Set<T>> copy(Map<String, Set<T>> map) {
        Map<String, Set<T>> out = new HashMap<>();
        map.forEach((user, set) -> out.put(user, Set.copyOf(set)));
        return Map.copyOf(out);
    }

    /**
     * Parses entries separated by semicolons or line breaks, each {@code user: address, @domain, ...}; a user may
     * have several entries, which add up. Blank entries and lines starting with # are skipped; null gives an empty map.
     *
     * @throws IllegalArgumentException naming the entry that is not {@code user: addresses} or the address that is
     *                                  neither {@code user@domain} nor {@code @domain}
     */
    public static SenderLogins parse(String text) {
        Map<String, Set<String>> addresses = new HashMap<>();
        Map<String, Set<Domain>> domains = new HashMap<>();
        if (text != null) {
            for (String line : text.split("\r?\n")) {
                if (line.strip().startsWith("#")) {
                    continue;
                }
                for (String entry : line.split(";")) {
                    if (!entry.isBlank()) {
                        add(entry.strip(), addresses, domains);
                    }
                }
            }
        }
        return new SenderLogins(addresses, domains);
    }

    private static void add(String entry, Map<String, Set<String>> addresses, Map<String, Set<Domain>> domains) {
        int colon = entry.indexOf(':');
        String user = colon < 0 ? "" : entry.substring(0, colon).strip();
        if (user.isEmpty()) {
            throw new IllegalArgumentException("Expected sender login entries as user: address, @domain but found '"
                                               + Replies.printable(entry) + "'");
        }
        boolean any = false;
        for (String item : MailAddress.splitList(entry.substring(colon + 1))) {
            String a = item.strip();
            any = true;
            try {
                if (a.startsWith("@")) {
                    domains.computeIfAbsent(user, u -> new HashSet<>()).add(Domain.of(a.substring(1)));
                } else {
                    addresses.computeIfAbsent(user, u -> new HashSet<>()).add(key(MailAddress.of(a)));
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("User '" + Replies.printable(user) + "': expected a sender as user@domain or"
                                                   + " @domain but found '" + Replies.printable(a) + "': " + e.getMessage(), e);
            }
        }
        if (!any) {
            throw new IllegalArgumentException("User '" + Replies.printable(user) + "': expected at least one sender address"
                                               + " or @domain after the colon but found none");
        }
    }

    /**
     * Reads a file of entries (UTF-8), as {@link #parse} does.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read or holds a wrong entry
     */
    public static SenderLogins load(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read the sender logins file " + file + ": " + e, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("In the sender logins file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The entries of both maps: a user may use what either allows. */
    public SenderLogins plus(SenderLogins other) {
        Map<String, Set<String>> a = new HashMap<>();
        Map<String, Set<Domain>> d = new HashMap<>();
        for (SenderLogins s : new SenderLogins[] {this, other}) {
            s.addresses.forEach((user, set) -> a.computeIfAbsent(user, u -> new HashSet<>()).addAll(set));
            s.domains.forEach((user, set) -> d.computeIfAbsent(user, u -> new HashSet<>()).addAll(set));
        }
        return new SenderLogins(a, d);
    }

    /** Whether {@code user} may send as {@code address}; never for the null sender, which has no owner. */
    public boolean mayUse(String user, MailAddress address) {
        if (user == null || address.isNullSender()) {
            return false;
        }
        return domains.getOrDefault(user, Set.of()).contains(address.domain())
               || addresses.getOrDefault(user, Set.of()).contains(key(address));
    }

    public boolean isEmpty() {
        return addresses.isEmpty() && domains.isEmpty();
    }

    private static String key(MailAddress a) {
        return a.localPart().toLowerCase(Locale.ROOT) + "@" + a.domain().name();
    }

    @Override
    public String toString() {
        Set<String> users = new HashSet<>(addresses.keySet());
        users.addAll(domains.keySet());
        return "SenderLogins" + users;
    }
}
