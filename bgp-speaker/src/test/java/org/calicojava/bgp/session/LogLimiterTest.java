package org.calicojava.bgp.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogLimiterTest {
    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final LogLimiter limiter = new LogLimiter(Duration.ofSeconds(10), now::get);

    @Test
    void oneLinePerPeerAndReasonPerIntervalWithTheCountOfSuppressedOnes() {
        assertThat(limiter.admit("p1", "update 3/1")).isZero();
        for (int i = 0; i < 699; i++) {
            assertThat(limiter.admit("p1", "update 3/1")).isEqualTo(-1);
        }
        assertThat(limiter.admit("p2", "update 3/1")).as("another peer").isZero();
        assertThat(limiter.admit("p1", "down 3/1")).as("another reason").isZero();
        now.addAndGet(Duration.ofSeconds(9).toNanos());
        assertThat(limiter.admit("p1", "update 3/1")).isEqualTo(-1);
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(limiter.admit("p1", "update 3/1")).isEqualTo(700);
        assertThat(limiter.suffix(700)).isEqualTo(" (700 more suppressed, at most one line per 10 s)");
        assertThat(limiter.suffix(0)).isEmpty();
        assertThat(limiter.admit("p1", "update 3/1")).isEqualTo(-1);
        now.addAndGet(Duration.ofSeconds(60).toNanos());
        assertThat(limiter.admit("p1", "update 3/1")).isEqualTo(1);
        assertThat(limiter.admit("p1", "update 3/1")).isEqualTo(-1);
    }

    @Test
    void keysStayBounded() {
        for (int i = 0; i < 10_000; i++) {
            limiter.admit("p" + i, "x");
        }
        assertThat(limiter.admit("p9999", "x"))
                .as("still limited within its interval")
                .isEqualTo(-1);
    }

    @Test
    void intervalMustBePositive() {
        assertThatThrownBy(() -> new LogLimiter(Duration.ZERO, now::get))
                .hasMessage("log interval: PT0S (expected: > 0)");
    }
}
