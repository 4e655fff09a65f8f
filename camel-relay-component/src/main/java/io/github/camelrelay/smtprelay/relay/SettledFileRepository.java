package io.github.camelrelay.smtprelay.relay;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Objects;

import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The settled record on a local file, for one relay instance: a Camel {@link IdempotentRepository} whose every
 * {@link #add} is one append to a file kept open, so a delivered recipient is on disk (in the page cache, which a
 * killed JVM keeps) a few microseconds after the remote server's 250.
 * <p>
 * Written here rather than taken from Camel because {@code FileIdempotentRepository} opens and closes its file for
 * every key, scans the whole file on every look-up the cache misses (every recipient of every new message), and
 * rewrites the whole file inside its lock whenever the file reaches its size limit; a delivery completing meanwhile
 * waits there with the recipient delivered and not recorded.
 * <p>
 * The file holds one line per change, in UTF-8: a key added, or {@code \-key} for a key removed ({@code \+key} adds
 * a key that itself begins with a backslash). A file written by Camel's {@code FileIdempotentRepository} (one key per
 * line) is read as it is. The newest {@code maxEntries} keys are kept in memory and answer {@link #contains}; the
 * oldest go first. Once the file holds {@code maxEntries} lines more than live keys, it is rewritten with the live
 * keys only, under the lock (one rewrite per {@code maxEntries} changes). A line cut short by a crash (no line break
 * at the end) is dropped when the file is opened: a recipient may then be sent again, never left out. Without
 * {@link Builder#sync(boolean) sync} a machine that loses power may lose the last seconds of the record (duplicates,
 * not losses); with it every change is forced to the disk before {@code add} returns.
 */
public final class SettledFileRepository extends ServiceSupport implements IdempotentRepository {

    private static final Logger LOG = LoggerFactory.getLogger(SettledFileRepository.class);

    private final Path file;
    private final int maxEntries;
    private final boolean sync;
    private final LinkedHashSet<String> keys = new LinkedHashSet<>();
    private FileChannel channel;
    private long lines;

    private SettledFileRepository(Builder b) {
        this.file = b.file;
        this.maxEntries = b.maxEntries;
        this.sync = b.sync;
    }

    /** The record in {@code file} (created when missing) with the default of 1,000,000 entries. */
    public static SettledFileRepository of(Path file) {
        return builder(file).build();
    }

    public static Builder builder(Path file) {
        return new Builder(file);
    }

    /** Options of a {@link SettledFileRepository}. */
    public static final class Builder {
        private final Path file;
        private int maxEntries = 1_000_000;
        private boolean sync;

        private Builder(Path file) {
            this.file = Objects.requireNonNull(file, "file");
        }

        /** Keys kept (the newest); at least 1. */
        public Builder maxEntries(int maxEntries) {
            if (maxEntries < 1) {
                throw new IllegalArgumentException("Expected maxEntries of 1 or more but found " + maxEntries);
            }
            this.maxEntries = maxEntries;
            return this;
        }

        /** Forces every change to the disk before it returns: survives a power loss, at one disk flush per recipient. */
        public Builder sync(boolean sync) {
            this.sync = sync;
            return this;
        }

        public SettledFileRepository build() {
            return new SettledFileRepository(this);
        }
    }

    public Path getFile() {
        return file;
    }

    public int getMaxEntries() {
        return maxEntries;
    }

    @Override
    public synchronized boolean add(String key) {
        open();
        if (keys.contains(key)) {
            return false;
        }
        append(line(key, false));
        remember(key);
        compactWhenDue();
        return true;
    }

    @Override
    public synchronized boolean contains(String key) {
        open();
        return keys.contains(key);
    }

    @Override
    public synchronized boolean remove(String key) {
        open();
        if (!keys.remove(key)) {
            return false;
        }
        append(line(key, true));
        compactWhenDue();
        return true;
    }

    @Override
    public boolean confirm(String key) {
        return true;
    }

    @Override
    public synchronized void clear() {
        open();
        try {
            channel.truncate(0);
            keys.clear();
            lines = 0;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot clear the settled record " + file + ": " + e.getMessage(), e);
        }
    }

    /** Keys in memory, for tests and metrics. */
    public synchronized int size() {
        open();
        return keys.size();
    }

    @Override
    protected synchronized void doStart() {
        open();
        compactWhenDue();
    }

    @Override
    protected synchronized void doStop() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
            keys.clear();
        }
    }

    private void remember(String key) {
        keys.add(key);
        if (keys.size() > maxEntries) {
            Iterator<String> oldest = keys.iterator();
            oldest.next();
            oldest.remove();
        }
    }

    private static String line(String key, boolean removed) {
        if (key.indexOf('\n') >= 0 || key.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("Expected a settled record key without a line break but found " + key.strip());
        }
        return (removed ? "\\-" : key.isEmpty() || key.startsWith("\\") ? "\\+" : "") + key + "\n";
    }

    private void append(String line) {
        try {
            ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            if (sync) {
                channel.force(false);
            }
            lines++;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the settled record " + file + ": " + e.getMessage(), e);
        }
    }

    /** After the change is in memory as well as on file, so the rewrite has it. */
    private void compactWhenDue() {
        if (lines >= (long) keys.size() + maxEntries) {
            try {
                compact();
            } catch (IOException e) {
                // the change itself is on file: only the file's size is at stake, so try again after as many changes
                LOG.warn("Cannot rewrite the settled record {} with its {} live entries, appending on: {}", file, keys.size(),
                        e.getMessage());
                lines = keys.size();
            }
        }
    }

    /** Loads the file once; the lock is held. */
    private void open() {
        if (channel != null) {
            return;
        }
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            long intact = load();
            try (FileChannel cut = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                if (cut.size() > intact) {
                    // a line the crash cut short: appending after it would join it to the next key
                    cut.truncate(intact);
                }
            }
            channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the settled record " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads the file into memory; returns the length of its complete lines. */
    private long load() throws IOException {
        keys.clear();
        lines = 0;
        if (!Files.exists(file)) {
            return 0;
        }
        long intact = 0;
        // bytes, not characters: a line cut inside a UTF-8 sequence must not stop the reading
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            ByteArrayOutputStream current = new ByteArrayOutputStream(128);
            int c;
            while ((c = in.read()) >= 0) {
                if (c != '\n') {
                    current.write(c);
                    continue;
                }
                intact += current.size() + 1;
                String l = current.toString(StandardCharsets.UTF_8);
                current.reset();
                lines++;
                if (l.startsWith("\\-")) {
                    keys.remove(l.substring(2));
                } else if (!l.isEmpty()) {
                    remember(l.startsWith("\\+") ? l.substring(2) : l);
                }
            }
        }
        return intact;
    }

    /** Rewrites the file with the live keys only, atomically; the lock is held. */
    private void compact() throws IOException {
        Path next = file.resolveSibling(file.getFileName() + ".compacting");
        try (Writer out = Files.newBufferedWriter(next, StandardCharsets.UTF_8)) {
            for (String key : keys) {
                out.write(line(key, false));
            }
        }
        try (FileChannel written = FileChannel.open(next, StandardOpenOption.WRITE)) {
            written.force(true);
        }
        // moved while the old file is still open: if the move fails, the record goes on appending to the old file
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        FileChannel old = channel;
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        old.close();
        lines = keys.size();
    }

    @Override
    public String toString() {
        return "SettledFileRepository[" + file + ", " + maxEntries + " entries]";
    }
}
