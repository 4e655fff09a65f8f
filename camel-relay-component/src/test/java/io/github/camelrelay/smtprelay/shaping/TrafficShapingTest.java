package io.github.camelrelay.smtprelay.shaping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.camelrelay.smtprelay.mail.Domain;
import org.junit.jupiter.api.Test;

/** The rules as the option spells them, which rule a destination gets, and the counts the shaper keeps. */
class TrafficShapingTest {

    private static final String GMAIL_AND_OFFICE = """
            .google.com: maxConnections=10, maxRate=3000/h
            *.outlook.com: maxConnections=5, maxMessagesPerConnection=30, maxRate=30/min
            ; example.com: maxRate=2/s""";

    @Test
    void parsesRulesSeparatedByLineBreaksOrSemicolons() {
        TrafficShaping shaping = TrafficShaping.parse(GMAIL_AND_OFFICE);

        assertThat(shaping.rules()).extracting(ShapingRule::selector).containsExactly("example.com", "*.outlook.com", ".google.com");
        ShapingRule outlook = shaping.rules().get(1);
        assertThat(outlook.maxConnections()).isEqualTo(5);
        assertThat(outlook.maxMessagesPerConnection()).isEqualTo(30);
        assertThat(outlook.maxRate()).isEqualTo(new Rate(30, Duration.ofMinutes(1)));
        assertThat(TrafficShaping.parse(shaping.toString()).rules()).isEqualTo(shaping.rules());
        assertThat(TrafficShaping.parse(" ").isEmpty()).isTrue();
    }

    @Test
    void theMostSpecificRuleWins() {
        TrafficShaping shaping = TrafficShaping.parse("*.outlook.com: maxConnections=5; *.eu.outlook.com: maxConnections=2;"
                                                      + " mail.eu.outlook.com: maxConnections=1; .google.com: maxConnections=10");

        assertThat(shaping.forDomain(Domain.of("MAIL.eu.Outlook.com")).maxConnections()).isEqualTo(1);
        assertThat(shaping.forDomain(Domain.of("x.eu.outlook.com")).maxConnections()).isEqualTo(2);
        assertThat(shaping.forDomain(Domain.of("contoso.outlook.com")).maxConnections()).isEqualTo(5);
        assertThat(shaping.forDomain(Domain.of("outlook.com"))).as("a pattern selects the domains below it only").isNull();
        // a domain of its own served by Google's MX hosts
        assertThat(shaping.forDomain(Domain.of("customer.example"))).isNull();
        assertThat(shaping.forDestination(Domain.of("customer.example"),
                List.of("aspmx.l.google.com.", "alt1.aspmx.l.GOOGLE.com")).selector()).isEqualTo(".google.com");
        assertThat(shaping.forDestination(Domain.of("customer.example"), List.of("aspmx.l.google.com", "mx.other.example")))
                .as("only when every MX host is the provider's").isNull();
    }

    @Test
    void badRulesSayWhatWasExpected() {
        assertThatThrownBy(() -> TrafficShaping.parse("gmail.com maxConnections=1"))
                .hasMessageContaining("selector: name=value").hasMessageContaining("gmail.com maxConnections=1");
        assertThatThrownBy(() -> TrafficShaping.parse("gmail.com: maxconn=1")).hasMessageContaining("maxConnections, maxMessagesPerConnection or maxRate");
        assertThatThrownBy(() -> TrafficShaping.parse("gmail.com: maxRate=10/day")).hasMessageContaining("per s, min or h");
        assertThatThrownBy(() -> TrafficShaping.parse("gmail.com: maxConnections=-1")).hasMessageContaining("0 (none) or more");
        assertThatThrownBy(() -> TrafficShaping.parse("gmail.com: maxConnections=1; GMAIL.com: maxRate=1/s")).hasMessageContaining("two for gmail.com");
        assertThatThrownBy(() -> TrafficShaping.parse("bad host!: maxConnections=1")).hasMessageContaining("'bad host!'");
    }

    @Test
    void connectionsAreCountedAcrossThreads() throws Exception {
        TrafficShaper shaper = new TrafficShaper(TrafficShaping.parse("example.com: maxConnections=2"), Clock.systemUTC());
        ShapingRule rule = shaper.ruleFor(Domain.of("example.com"), List.of());
        AtomicInteger inUse = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        CountDownLatch done = new CountDownLatch(60);
        for (int i = 0; i < 60; i++) {
            pool.execute(() -> {
                try (TrafficShaper.Slot slot = shaper.acquire(rule, Duration.ofSeconds(30))) {
                    assertThat(slot).isNotNull();
                    most.accumulateAndGet(inUse.incrementAndGet(), Math::max);
                    inUse.decrementAndGet();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            });
        }
        assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
        pool.shutdown();
        assertThat(most.get()).isBetween(1, 2);
        assertThat(shaper.inUse(rule)).isZero();
    }

    @Test
    void aFullConnectionLimitMakesTheNextWaitAndTheSchedulerHoldBack() throws Exception {
        TrafficShaper shaper = new TrafficShaper(TrafficShaping.parse("example.com: maxConnections=1"), Clock.systemUTC());
        ShapingRule rule = shaper.ruleFor(Domain.of("example.com"), List.of());
        TrafficShaper.Slot first = shaper.acquire(rule, Duration.ZERO);

        assertThat(shaper.acquire(rule, Duration.ofMillis(50))).as("no second connection").isNull();
        assertThat(shaper.delay(Domain.of("example.com"), Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(1));
        first.close();
        first.close();
        assertThat(shaper.inUse(rule)).as("closing twice gives back one").isZero();
        assertThat(shaper.delay(Domain.of("example.com"), Duration.ofSeconds(1))).isZero();
    }

    @Test
    void theRateCountsMessagesInASlidingWindow() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        TrafficShaper shaper = new TrafficShaper(TrafficShaping.parse("example.com: maxRate=2/min"), clock);
        ShapingRule rule = shaper.ruleFor(Domain.of("example.com"), List.of());

        shaper.acquire(rule, Duration.ZERO).close();
        clock.now = clock.now.plusSeconds(20);
        shaper.acquire(rule, Duration.ZERO).close();

        assertThat(shaper.acquire(rule, Duration.ofSeconds(30))).as("the window frees a message only in 40 s").isNull();
        assertThat(shaper.delay(Domain.of("example.com"), Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(40));
        clock.now = clock.now.plusSeconds(40);
        assertThat(shaper.acquire(rule, Duration.ZERO)).isNotNull();
        assertThat(shaper.delay(Domain.of("example.com"), Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void anMxSuffixRuleIsLearnedForTheDomainFromItsDelivery() throws Exception {
        TrafficShaper shaper = new TrafficShaper(TrafficShaping.parse(".google.com: maxConnections=1"), Clock.systemUTC());
        Domain customer = Domain.of("customer.example");
        assertThat(shaper.delay(customer, Duration.ofSeconds(1))).as("unknown before its MX hosts are").isZero();

        ShapingRule rule = shaper.ruleFor(customer, List.of("aspmx.l.google.com"));
        TrafficShaper.Slot slot = shaper.acquire(rule, Duration.ZERO);

        assertThat(shaper.delay(customer, Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(1));
        assertThat(shaper.acquire(shaper.ruleFor(Domain.of("other.example"), List.of("alt2.aspmx.l.google.com")), Duration.ZERO))
                .as("another domain at the same provider shares its connections").isNull();
        slot.close();
    }

    private static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
