package io.github.camelrelay.smtprelay.relay;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
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
 * keys only (one rewrite per {@code maxEntries} changes). The rewrite runs on a thread of its own, outside the lock:
 * under it only the keys are copied and, at the end, the changes made meanwhile are appended to the new file before
 * it replaces the old one, so an {@link #add} after a remote server's 250 never waits for a rewrite of a million
 * lines. A line cut short by a crash (no line break
 * at the end) is dropped when the file is opened: a recipient may then be sent again, never left out. The appends are
 * not forced to the disk: a killed JVM loses nothing, a machine that loses power may lose the last seconds of the
 * record (duplicates, not losses). One process at a time: a lock on {@code file.lock} refuses a second one, whose
 * appends would go to a file the first one's rewrite replaces.
 */
public final class SettledFileRepository extends ServiceSupport implements IdempotentRepository {

    private static final Logger LOG = LoggerFactory.getLogger(SettledFileRepository.class);

    private final Path file;
    private final int maxEntries;
    private final LinkedHashSet<String> keys = new LinkedHashSet<>();
    private FileChannel channel;
    /** Holds the lock on {@code file.lock} while open; closing it gives the lock up. */
    private FileChannel lockChannel;
    /** The file's length up to its last complete line: where the next append goes, and what a failed one is cut to. */
    private long size;
    private long lines;
    /** Stopped by its owner: no longer opened on use, so a later owner can take the file's lock. */
    private boolean stopped;
    /** While a rewrite runs: the lines appended since its copy of the keys, for the new file; null otherwise. */
    private List<String> sinceCopy;
    /** Counts openings and clears: a rewrite begun before the file was closed, opened again or cleared ends unused. */
    private volatile long opening;
    /** The rewrite thread running, if any (tests wait for it). */
    private Thread rewriting;
    /** Runs on the rewrite's thread once the copy is on file, before the swap: tests hold the rewrite there. */
    volatile Runnable beforeSwap;

    private SettledFileRepository(Builder b) {
        this.file = b.file;
        this.maxEntries = b.maxEntries;
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
        if (!keys.contains(key)) {
            return false;
        }
        append(line(key, true));
        keys.remove(key);
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
            size = 0;
            // a rewrite running would put the keys back
            opening++;
            sinceCopy = null;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot clear the settled record " + file + ": " + e.getMessage(), e);
        }
    }

    /** Keys in memory, for tests and metrics. */
    public synchronized int size() {
        open();
        return keys.size();
    }

    /** The keys in memory, oldest first, for tests. */
    synchronized List<String> keys() {
        open();
        return List.copyOf(keys);
    }

    @Override
    protected synchronized void doStart() {
        stopped = false;
        open();
        compactWhenDue();
    }

    @Override
    protected void doStop() throws IOException, InterruptedException {
        Thread thread;
        synchronized (this) {
            stopped = true;
            // a rewrite running ends unused: the next owner reads the file this one appended to
            opening++;
            thread = rewriting;
            closeFile();
        }
        try {
            // outside the lock, which the rewrite takes to end
            if (thread != null) {
                thread.join();
            }
        } finally {
            synchronized (this) {
                // only now that no rewrite of this one can touch the directory may another owner have the file
                release();
            }
        }
    }

    /** Closes the file and forgets the keys; the lock on the file stays, so no other owner comes in meanwhile. */
    private void closeFile() throws IOException {
        try {
            if (channel != null) {
                channel.close();
            }
        } finally {
            channel = null;
            keys.clear();
            // a rewrite running ends unused: what it copied belongs to the closed file
            opening++;
        }
    }

    private void release() throws IOException {
        try {
            closeFile();
        } finally {
            if (lockChannel != null) {
                lockChannel.close();
            }
            lockChannel = null;
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

    /** The line for a change of the key, which is checked first. */
    private static String line(String key, boolean removed) {
        check(key);
        return format(key, removed);
    }

    private static void check(String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '\n' || c == '\r') {
                throw new IllegalArgumentException("Expected a settled record key without a line break but found " + key.strip());
            }
            if (Character.isSurrogate(c)) {
                // written as '?', such a key would read back as another one
                if (!Character.isHighSurrogate(c) || i + 1 == key.length() || !Character.isLowSurrogate(key.charAt(i + 1))) {
                    throw new IllegalArgumentException("Expected a settled record key of whole Unicode characters but found"
                                                       + " a lone surrogate at index " + i + " of " + key);
                }
                i++;
            }
        }
    }

    private static String format(String key, boolean removed) {
        return (removed ? "\\-" : key.isEmpty() || key.startsWith("\\") ? "\\+" : "") + key + "\n";
    }

    private void append(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        try {
            writeFully(channel, bytes);
            size += bytes.length;
            lines++;
            if (sinceCopy != null) {
                sinceCopy.add(line);
            }
        } catch (IOException e) {
            // a part of the line may be on file: cut it off, or the next key would be joined to it
            try {
                channel.truncate(size);
            } catch (IOException cut) {
                e.addSuppressed(cut);
                try {
                    // the next call opens the file again, which drops a cut last line; the lock stays
                    closeFile();
                } catch (IOException closing) {
                    e.addSuppressed(closing);
                }
            }
            throw new UncheckedIOException("Cannot write the settled record " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * After the change is in memory as well as on file, so the rewrite has it: starts a rewrite on a thread of its own
     * with a copy of the keys, unless one is running.
     */
    private void compactWhenDue() {
        // one rewrite at a time: a second would share the first one's file
        if (rewriting != null || lines < (long) keys.size() + maxEntries) {
            return;
        }
        // one pass over the keys: the only part of a rewrite done under the lock
        List<String> copy = java.util.Arrays.asList(keys.toArray(new String[0]));
        sinceCopy = new ArrayList<>();
        long at = opening;
        Thread thread = new Thread(() -> compact(copy, at), "smtprelay-settled-rewrite");
        thread.setDaemon(true);
        rewriting = thread;
        try {
            thread.start();
        } catch (Throwable e) {
            // the change is on file and in memory: only the file's size is at stake, so try again after as many changes
            rewriting = null;
            sinceCopy = null;
            lines = keys.size();
            LOG.warn("Cannot start the rewrite of the settled record {}, appending on: {}", file, e.toString());
        }
    }

    /** Waits for a running rewrite to end, for tests. */
    void awaitRewrite() throws InterruptedException {
        Thread thread;
        synchronized (this) {
            thread = rewriting;
        }
        if (thread != null) {
            thread.join();
        }
    }

    /** Loads the file once, at start or at first use; the lock is held. */
    private void open() {
        if (channel != null) {
            return;
        }
        if (stopped) {
            throw new IllegalStateException("Expected the settled record " + file + " to be started but it was stopped");
        }
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            lockOut();
            // a rewrite the process did not finish: the file it was to replace is still whole
            Files.deleteIfExists(compacting());
            long intact = load();
            try (FileChannel cut = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                if (cut.size() > intact) {
                    // a line the crash cut short: appending after it would join it to the next key
                    cut.truncate(intact);
                }
            }
            channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            size = intact;
            opening++;
            sinceCopy = null;
        } catch (IOException e) {
            try {
                release();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw new UncheckedIOException("Cannot open the settled record " + file + ": " + e.getMessage(), e);
        }
    }

    private void lockOut() throws IOException {
        if (lockChannel != null) {
            return;
        }
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        FileChannel locking = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = locking.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            locking.close();
            throw new IllegalStateException("Expected the settled record " + file + " to be this repository's alone but "
                                            + lockFile + " is locked by another repository or process: give each relay"
                                            + " instance its own file, or share a database instead");
        }
        lockChannel = locking;
    }

    private Path compacting() {
        return file.resolveSibling(file.getFileName() + ".compacting");
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

    /**
     * Writes the copied keys to a new file outside the lock, then, under it, the lines appended since the copy, and
     * moves the new file over the old one atomically. A crash or a failure on the way leaves the old file whole.
     */
    private void compact(List<String> copy, long at) {
        Path next = compacting();
        FileChannel written = null;
        try {
            if (at != opening) {
                return;
            }
            Files.deleteIfExists(next);
            written = FileChannel.open(next, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            StringBuilder all = new StringBuilder(64 * 1024);
            for (String key : copy) {
                // checked when it was added
                all.append(format(key, false));
                if (all.length() >= 60 * 1024) {
                    if (at != opening) {
                        throw new IOException("the record was closed or cleared during the rewrite");
                    }
                    write(written, all);
                }
            }
            write(written, all);
            written.force(true);
            Runnable hook = beforeSwap;
            if (hook != null) {
                hook.run();
            }
            synchronized (this) {
                if (at != opening || channel == null) {
                    // closed (and perhaps opened again) meanwhile: the file may have changed under another owner
                    written.close();
                    Files.deleteIfExists(next);
                    return;
                }
                for (String line : sinceCopy) {
                    all.append(line);
                }
                write(written, all);
                long newSize = written.size();
                // opened before the move: once the new file is in place, nothing can fail before appends go to it
                Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                FileChannel old = channel;
                channel = written;
                size = newSize;
                lines = copy.size() + sinceCopy.size();
                sinceCopy = null;
                try {
                    old.close();
                } catch (IOException e) {
                    LOG.debug("Closing the replaced settled record {}: {}", file, e.getMessage());
                }
            }
        } catch (IOException | RuntimeException e) {
            try {
                if (written != null) {
                    written.close();
                }
                Files.deleteIfExists(next);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            synchronized (this) {
                if (at == opening) {
                    // the changes themselves are on file: only its size is at stake, so try again after as many changes
                    LOG.warn("Cannot rewrite the settled record {} with its {} live entries, appending on: {}", file,
                            copy.size(), e.getMessage());
                    lines = keys.size();
                    sinceCopy = null;
                }
            }
        } finally {
            synchronized (this) {
                if (rewriting == Thread.currentThread()) {
                    rewriting = null;
                    sinceCopy = null;
                }
            }
        }
    }

    private static void write(FileChannel to, StringBuilder text) throws IOException {
        writeFully(to, text.toString().getBytes(StandardCharsets.UTF_8));
        text.setLength(0);
    }

    private static void writeFully(FileChannel to, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            to.write(buffer);
        }
    }

    @Override
    public String toString() {
        return "SettledFileRepository[" + file + ", " + maxEntries + " entries]";
    }
}
