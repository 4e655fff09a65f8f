package io.github.camelrelay.smtprelay.internal.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;

import io.github.camelrelay.smtprelay.testsupport.TestClock;
import org.junit.jupiter.api.Test;

class AuthThrottleTest {

    @Test
    void delaysDoublePerFailureUpToThirtySecondsAndTheAddressIsLockedOutAtTheLimit() throws Exception {
        TestClock clock = TestClock.at("2025-01-01T00:00:00Z");
        AuthThrottle t = new AuthThrottle(10, Duration.ofSeconds(1), Duration.ofMinutes(15), clock);
        InetAddress a = InetAddress.getByName("192.0.2.1");
        long[] expected = {1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000};
        for (long millis : expected) {
            assertThat(t.isLockedOut(a)).isFalse();
            assertThat(t.recordFailure(a)).isEqualTo(Duration.ofMillis(millis));
        }
        t.recordFailure(a);
        assertThat(t.isLockedOut(a)).isTrue();
        assertThat(t.isLockedOut(InetAddress.getByName("192.0.2.2"))).isFalse();
    }

    @Test
    void failuresAreForgottenOnceTheLockoutTimeHasPassedSinceTheLastOne() throws Exception {
        TestClock clock = TestClock.at("2025-01-01T00:00:00Z");
        AuthThrottle t = new AuthThrottle(2, Duration.ZERO, Duration.ofMinutes(15), clock);
        InetAddress a = InetAddress.getByName("2001:db8::1");
        t.recordFailure(a);
        clock.advance(Duration.ofMinutes(10));
        t.recordFailure(a);
        assertThat(t.isLockedOut(a)).isTrue();
        clock.advance(Duration.ofMinutes(14));
        assertThat(t.isLockedOut(a)).as("15 minutes from the last failure, not the first").isTrue();
        clock.advance(Duration.ofMinutes(1));
        assertThat(t.isLockedOut(a)).isFalse();
        assertThat(t.failures(a)).isZero();
    }

    @Test
    void theNumberOfTrackedAddressesIsBounded() throws Exception {
        AuthThrottle t = new AuthThrottle(1, Duration.ZERO, Duration.ofMinutes(15), TestClock.at("2025-01-01T00:00:00Z"));
        InetAddress first = InetAddress.getByName("10.0.0.0");
        t.recordFailure(first);
        for (int i = 1; i <= AuthThrottle.MAX_TRACKED; i++) {
            t.recordFailure(InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i}));
        }
        assertThat(t.failures(first)).as("the oldest entry made room").isZero();
        assertThat(t.isLockedOut(InetAddress.getByName("10.0.39.16"))).isTrue();
    }
}
