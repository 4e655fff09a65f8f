package io.github.camelrelay.springboot;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

import io.github.camelrelay.smtprelay.relay.QueueTracker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The queue gauges per destination: queued entries and the age of the oldest, with the destination tag capped. */
class SmtpRelayQueueGaugesTest {

    private static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");

    @Test
    void queuedMessagesAndTheOldestAgePerDestination() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SmtpRelayMetrics metrics = new SmtpRelayMetrics(registry, new DefaultCamelContext(), 2);
        QueueTracker tracker = new QueueTracker(Clock.fixed(NOW, ZoneOffset.UTC));
        metrics.bindQueue(tracker);

        tracker.queued("gmail.com", NOW.minusSeconds(90).toEpochMilli());
        tracker.queued("gmail.com", NOW.minusSeconds(10).toEpochMilli());
        tracker.queued("outlook.com", NOW.minusSeconds(5).toEpochMilli());
        tracker.queued("a.example", NOW.minusSeconds(300).toEpochMilli());
        tracker.queued("b.example", NOW.minusSeconds(1).toEpochMilli());
        tracker.taken("gmail.com", NOW.minusSeconds(90).toEpochMilli());

        assertThat(registry.get(SmtpRelayMetrics.QUEUED).tag("destination", "gmail.com").gauge().value()).isEqualTo(1);
        assertThat(registry.get(SmtpRelayMetrics.OLDEST).tag("destination", "gmail.com").timeGauge().value(TimeUnit.SECONDS))
                .isEqualTo(10);
        assertThat(registry.get(SmtpRelayMetrics.QUEUED).tag("destination", "outlook.com").gauge().value()).isEqualTo(1);
        // past two destinations, the rest share one tag value
        assertThat(registry.get(SmtpRelayMetrics.QUEUED).tag("destination", SmtpRelayMetrics.OTHER_DOMAIN).gauge().value()).isEqualTo(2);
        assertThat(registry.get(SmtpRelayMetrics.OLDEST).tag("destination", SmtpRelayMetrics.OTHER_DOMAIN).timeGauge()
                .value(TimeUnit.SECONDS)).isEqualTo(300);
    }
}
