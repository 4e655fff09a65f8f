package io.github.camelrelay.smtprelay.relay;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.camel.support.processor.idempotent.FileIdempotentRepository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettledFileRepositoryTest {

    @TempDir
    Path dir;

    /** The keys a new repository on the file reads, oldest first, as the next start of a relay would. */
    private static List<String> keysOnReopen(Path file, int maxEntries) {
        SettledFileRepository reopened = SettledFileRepository.builder(file).maxEntries(maxEntries).build();
        reopened.start();
        try {
            return reopened.keys();
        } finally {
            reopened.stop();
        }
    }

    /** Holds the repository's next rewrite once its copy of the keys is on file, until released. */
    private static final class HeldRewrite {
        private final java.util.concurrent.CountDownLatch copied = new java.util.concurrent.CountDownLatch(1);
        private final java.util.concurrent.CountDownLatch swap = new java.util.concurrent.CountDownLatch(1);

        HeldRewrite(SettledFileRepository repository) {
            repository.beforeSwap = () -> {
                copied.countDown();
                try {
                    swap.await(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
        }

        void awaitCopied() throws InterruptedException {
            assertThat(copied.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("the rewrite began").isTrue();
        }

        void release() {
            swap.countDown();
        }
    }

    @Test
    void addsAndRemovalsSurviveAReopen() throws Exception {
        Path file = dir.resolve("settled.dat");
        SettledFileRepository first = SettledFileRepository.of(file);
        first.start();
        assertThat(first.add("ID:1 a@example.com")).isTrue();
        assertThat(first.add("ID:1 a@example.com")).as("a key already there").isFalse();
        assertThat(first.add("ID:1 b@example.com")).isTrue();
        assertThat(first.add("ID:2 a@example.com")).isTrue();
        assertThat(first.remove("ID:1 b@example.com")).isTrue();
        assertThat(first.remove("ID:1 b@example.com")).as("removed already").isFalse();
        // on file at once, before any close: what a killed JVM leaves
        assertThat(Files.readAllLines(file))
                .containsExactly("ID:1 a@example.com", "ID:1 b@example.com", "ID:2 a@example.com", "\\-ID:1 b@example.com");
        first.stop();

        SettledFileRepository reopened = SettledFileRepository.of(file);
        reopened.start();
        assertThat(reopened.keys()).containsExactly("ID:1 a@example.com", "ID:2 a@example.com");
        reopened.stop();
        // stopped by its owner: not opened again behind its back, which would keep the file locked
        assertThatThrownBy(() -> reopened.add("ID:3 a@example.com")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("to be started but it was stopped");
        // started again: read from the file anew
        reopened.start();
        assertThat(reopened.keys()).containsExactly("ID:1 a@example.com", "ID:2 a@example.com");
        reopened.stop();
    }

    @Test
    void aSecondRepositoryOnTheSameFileIsRefusedWhileTheFirstHasIt() throws Exception {
        Path file = dir.resolve("settled.dat");
        SettledFileRepository first = SettledFileRepository.of(file);
        first.start();
        SettledFileRepository second = SettledFileRepository.of(file);
        assertThatThrownBy(() -> second.contains("ID:1 a@example.com")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("to be this repository's alone").hasMessageContaining("settled.dat.lock");
        first.stop();
        assertThat(second.add("ID:1 a@example.com")).as("free once the first let go").isTrue();
        second.stop();
    }

    @Test
    void readsTheFileCamelsFileIdempotentRepositoryWrote() throws Exception {
        Path file = dir.resolve("camel.dat");
        FileIdempotentRepository camel = (FileIdempotentRepository) FileIdempotentRepository.fileIdempotentRepository(file.toFile());
        camel.start();
        camel.add("ID:7 x@example.com");
        camel.add("ID:7 y@example.com");
        camel.stop();

        SettledFileRepository ours = SettledFileRepository.of(file);
        ours.start();
        assertThat(ours.contains("ID:7 x@example.com")).isTrue();
        assertThat(ours.contains("ID:7 y@example.com")).isTrue();
        assertThat(ours.contains("ID:7 z@example.com")).isFalse();
        ours.stop();
    }

    @Test
    void aLineACrashCutShortIsDroppedAndTheNextKeyIsNotJoinedToIt() throws Exception {
        Path file = dir.resolve("settled.dat");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes("ID:1 a@example.com\nID:1 b@example.com\nID:1 j".getBytes(StandardCharsets.UTF_8));
        // the first octet of a two-octet UTF-8 sequence, then the end of the file
        bytes.write(0xC3);
        Files.write(file, bytes.toByteArray());

        SettledFileRepository repository = SettledFileRepository.of(file);
        repository.start();
        assertThat(repository.contains("ID:1 a@example.com")).isTrue();
        assertThat(repository.contains("ID:1 b@example.com")).isTrue();
        assertThat(repository.size()).as("the cut line is no key").isEqualTo(2);
        repository.add("ID:2 c@example.com");
        repository.stop();

        assertThat(Files.readAllLines(file, StandardCharsets.UTF_8))
                .containsExactly("ID:1 a@example.com", "ID:1 b@example.com", "ID:2 c@example.com");
    }

    @Test
    void keepsTheNewestEntriesAndRewritesTheFileWithThemOnly() throws Exception {
        Path file = dir.resolve("settled.dat");
        SettledFileRepository repository = SettledFileRepository.builder(file).maxEntries(10).build();
        repository.start();
        for (int i = 0; i < 105; i++) {
            repository.add("ID:" + i + " r@example.com");
        }
        assertThat(repository.size()).isEqualTo(10);
        assertThat(repository.contains("ID:94 r@example.com")).isFalse();
        assertThat(repository.contains("ID:95 r@example.com")).isTrue();
        assertThat(repository.contains("ID:104 r@example.com")).isTrue();
        repository.awaitRewrite();
        // rewritten in the background with the live keys once it reached 20 lines, and again after as many changes:
        // what is on file is the newest keys, in order, fewer than were added
        List<String> lines = Files.readAllLines(file);
        int first = Integer.parseInt(lines.get(0).replaceAll("ID:(\\d+) .*", "$1"));
        List<String> expected = new ArrayList<>();
        for (int i = first; i < 105; i++) {
            expected.add("ID:" + i + " r@example.com");
        }
        assertThat(lines).hasSizeBetween(10, 95).containsExactlyElementsOf(expected);
        assertThat(dir.resolve("settled.dat.compacting")).doesNotExist();
        List<String> inMemory = repository.keys();
        repository.stop();

        assertThat(keysOnReopen(file, 10)).containsExactlyElementsOf(inMemory).containsExactlyElementsOf(expected.subList(expected.size() - 10, expected.size()));
    }

    @Test
    void aRewriteHoldsUpNoAddAndKeepsWhatChangedWhileItRan() throws Exception {
        Path file = dir.resolve("settled.dat");
        SettledFileRepository repository = SettledFileRepository.builder(file).maxEntries(3).build();
        repository.start();
        HeldRewrite held = new HeldRewrite(repository);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            for (String k : List.of("a", "b", "c", "d", "e", "f")) {
                repository.add(k);
            }
            // six lines for three live keys: the rewrite of d, e, f is on file and waits to be swapped in
            held.awaitCopied();
            // on another thread, so an add the rewrite held up fails the test instead of hanging it
            assertThat(pool.submit(() -> repository.add("g")).get(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(repository.remove("e")).isTrue();
            assertThat(Files.readAllLines(file)).containsExactly("a", "b", "c", "d", "e", "f", "g", "\\-e");
        } finally {
            held.release();
            pool.shutdownNow();
        }
        repository.awaitRewrite();

        assertThat(Files.readAllLines(file)).containsExactly("d", "e", "f", "g", "\\-e");
        assertThat(dir.resolve("settled.dat.compacting")).doesNotExist();
        assertThat(repository.add("h")).isTrue();
        List<String> inMemory = repository.keys();
        assertThat(inMemory).containsExactly("f", "g", "h");
        // h made the next rewrite due: it ends before the directory is deleted
        repository.awaitRewrite();
        repository.stop();
        assertThat(keysOnReopen(file, 3)).containsExactlyElementsOf(inMemory);
    }

    @Test
    void aRewriteRunningWhenTheRecordIsClearedPutsNothingBack() throws Exception {
        Path file = dir.resolve("settled.dat");
        SettledFileRepository repository = SettledFileRepository.builder(file).maxEntries(2).build();
        repository.start();
        HeldRewrite held = new HeldRewrite(repository);
        try {
            for (String k : List.of("a", "b", "c", "d")) {
                repository.add(k);
            }
            held.awaitCopied();
            repository.clear();
            repository.add("e");
        } finally {
            held.release();
        }
        repository.awaitRewrite();

        assertThat(Files.readAllLines(file)).containsExactly("e");
        assertThat(dir.resolve("settled.dat.compacting")).doesNotExist();
        repository.stop();
        assertThat(keysOnReopen(file, 2)).containsExactly("e");
    }

    @Test
    void anEvictedKeyStaysEvictedAfterAReopenAndComesBackNewestWhenAddedAgain() throws Exception {
        Path file = dir.resolve("settled.dat");
        SettledFileRepository repository = SettledFileRepository.builder(file).maxEntries(3).build();
        repository.start();
        for (String k : List.of("a", "b", "c", "d")) {
            repository.add(k);
        }
        assertThat(repository.remove("a")).as("evicted already").isFalse();
        assertThat(repository.add("a")).isTrue();
        List<String> inMemory = repository.keys();
        assertThat(inMemory).containsExactly("c", "d", "a");
        repository.stop();

        assertThat(keysOnReopen(file, 3)).containsExactlyElementsOf(inMemory);
    }

    @Test
    void aRewriteACrashInterruptedIsDiscardedAndTheFileItWasToReplaceIsRead() throws Exception {
        Path file = dir.resolve("settled.dat");
        Files.writeString(file, "ID:1 a@example.com\nID:1 b@example.com\n");
        Files.writeString(dir.resolve("settled.dat.compacting"), "ID:1 a@exa");
        SettledFileRepository repository = SettledFileRepository.of(file);
        repository.start();
        assertThat(repository.keys()).containsExactly("ID:1 a@example.com", "ID:1 b@example.com");
        assertThat(dir.resolve("settled.dat.compacting")).doesNotExist();
        repository.stop();
    }

    @Test
    void keysThatLookLikeTheFilesOwnMarkersRoundTrip() throws Exception {
        Path file = dir.resolve("settled.dat");
        SettledFileRepository repository = SettledFileRepository.of(file);
        repository.start();
        repository.add("\\-not a removal");
        repository.add("\\+");
        repository.add("");
        repository.add("plain ünïcode@example.com");
        repository.stop();

        assertThat(keysOnReopen(file, 1_000_000)).containsExactly("\\-not a removal", "\\+", "", "plain ünïcode@example.com");
    }

    @Test
    void aKeyWithALineBreakIsRefusedAndNothingIsWritten() throws Exception {
        Path file = dir.resolve("settled.dat");
        SettledFileRepository repository = SettledFileRepository.of(file);
        repository.start();
        assertThatThrownBy(() -> repository.add("ID:1 a@example.com\nID:1 b@example.com"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Expected a settled record key without a line break");
        assertThat(repository.contains("ID:1 a@example.com\nID:1 b@example.com")).isFalse();
        assertThat(Files.size(file)).isZero();
        repository.stop();
    }

    @Test
    void everyAddFromManyThreadsIsOnFileAsAWholeLine() throws Exception {
        Path file = dir.resolve("settled.dat");
        SettledFileRepository repository = SettledFileRepository.builder(file).maxEntries(500).build();
        repository.start();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 1000; i++) {
                        repository.add("ID:" + thread + "-" + i + " r@example.com");
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        // rewritten in the background meanwhile, each time it held 500 lines more than live keys: the file holds the
        // newest keys, at least the 500 live ones
        repository.awaitRewrite();
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSizeBetween(500, 7999).doesNotHaveDuplicates().allMatch(l -> l.matches("ID:\\d-\\d+ r@example.com"));
        List<String> inMemory = repository.keys();
        assertThat(inMemory).hasSize(500);
        assertThat(lines.subList(lines.size() - 500, lines.size())).containsExactlyElementsOf(inMemory);
        repository.stop();
        assertThat(keysOnReopen(file, 500)).containsExactlyElementsOf(inMemory);
    }

    @Test
    void clearEmptiesTheFileAndTheMemory() throws Exception {
        Path file = dir.resolve("settled.dat");
        SettledFileRepository repository = SettledFileRepository.of(file);
        repository.start();
        repository.add("ID:1 a@example.com");
        repository.clear();
        assertThat(repository.contains("ID:1 a@example.com")).isFalse();
        repository.add("ID:2 a@example.com");
        repository.stop();
        assertThat(Files.readAllLines(file)).containsExactly("ID:2 a@example.com");
    }

    @Test
    void aKeyWithALoneSurrogateIsRefused() throws Exception {
        SettledFileRepository repository = SettledFileRepository.of(dir.resolve("settled.dat"));
        repository.start();
        assertThatThrownBy(() -> repository.add("ID:1 a\uD800@example.com")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a lone surrogate at index 6");
        assertThat(repository.add("ID:1 \uD83D\uDE00@example.com")).as("a whole pair is a character").isTrue();
        repository.stop();
        assertThat(keysOnReopen(dir.resolve("settled.dat"), 1_000_000)).containsExactly("ID:1 \uD83D\uDE00@example.com");
    }

    @Test
    void aStopDuringARewriteKeepsTheFileLockedUntilTheRewriteHasEndedAndLeavesTheAppendedFile() throws Exception {
        Path file = dir.resolve("settled.dat");
        SettledFileRepository repository = SettledFileRepository.builder(file).maxEntries(2).build();
        repository.start();
        HeldRewrite held = new HeldRewrite(repository);
        Thread stopping = new Thread(repository::stop, "stopping");
        try {
            for (String k : List.of("a", "b", "c", "d")) {
                repository.add(k);
            }
            held.awaitCopied();
            stopping.start();
            // the stop has closed the file and waits for the rewrite (join: WAITING), which still runs
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> stopping.getState() == Thread.State.WAITING);
            // a second owner now would find its file replaced under it by this rewrite
            SettledFileRepository second = SettledFileRepository.builder(file).maxEntries(2).build();
            assertThatThrownBy(second::start).hasMessageContaining("is locked by another repository or process");
        } finally {
            held.release();
        }
        stopping.join(30_000);
        assertThat(stopping.isAlive()).isFalse();

        assertThat(Files.readAllLines(file)).as("not replaced by the rewrite the stop ended").containsExactly("a", "b", "c", "d");
        assertThat(dir.resolve("settled.dat.compacting")).doesNotExist();
        assertThat(keysOnReopen(file, 2)).containsExactly("c", "d");
    }

    @Test
    void maxEntriesBelowOneIsRefused() {
        assertThatThrownBy(() -> SettledFileRepository.builder(dir.resolve("x")).maxEntries(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Expected maxEntries of 1 or more but found 0");
    }
}
