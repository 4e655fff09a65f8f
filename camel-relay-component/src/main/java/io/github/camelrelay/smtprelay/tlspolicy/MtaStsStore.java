package io.github.camelrelay.smtprelay.tlspolicy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where fetched MTA-STS policies are kept for their max_age, so a restart does not forget them (RFC 8461 section
 * 10.2: a policy an attacker cannot remove by blocking the next fetch is the point of caching it). Thread-safe.
 */
public interface MtaStsStore {

    /** The policy kept for the domain (its canonical name), or null. */
    MtaStsPolicy get(String domain);

    void put(String domain, MtaStsPolicy policy);

    /** In memory only: forgotten at restart. */
    static MtaStsStore inMemory() {
        Map<String, MtaStsPolicy> map = new ConcurrentHashMap<>();
        return new MtaStsStore() {
            @Override
            public MtaStsPolicy get(String domain) {
                return map.get(domain);
            }

            @Override
            public void put(String domain, MtaStsPolicy policy) {
                map.put(domain, policy);
            }
        };
    }

    /**
     * One file per domain in a directory (created when missing), written whole and moved into place, so several
     * instances may share the directory and a reader never sees half a file. A file that cannot be read counts as no
     * policy: the next delivery fetches it again.
     */
    static MtaStsStore directory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the MTA-STS policy directory " + dir, e);
        }
        Map<String, MtaStsPolicy> cache = new ConcurrentHashMap<>();
        return new MtaStsStore() {
            @Override
            public MtaStsPolicy get(String domain) {
                Path file = dir.resolve(domain + ".sts");
                try {
                    String text = Files.readString(file, StandardCharsets.UTF_8);
                    MtaStsPolicy known = cache.get(domain);
                    int header = text.indexOf("\n\n");
                    if (header < 0) {
                        return null;
                    }
                    String id = null;
                    Instant fetched = null;
                    for (String line : text.substring(0, header).split("\n")) {
                        if (line.startsWith("id: ")) {
                            id = line.substring(4).strip();
                        } else if (line.startsWith("fetched: ")) {
                            fetched = Instant.parse(line.substring(9).strip());
                        }
                    }
                    if (id == null || fetched == null) {
                        return null;
                    }
                    if (known != null && known.id().equals(id) && known.fetched().equals(fetched)) {
                        return known;
                    }
                    MtaStsPolicy policy = MtaStsPolicy.parse(text.substring(header + 2), id, fetched);
                    cache.put(domain, policy);
                    return policy;
                } catch (NoSuchFileException e) {
                    return null;
                } catch (IOException | RuntimeException e) {
                    return null;
                }
            }

            @Override
            public void put(String domain, MtaStsPolicy policy) {
                String text = "id: " + policy.id() + "\nfetched: " + policy.fetched() + "\n\n" + policy.toPolicyText();
                try {
                    Path tmp = Files.createTempFile(dir, domain, ".tmp");
                    Files.writeString(tmp, text, StandardCharsets.UTF_8);
                    Files.move(tmp, dir.resolve(domain + ".sts"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    cache.put(domain, policy);
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot write the MTA-STS policy of " + domain + " to " + dir, e);
                }
            }
        };
    }
}
