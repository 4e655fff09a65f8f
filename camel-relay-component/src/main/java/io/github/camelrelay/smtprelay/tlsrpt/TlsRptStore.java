package io.github.camelrelay.smtprelay.tlsrpt;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.github.camelrelay.smtprelay.tlspolicy.TlsResult;
import org.apache.camel.util.json.DeserializationException;
import org.apache.camel.util.json.JsonArray;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The report windows on disk, so counts survive a restart: a directory per window holding a snapshot of its counts
 * and journal segments of what came after it. Each result (and each report sent) is one JSON line appended to the
 * current segment; after {@link #COMPACT_AFTER} lines the window's counts are written as a new snapshot (to a
 * temporary file, then renamed) that names the last segment it includes, and that segment and older ones are deleted,
 * so a crash at any point neither loses nor double-counts a line. In memory: the windows' counts only, which
 * {@link ReportWindow} bounds. Thread-safe.
 */
final class TlsRptStore {

    private static final Logger LOG = LoggerFactory.getLogger(TlsRptStore.class);

    /** Lines appended to a window's journal before its counts are compacted into a snapshot. */
    static final int COMPACT_AFTER = 10_000;

    private static final DateTimeFormatter DIRECTORY = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final String SNAPSHOT = "snapshot.json";
    private static final String SEGMENT_PREFIX = "journal-";
    private static final String SEGMENT_SUFFIX = ".log";

    private final Path directory;
    private final int maxPolicies;
    private final int maxDetails;
    private final Map<Instant, Entry> windows = new TreeMap<>();

    /** A window with where its journal stands. */
    private static final class Entry {
        final ReportWindow window;
        final Path dir;
        int segment;
        int lines;

        Entry(ReportWindow window, Path dir) {
            this.window = window;
            this.dir = dir;
        }
    }

    private TlsRptStore(Path directory, int maxPolicies, int maxDetails) {
        this.directory = directory;
        this.maxPolicies = maxPolicies;
        this.maxDetails = maxDetails;
    }

    /** Opens the directory (created if missing) and loads every window kept in it. */
    static TlsRptStore open(Path directory, int maxPolicies, int maxDetails) {
        TlsRptStore store = new TlsRptStore(directory, maxPolicies, maxDetails);
        try {
            Files.createDirectories(directory);
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(directory, Files::isDirectory)) {
                for (Path dir : dirs) {
                    Instant start;
                    try {
                        start = Instant.from(DIRECTORY.parse(dir.getFileName().toString()));
                    } catch (java.time.format.DateTimeParseException e) {
                        continue;
                    }
                    Entry entry = store.load(dir, start);
                    if (entry != null) {
                        store.windows.put(start, entry);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the TLS-RPT directory " + directory, e);
        }
        return store;
    }

    /** Counts a result in the window [start, end), which is made when it is the first result of it. */
    synchronized void add(Instant start, Instant end, TlsResult result) {
        Entry entry = windows.get(start);
        if (entry == null) {
            entry = new Entry(new ReportWindow(start, end, maxPolicies, maxDetails), directory.resolve(DIRECTORY.format(start)));
            windows.put(start, entry);
            try {
                // the window's bounds on disk before its first line, so a restart knows them
                Files.createDirectories(entry.dir);
                writeSnapshot(entry, -1);
            } catch (IOException e) {
                LOG.warn("Cannot write to the TLS-RPT directory {}: {}", entry.dir, e.toString());
            }
        }
        long droppedBefore = entry.window.dropped;
        if (!entry.window.add(result)) {
            if (droppedBefore == 0) {
                LOG.warn("TLS-RPT window {} holds {} policies, the most it keeps: results for further policies are not counted",
                         start, maxPolicies);
            }
            return;
        }
        append(entry, new JsonObject(Map.of("r", toJson(result))));
    }

    /** The windows that ended by the instant, oldest first: what is due for reporting. */
    synchronized List<ReportWindow> endedBy(Instant now) {
        List<ReportWindow> out = new ArrayList<>();
        for (Entry e : windows.values()) {
            if (!e.window.end.isAfter(now)) {
                out.add(e.window);
            }
        }
        return out;
    }

    /** Every window kept, oldest first. */
    synchronized List<ReportWindow> windows() {
        return windows.values().stream().map(e -> e.window).toList();
    }

    synchronized void markSent(ReportWindow window, String domain, String destination) {
        Entry entry = windows.get(window.start);
        if (entry != null && entry.window.sent.add(ReportWindow.sentKey(domain, destination))) {
            append(entry, new JsonObject(Map.of("sent", domain, "to", destination)));
        }
    }

    synchronized void markDone(ReportWindow window, String domain) {
        Entry entry = windows.get(window.start);
        if (entry != null && entry.window.done.add(domain)) {
            append(entry, new JsonObject(Map.of("done", domain)));
        }
    }

    /** Forgets a window and deletes its files. */
    synchronized void delete(ReportWindow window) {
        Entry entry = windows.remove(window.start);
        if (entry != null) {
            deleteTree(entry.dir);
        }
    }

    /**
     * A copy of the window's counts, consistent with its journal, for building a report outside the lock.
     */
    synchronized ReportWindow copy(ReportWindow window) {
        Entry entry = windows.get(window.start);
        return entry == null ? null : fromJson(snapshotJson(entry.window, 0), maxPolicies, maxDetails);
    }

    // ---------------------------------------------------------------- files

    private void append(Entry entry, JsonObject line) {
        try {
            Files.createDirectories(entry.dir);
            // no fsync: a crash may lose the last lines the OS had not written, never the file's earlier counts
            Files.writeString(segment(entry.dir, entry.segment), line.toJson() + "\n", StandardCharsets.UTF_8,
                              StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            if (++entry.lines >= COMPACT_AFTER) {
                compact(entry);
            }
        } catch (IOException e) {
            // counting must not fail a delivery: the count stays in memory and is reported unless the relay restarts
            LOG.warn("Cannot write to the TLS-RPT journal in {}: {}", entry.dir, e.toString());
        }
    }

    /** Writes the window's counts as a snapshot that includes the current segment, then starts the next one. */
    private void compact(Entry entry) throws IOException {
        writeSnapshot(entry, entry.segment);
        for (int s : segments(entry.dir)) {
            if (s <= entry.segment) {
                Files.deleteIfExists(segment(entry.dir, s));
            }
        }
        entry.segment++;
        entry.lines = 0;
    }

    /** The window's counts as they are, including the journal segments up to {@code through}. */
    private static void writeSnapshot(Entry entry, int through) throws IOException {
        Path tmp = entry.dir.resolve(SNAPSHOT + ".tmp");
        Files.writeString(tmp, snapshotJson(entry.window, through).toJson(), StandardCharsets.UTF_8);
        try {
            Files.move(tmp, entry.dir.resolve(SNAPSHOT), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, entry.dir.resolve(SNAPSHOT), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private Entry load(Path dir, Instant start) throws IOException {
        Path snapshot = dir.resolve(SNAPSHOT);
        ReportWindow window = null;
        int through = -1;
        if (Files.exists(snapshot)) {
            try {
                JsonObject json = (JsonObject) Jsoner.deserialize(Files.readString(snapshot, StandardCharsets.UTF_8));
                window = fromJson(json, maxPolicies, maxDetails);
                through = number(json.get("through")).intValue();
            } catch (DeserializationException | ClassCastException | NullPointerException | IllegalArgumentException e) {
                LOG.warn("Ignoring the unreadable TLS-RPT snapshot {}: {}", snapshot, e.toString());
            }
        }
        if (window == null || !window.start.equals(start)) {
            LOG.warn("Ignoring the TLS-RPT directory {}: it has no readable snapshot of window {}", dir, start);
            return null;
        }
        List<JsonObject> lines = new ArrayList<>();
        int last = through;
        for (int s : segments(dir)) {
            if (s <= through) {
                continue;
            }
            last = Math.max(last, s);
            try (BufferedReader in = Files.newBufferedReader(segment(dir, s), StandardCharsets.UTF_8)) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.isBlank()) {
                        continue;
                    }
                    try {
                        lines.add((JsonObject) Jsoner.deserialize(line));
                    } catch (DeserializationException | ClassCastException e) {
                        // a line cut short by a crash: what was before it counts
                        LOG.warn("Skipping an unreadable line of the TLS-RPT journal {}", segment(dir, s));
                    }
                }
            }
        }
        Entry entry = new Entry(window, dir);
        for (JsonObject line : lines) {
            replay(window, line);
        }
        entry.segment = last + 1;
        entry.lines = lines.size();
        return entry;
    }

    private static void replay(ReportWindow window, JsonObject line) {
        try {
            if (line.get("r") instanceof JsonObject r) {
                window.add(fromJsonResult(r));
            } else if (line.get("sent") != null) {
                window.sent.add(ReportWindow.sentKey((String) line.get("sent"), (String) line.get("to")));
            } else if (line.get("done") != null) {
                window.done.add((String) line.get("done"));
            }
        } catch (RuntimeException e) {
            LOG.warn("Skipping an unreadable line of the TLS-RPT journal: {}", e.toString());
        }
    }

    private static List<Integer> segments(Path dir) throws IOException {
        List<Integer> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(SEGMENT_PREFIX) && n.endsWith(SEGMENT_SUFFIX))
                    .forEach(n -> {
                        try {
                            out.add(Integer.parseInt(n.substring(SEGMENT_PREFIX.length(), n.length() - SEGMENT_SUFFIX.length())));
                        } catch (NumberFormatException e) {
                            // not one of ours
                        }
                    });
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    private static Path segment(Path dir, int n) {
        return dir.resolve(String.format(java.util.Locale.ROOT, "%s%06d%s", SEGMENT_PREFIX, n, SEGMENT_SUFFIX));
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("Cannot delete the TLS-RPT window {}: {}", dir, e.toString());
        }
    }

    // ---------------------------------------------------------------- JSON of the files (not the report's)

    private static JsonObject toJson(TlsResult r) {
        JsonObject o = new JsonObject();
        o.put("d", r.policyDomain());
        o.put("t", r.policyType().name());
        o.put("s", new JsonArray(r.policyStrings()));
        putIfSet(o, "h", r.mxHost());
        putIfSet(o, "ip", r.receivingIp());
        putIfSet(o, "f", r.failure() == null ? null : r.failure().name());
        putIfSet(o, "x", r.detail());
        return o;
    }

    private static TlsResult fromJsonResult(JsonObject o) {
        Object failure = o.get("f");
        return new TlsResult((String) o.get("d"), TlsResult.PolicyType.valueOf((String) o.get("t")), strings(o.get("s")),
                (String) o.get("h"), (String) o.get("ip"), failure == null ? null : TlsResult.Failure.valueOf((String) failure),
                (String) o.get("x"));
    }

    private static JsonObject snapshotJson(ReportWindow w, int through) {
        JsonObject o = new JsonObject();
        o.put("start", w.start.toString());
        o.put("end", w.end.toString());
        o.put("through", through);
        JsonArray policies = new JsonArray();
        w.policies.forEach((key, counts) -> {
            JsonObject p = new JsonObject();
            p.put("d", key.domain());
            p.put("t", key.type().name());
            p.put("s", new JsonArray(key.strings()));
            p.put("m", new JsonArray(key.mxHosts()));
            p.put("ok", counts.successes);
            p.put("fail", counts.failures);
            JsonArray details = new JsonArray();
            counts.details.forEach((row, n) -> {
                JsonObject d = new JsonObject();
                d.put("f", row.type().name());
                putIfSet(d, "h", row.mxHost());
                putIfSet(d, "ip", row.ip());
                putIfSet(d, "x", row.reason());
                d.put("n", n);
                details.add(d);
            });
            p.put("details", details);
            policies.add(p);
        });
        o.put("policies", policies);
        o.put("sent", new JsonArray(new ArrayList<>(w.sent)));
        o.put("done", new JsonArray(new ArrayList<>(w.done)));
        return o;
    }

    private static ReportWindow fromJson(JsonObject o, int maxPolicies, int maxDetails) {
        ReportWindow w = new ReportWindow(Instant.parse((String) o.get("start")), Instant.parse((String) o.get("end")),
                maxPolicies, maxDetails);
        for (Object item : (Collection<?>) o.get("policies")) {
            JsonObject p = (JsonObject) item;
            ReportWindow.PolicyKey key = new ReportWindow.PolicyKey((String) p.get("d"),
                    TlsResult.PolicyType.valueOf((String) p.get("t")), strings(p.get("s")), strings(p.get("m")));
            ReportWindow.PolicyCounts counts = new ReportWindow.PolicyCounts();
            counts.successes = number(p.get("ok")).longValue();
            counts.failures = number(p.get("fail")).longValue();
            for (Object di : (Collection<?>) p.get("details")) {
                JsonObject d = (JsonObject) di;
                counts.details.put(new ReportWindow.FailureKey(TlsResult.Failure.valueOf((String) d.get("f")), (String) d.get("h"),
                        (String) d.get("ip"), (String) d.get("x")), number(d.get("n")).longValue());
            }
            w.policies.put(key, counts);
        }
        strings(o.get("sent")).forEach(w.sent::add);
        strings(o.get("done")).forEach(w.done::add);
        return w;
    }

    private static List<String> strings(Object array) {
        List<String> out = new ArrayList<>();
        if (array instanceof Collection<?> c) {
            c.forEach(x -> out.add((String) x));
        }
        return out;
    }

    private static Number number(Object value) {
        return value instanceof Number n ? n : new BigDecimal(String.valueOf(value));
    }

    private static void putIfSet(JsonObject o, String name, String value) {
        if (value != null && !value.isEmpty()) {
            o.put(name, value);
        }
    }
}
