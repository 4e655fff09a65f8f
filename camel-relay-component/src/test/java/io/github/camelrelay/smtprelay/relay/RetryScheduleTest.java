package io.github.camelrelay.smtprelay.relay;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryScheduleTest {

    @Test
    void postfixLikeDefaultDoublesFromFiveMinutesToAbout67AndGivesUpAfterFiveDays() {
        RetrySchedule s = RetrySchedule.POSTFIX_LIKE;
        assertThat(s.delayAfter(1)).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.delayAfter(2)).isEqualTo(Duration.ofMinutes(10));
        assertThat(s.delayAfter(3)).isEqualTo(Duration.ofMinutes(20));
        assertThat(s.delayAfter(4)).isEqualTo(Duration.ofMinutes(40));
        assertThat(s.delayAfter(5)).isEqualTo(Duration.ofSeconds(4000));
        assertThat(s.delayAfter(50)).isEqualTo(Duration.ofSeconds(4000));
        Instant first = Instant.parse("2026-11-01T00:00:00Z");
        assertThat(s.expired(first, first.plus(Duration.ofDays(5)).minusSeconds(1))).isFalse();
        assertThat(s.expired(first, first.plus(Duration.ofDays(5)))).isTrue();
    }

    @Test
    void delayWarningIsSentOnceWhenConfigured() {
        RetrySchedule s = new RetrySchedule(Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofDays(5), Duration.ofHours(4));
        Instant first = Instant.parse("2026-11-01T00:00:00Z");
        assertThat(s.warningDue(first, first.plus(Duration.ofHours(3)), false)).isFalse();
        assertThat(s.warningDue(first, first.plus(Duration.ofHours(4)), false)).isTrue();
        assertThat(s.warningDue(first, first.plus(Duration.ofHours(5)), true)).isFalse();
        assertThat(RetrySchedule.POSTFIX_LIKE.warningDue(first, first.plus(Duration.ofDays(4)), false)).isFalse();
    }

    @Test
    void rejectsSchedulesThatMakeNoSense() {
        assertThatThrownBy(() -> new RetrySchedule(Duration.ZERO, Duration.ofHours(1), Duration.ofDays(1), null))
                .hasMessageContaining("positive initial");
        assertThatThrownBy(() -> new RetrySchedule(Duration.ofHours(2), Duration.ofHours(1), Duration.ofDays(1), null))
                .hasMessageContaining("at least the initial");
        assertThatThrownBy(() -> RetrySchedule.POSTFIX_LIKE.delayAfter(0)).hasMessageContaining("1 or more");
    }
}
