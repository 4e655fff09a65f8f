package io.github.camelrelay.smtprelay.internal.server;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

import io.github.camelrelay.smtprelay.mail.Domain;

/**
 * The domains this server is the final hop for, in canonical form ({@link Domain#of}), so {@code Example.COM.} and
 * {@code example.com} are the same domain and nothing else is.
 */
public final class LocalDomains {

    private final Set<Domain> domains;
    private final Optional<Domain> first;

    private LocalDomains(Set<Domain> domains) {
        this.domains = Set.copyOf(domains);
        this.first = domains.stream().findFirst();
    }

    /**
     * Parses a comma separated list; null or blank means none.
     *
     * @throws IllegalArgumentException naming the entry that is not a domain or address literal
     */
    public static LocalDomains parse(String commaList) {
        Set<Domain> set = new LinkedHashSet<>();
        if (commaList != null) {
            for (String entry : commaList.split(",")) {
                if (!entry.isBlank()) {
                    set.add(Domain.of(entry.strip()));
                }
            }
        }
        return new LocalDomains(set);
    }

    public boolean contains(Domain domain) {
        return domain != null && domains.contains(domain);
    }

    /** The first domain listed, which receives mail for the bare {@code <postmaster>} address. */
    public Optional<Domain> first() {
        return first;
    }

    public boolean isEmpty() {
        return domains.isEmpty();
    }

    @Override
    public String toString() {
        return domains.toString();
    }
}
