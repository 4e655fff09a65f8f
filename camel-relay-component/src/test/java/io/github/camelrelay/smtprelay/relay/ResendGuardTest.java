package io.github.camelrelay.smtprelay.relay;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.github.camelrelay.smtprelay.testsupport.TestClock;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ResendGuardTest {

    private static final String BODY = "From: a@example.com\r\nSubject: hi\r\n\r\nHello\r\n";

    @Test
    void theListenersOwnReceivedFieldDoesNotChangeTheDigestButTheEnvelopeAndContentDo() throws Exception {
        String first = digest("Received: from client.test by relay.test\r\n\tid AAA; Tue, 1 Dec 2026 10:00:00 +0000\r\n" + BODY,
                "a@example.com", List.of("b@example.net", "c@example.net"));
        String again = digest("Received: from client.test by relay.test\r\n id BBB; Tue, 1 Dec 2026 10:00:07 +0000\r\n" + BODY,
                "a@example.com", List.of("c@example.net", "b@example.net"));

        assertThat(again).as("another Received field, recipients in another order").isEqualTo(first);
        assertThat(digest(BODY, "a@example.com", List.of("b@example.net", "c@example.net"))).as("no Received field")
                .isEqualTo(first);
        assertThat(digest(BODY.replace("Hello", "Hullo"), "a@example.com", List.of("b@example.net", "c@example.net")))
                .isNotEqualTo(first);
        assertThat(digest(BODY, "x@example.com", List.of("b@example.net", "c@example.net"))).isNotEqualTo(first);
        assertThat(digest(BODY, "a@example.com", List.of("b@example.net"))).isNotEqualTo(first);
        assertThat(digest("X-Received: x\r\n" + BODY, "a@example.com", List.of("b@example.net", "c@example.net")))
                .as("only a Received field is skipped").isNotEqualTo(first);
    }

    @Test
    void onStartTheRecordGivesTheDigestsQueuedJustBeforeACrashEachMatchedOnceAndNothingQueuedSince(@TempDir Path dir) {
        TestClock clock = TestClock.at("2026-12-01T10:00:00Z");
        SettledFileRepository record = SettledFileRepository.of(dir.resolve("resend.dat"));
        ResendGuard before = new ResendGuard(Duration.ofMinutes(30), clock);
        before.remember(record, "queued-at-ten", "Q1");
        clock.advance(Duration.ofMinutes(20));
        before.remember(record, "queued-at-ten-twenty", "Q2");
        clock.advance(Duration.ofSeconds(5));
        before.remember(record, "queued-just-before-the-crash", "Q3");
        clock.advance(Duration.ofMinutes(1));

        ResendGuard restarted = new ResendGuard(Duration.ofMinutes(30), clock);
        restarted.started();
        assertThat(restarted.load(record)).as("the lines within 10 s of the newest: their 250 may have been unread").isEqualTo(2);
        restarted.remember(record, "queued-after-the-start", "Q4");

        assertThat(restarted.originalOf("queued-after-the-start")).as("queued since the start: a new message").isNull();
        assertThat(restarted.originalOf("queued-at-ten")).as("20 minutes before the crash: its client had its 250").isNull();
        assertThat(restarted.originalOf("queued-just-before-the-crash")).isEqualTo("Q3");
        assertThat(restarted.originalOf("queued-at-ten-twenty")).isEqualTo("Q2");
        assertThat(restarted.originalOf("queued-at-ten-twenty")).as("one resend per message queued").isNull();
        record.stop();
    }

    @Test
    void afterACleanStopTheNextStartTakesNothingQueuedBeforeIt(@TempDir Path dir) {
        TestClock clock = TestClock.at("2026-12-01T10:00:00Z");
        SettledFileRepository record = SettledFileRepository.of(dir.resolve("resend.dat"));
        ResendGuard first = new ResendGuard(Duration.ofMinutes(30), clock);
        first.remember(record, "delivered-before-a-deploy", "Q1");
        first.stopped(record);
        clock.advance(Duration.ofSeconds(30));
        ResendGuard second = new ResendGuard(Duration.ofMinutes(30), clock);
        second.started();
        assertThat(second.load(record)).isZero();
        second.remember(record, "queued-before-a-crash", "Q2");
        clock.advance(Duration.ofSeconds(30));

        ResendGuard third = new ResendGuard(Duration.ofMinutes(30), clock);
        third.started();
        assertThat(third.load(record)).isEqualTo(1);
        assertThat(third.originalOf("delivered-before-a-deploy")).isNull();
        assertThat(third.originalOf("queued-before-a-crash")).isEqualTo("Q2");
        record.stop();
    }

    @Test
    void theGuardStopsWatchingWhenTheWindowAfterTheStartEnds(@TempDir Path dir) {
        TestClock clock = TestClock.at("2026-12-01T10:00:00Z");
        SettledFileRepository record = SettledFileRepository.of(dir.resolve("resend.dat"));
        new ResendGuard(Duration.ofMinutes(30), clock).remember(record, "queued-before", "Q1");
        ResendGuard restarted = new ResendGuard(Duration.ofMinutes(30), clock);
        restarted.started();
        restarted.load(record);

        clock.advance(Duration.ofMinutes(31));
        assertThat(restarted.originalOf("queued-before")).isNull();
        record.stop();
    }

    private static String digest(String message, String sender, List<String> recipients) throws Exception {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody(message.getBytes(StandardCharsets.US_ASCII));
        return ResendGuard.digest(exchange, sender, recipients);
    }
}
