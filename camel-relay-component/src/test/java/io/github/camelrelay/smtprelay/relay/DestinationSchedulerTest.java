package io.github.camelrelay.smtprelay.relay;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import io.github.camelrelay.smtprelay.mail.MailAddress;
import io.github.camelrelay.smtprelay.relay.DestinationScheduler.Admission;
import io.github.camelrelay.smtprelay.relay.DestinationScheduler.Verdict;
import io.github.camelrelay.smtprelay.report.DeliveryReport;
import io.github.camelrelay.smtprelay.report.Outcome;
import io.github.camelrelay.smtprelay.report.RecipientStatus;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The queue manager's bookkeeping per destination, on a clock the test moves. */
class DestinationSchedulerTest {

    private static final MailAddress BOB = MailAddress.of("bob@example.test");

    private Instant now = Instant.parse("2030-01-01T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };
    private final DestinationScheduler scheduler = new DestinationScheduler(new QueueManagerSettings(4, Duration.ofSeconds(60),
            Duration.ofSeconds(200), Duration.ZERO, Duration.ofSeconds(1)), clock);

    private static DeliveryReport report(int code, String text) {
        return DeliveryReport.of(List.of(RecipientStatus.fromReply(BOB, code, text, "mx.example.test", "127.0.0.2", 25, false)));
    }

    private static DeliveryReport unreachable() {
        return DeliveryReport.of(List.of(RecipientStatus.local(BOB, Outcome.DEFERRED, "4.4.1", "connection refused")));
    }

    @Test
    void aDestinationAtItsLimitIsBusyAndASlotGivenBackAdmitsAgain() throws Exception {
        Admission[] slots = new Admission[4];
        for (int i = 0; i < 4; i++) {
            slots[i] = scheduler.admit("example.test");
            assertThat(slots[i].verdict()).isEqualTo(Verdict.DELIVER);
        }
        assertThat(scheduler.admit("example.test").verdict()).isEqualTo(Verdict.BUSY);
        assertThat(scheduler.admit("other.test").verdict()).as("another destination has its own window").isEqualTo(Verdict.DELIVER);

        scheduler.completed(slots[0], report(250, "2.0.0 ok"));
        scheduler.completed(slots[0], report(250, "2.0.0 ok"));
        assertThat(scheduler.active("example.test")).as("a second completion does not count").isEqualTo(3);
        assertThat(scheduler.admit("example.test").verdict()).isEqualTo(Verdict.DELIVER);
    }

    /** Has {@code count} consumers ask for a slot of example.test at once; their admissions arrive in the queue. */
    private static java.util.concurrent.BlockingQueue<Admission> admitting(DestinationScheduler scheduler,
            java.util.concurrent.ExecutorService consumers, int count) {
        java.util.concurrent.BlockingQueue<Admission> admissions = new java.util.concurrent.LinkedBlockingQueue<>();
        for (int i = 0; i < count; i++) {
            consumers.submit(() -> admissions.add(scheduler.admit("example.test")));
        }
        return admissions;
    }

    @Test
    void consumersWaitingForASlotAreAdmittedOneForEachSlotGivenBack() throws Exception {
        DestinationScheduler waiting = new DestinationScheduler(new QueueManagerSettings(2, Duration.ofSeconds(60),
                Duration.ofSeconds(200), Duration.ofSeconds(30), Duration.ofSeconds(1)), clock);
        Admission first = waiting.admit("example.test");
        Admission second = waiting.admit("example.test");
        java.util.concurrent.ExecutorService consumers = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            java.util.concurrent.BlockingQueue<Admission> admitted = admitting(waiting, consumers, 8);
            assertThat(admitted.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS)).as("no slot free yet").isNull();
            // each slot given back admits exactly one waiter, which gives its slot back in turn
            waiting.completed(first, report(250, "2.0.0 ok"));
            waiting.completed(second, report(250, "2.0.0 ok"));
            for (int i = 0; i < 8; i++) {
                Admission next = admitted.poll(10, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(next).as("waiter %d admitted", i).isNotNull();
                assertThat(next.verdict()).isEqualTo(Verdict.DELIVER);
                assertThat(waiting.active("example.test")).isLessThanOrEqualTo(2);
                waiting.completed(next, report(250, "2.0.0 ok"));
            }
            assertThat(waiting.active("example.test")).isZero();
        } finally {
            consumers.shutdownNow();
        }
    }

    @Test
    void consumersWaitingForASlotAllDeferWhenTheDestinationTurnsUnreachable() throws Exception {
        DestinationScheduler waiting = new DestinationScheduler(new QueueManagerSettings(1, Duration.ofSeconds(60),
                Duration.ofSeconds(200), Duration.ofSeconds(30), Duration.ofSeconds(1)), clock);
        Admission only = waiting.admit("example.test");
        java.util.concurrent.ExecutorService consumers = java.util.concurrent.Executors.newFixedThreadPool(5);
        try {
            java.util.concurrent.BlockingQueue<Admission> answered = admitting(waiting, consumers, 5);
            assertThat(answered.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS)).isNull();
            waiting.completed(only, unreachable());
            for (int i = 0; i < 5; i++) {
                Admission next = answered.poll(10, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(next).as("waiter %d answered", i).isNotNull();
                assertThat(next.verdict()).isEqualTo(Verdict.SUSPENDED);
            }
        } finally {
            consumers.shutdownNow();
        }
    }

    @Test
    void anUnreachableDestinationIsSuspendedThenProbedOnceAndItsBackOffDoublesOnlyWhenTheProbeFails() throws Exception {
        Admission a = scheduler.admit("example.test");
        Admission b = scheduler.admit("example.test");
        scheduler.completed(a, unreachable());
        scheduler.completed(b, unreachable());
        assertThat(scheduler.suspendedUntil("example.test")).isEqualTo(now.plusSeconds(60));
        assertThat(scheduler.admit("example.test").verdict()).isEqualTo(Verdict.SUSPENDED);

        now = now.plusSeconds(60);
        Admission probe = scheduler.admit("example.test");
        assertThat(probe.verdict()).isEqualTo(Verdict.DELIVER);
        assertThat(probe.probe()).isTrue();
        assertThat(scheduler.admit("example.test").verdict()).as("one probe at a time").isEqualTo(Verdict.SUSPENDED);
        scheduler.completed(probe, unreachable());
        assertThat(scheduler.suspendedUntil("example.test")).isEqualTo(now.plusSeconds(120));

        now = now.plusSeconds(120);
        Admission second = scheduler.admit("example.test");
        scheduler.completed(second, unreachable());
        assertThat(scheduler.suspendedUntil("example.test")).as("capped").isEqualTo(now.plusSeconds(200));

        now = now.plusSeconds(200);
        Admission third = scheduler.admit("example.test");
        scheduler.completed(third, report(250, "2.0.0 ok"));
        assertThat(scheduler.suspendedUntil("example.test")).isNull();
        assertThat(scheduler.admit("example.test").verdict()).isEqualTo(Verdict.DELIVER);
    }

    @Test
    void aTooManyConnectionsReplyHalvesTheWindowAndDeliveriesGiveItBackOneByOne() throws Exception {
        scheduler.completed(scheduler.admit("example.test"), report(451, "4.7.0 too many connections from your IP"));
        assertThat(scheduler.limit("example.test")).isEqualTo(2);
        assertThat(scheduler.suspendedUntil("example.test")).as("a refused RCPT is no connection failure").isNull();

        scheduler.completed(scheduler.admit("example.test"), report(250, "2.0.0 ok"));
        assertThat(scheduler.limit("example.test")).isEqualTo(3);
        scheduler.completed(scheduler.admit("example.test"), report(250, "2.0.0 ok"));
        scheduler.completed(scheduler.admit("example.test"), report(250, "2.0.0 ok"));
        assertThat(scheduler.limit("example.test")).isEqualTo(4);
    }

    @Test
    void aGreetingOf421SuspendsAndHalves() throws Exception {
        scheduler.completed(scheduler.admit("example.test"), report(421, "4.7.0 try again later"));
        assertThat(scheduler.limit("example.test")).isEqualTo(2);
        assertThat(scheduler.suspendedUntil("example.test")).isEqualTo(now.plusSeconds(60));
    }
}
