package org.calicojava.felix.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ProblemLogTest {
    @Test
    void aBadKeyIsLoggedAtMostOncePerIntervalPerKey() {
        AtomicLong now = new AtomicLong(1);
        ProblemLog log = new ProblemLog(LoggerFactory.getLogger(ProblemLogTest.class), now::get);
        assertThat(log.badKey("/calico/v1/a\nforged line", "null")).isTrue();
        assertThat(log.badKey("/calico/v1/a\nforged line", "other reason")).isFalse();
        assertThat(log.badKey("/calico/v1/b", "null")).isTrue();
        now.addAndGet(ProblemLog.KEY_INTERVAL_NANOS);
        assertThat(log.badKey("/calico/v1/a\nforged line", "null")).isTrue();
    }
}
