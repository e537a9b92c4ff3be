package org.calicojava.confd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Invalid records are logged once per key (again when the reason changes or after the repeat interval) and counted. */
class InvalidRecordsTest {
    final AtomicLong now = new AtomicLong(1_000);
    final ConfdMetrics metrics = new ConfdMetrics();
    final InvalidRecords r = new InvalidRecords(metrics, 600, now::get);

    static Warnings.Invalid bad(String key, String reason) {
        return new Warnings.Invalid(key, reason);
    }

    @Test
    void aKeyIsLoggedOncePerReasonAndAgainAfterTheInterval() {
        assertThat(r.report(List.of(bad("/a", "x"), bad("/b\n", "y")))).isEqualTo(2);
        assertThat(metrics.invalidRecords()).isEqualTo(2);
        now.addAndGet(100);
        assertThat(r.report(List.of(bad("/a", "x"), bad("/b\n", "y")))).isZero(); // every render pass: quiet
        assertThat(r.report(List.of(bad("/a", "z"), bad("/b\n", "y")))).isEqualTo(1); // reason changed
        now.addAndGet(600);
        assertThat(r.report(List.of(bad("/a", "z"), bad("/b\n", "y")))).isEqualTo(2); // still bad after the interval
        assertThat(r.report(List.of(bad("/a", "z")))).isEqualTo(1); // "/b\n" valid again: one line
        assertThat(metrics.invalidRecords()).isEqualTo(1);
        assertThat(r.report(List.of())).isEqualTo(1);
        assertThat(metrics.invalidRecords()).isZero();
    }

    @Test
    void theLogLineQuotesKeyAndReason() {
        assertThat(bad("/calico/x\nWARN forged", "bad 'y\n'").toString())
                .isEqualTo("\"/calico/x\\nWARN forged\": \"bad 'y\\n'\"");
    }
}
