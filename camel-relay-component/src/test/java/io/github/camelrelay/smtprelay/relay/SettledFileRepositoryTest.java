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
        // no stop: a killed JVM closes nothing
        SettledFileRepository reopened = SettledFileRepository.of(file);
        reopened.start();
        assertThat(reopened.contains("ID:1 a@example.com")).isTrue();
        assertThat(reopened.contains("ID:2 a@example.com")).isTrue();
        assertThat(reopened.contains("ID:1 b@example.com")).isFalse();
        assertThat(reopened.size()).isEqualTo(2);
        first.stop();
        reopened.stop();
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
        assertThat(Files.readAllLines(file)).as("rewritten at 20 lines, then appended to").hasSizeBetween(10, 20);
        assertThat(dir.resolve("settled.dat.compacting")).doesNotExist();

        SettledFileRepository reopened = SettledFileRepository.builder(file).maxEntries(10).build();
        reopened.start();
        assertThat(reopened.size()).isEqualTo(10);
        for (int i = 95; i < 105; i++) {
            assertThat(reopened.contains("ID:" + i + " r@example.com")).as("ID:%d", i).isTrue();
        }
        repository.stop();
        reopened.stop();
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

        SettledFileRepository reopened = SettledFileRepository.of(file);
        reopened.start();
        assertThat(reopened.contains("\\-not a removal")).isTrue();
        assertThat(reopened.contains("not a removal")).isFalse();
        assertThat(reopened.contains("\\+")).isTrue();
        assertThat(reopened.contains("")).isTrue();
        assertThat(reopened.contains("plain ünïcode@example.com")).isTrue();
        assertThat(reopened.size()).isEqualTo(4);
        reopened.stop();
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
        SettledFileRepository repository = SettledFileRepository.of(file);
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
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(8000).doesNotHaveDuplicates().allMatch(l -> l.matches("ID:\\d-\\d+ r@example.com"));
        SettledFileRepository reopened = SettledFileRepository.of(file);
        reopened.start();
        assertThat(reopened.size()).isEqualTo(8000);
        repository.stop();
        reopened.stop();
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
    void maxEntriesBelowOneIsRefused() {
        assertThatThrownBy(() -> SettledFileRepository.builder(dir.resolve("x")).maxEntries(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Expected maxEntries of 1 or more but found 0");
    }
}
