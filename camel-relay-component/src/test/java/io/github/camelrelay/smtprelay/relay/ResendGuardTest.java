package io.github.camelrelay.smtprelay.relay;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import io.github.camelrelay.smtprelay.testsupport.TestClock;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository;
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
    void aDigestRecordedInTheWindowBeforeASubmissionIsFoundWhileTheGuardWatchesAndNoOtherIs() {
        TestClock clock = TestClock.at("2026-12-01T10:00:00Z");
        IdempotentRepository record = MemoryIdempotentRepository.memoryIdempotentRepository(100);
        ResendGuard guard = new ResendGuard(Duration.ofMinutes(30), clock);
        guard.remember(record, "queued-at-ten");
        clock.advance(Duration.ofMinutes(25));
        guard.remember(record, "queued-at-ten-twenty-five");

        assertThat(guard.recorded(record, "queued-at-ten")).as("before a start the guard does not watch").isFalse();
        clock.advance(Duration.ofMinutes(1));
        guard.started();

        assertThat(guard.recorded(record, "queued-at-ten-twenty-five")).isTrue();
        assertThat(guard.recorded(record, "queued-at-ten")).as("26 minutes before, within the 30 minutes").isTrue();
        assertThat(guard.recorded(record, "never-queued")).isFalse();
        clock.advance(Duration.ofMinutes(15));
        assertThat(guard.recorded(record, "queued-at-ten")).as("41 minutes before: outside the window").isFalse();
        assertThat(guard.recorded(record, "queued-at-ten-twenty-five")).as("16 minutes before").isTrue();
        clock.advance(Duration.ofMinutes(16));
        assertThat(guard.recorded(record, "queued-at-ten-twenty-five")).as("31 minutes after the start: the guard stopped watching")
                .isFalse();
    }

    private static String digest(String message, String sender, List<String> recipients) throws Exception {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody(message.getBytes(StandardCharsets.US_ASCII));
        return ResendGuard.digest(exchange, sender, recipients);
    }
}
