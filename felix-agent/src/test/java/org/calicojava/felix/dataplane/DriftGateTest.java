package org.calicojava.felix.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** When a refresh may skip its read-back: only when no commit but ours, counted exactly, happened since. */
class DriftGateTest {
    private final AtomicLong kernel = new AtomicLong(7);
    private final DriftGate gate = new DriftGate(kernel::get);

    @Test
    void nothingIsUnchangedBeforeAVerifiedReadBack() {
        assertThat(gate.unchanged(gate.now())).isFalse();
        gate.verified(gate.now());
        assertThat(gate.unchanged(gate.now())).isTrue();
        kernel.incrementAndGet(); // someone else's commit
        assertThat(gate.unchanged(gate.now())).isFalse();
    }

    @Test
    void ourOwnCommitKeepsTheMarkOnlyWhenNothingElseCommittedInBetween() {
        gate.verified(gate.now());
        long before = gate.now();
        kernel.incrementAndGet(); // our transaction
        gate.written(before, gate.now(), 1);
        assertThat(gate.unchanged(gate.now())).isTrue();

        before = gate.now();
        kernel.addAndGet(2); // ours and someone else's
        gate.written(before, gate.now(), 1);
        assertThat(gate.unchanged(gate.now())).isFalse();
    }

    @Test
    void writesNotCountedExactlyForgetTheMarkUnlessNothingWasCommitted() {
        gate.verified(gate.now());
        long before = gate.now();
        gate.written(before, gate.now(), 0); // nothing to write: no commit at all
        assertThat(gate.unchanged(gate.now())).isTrue();
        kernel.incrementAndGet();
        gate.written(before, gate.now(), 0);
        assertThat(gate.unchanged(gate.now())).isFalse();
    }

    @Test
    void aWriteFromAnUnverifiedStateOrAnUnknownGenerationNeverVerifies() {
        long before = gate.now();
        kernel.incrementAndGet();
        gate.written(before, gate.now(), 1);
        assertThat(gate.unchanged(gate.now())).as("never read back").isFalse();

        DriftGate unknown = new DriftGate(DriftGate.UNKNOWN);
        unknown.verified(unknown.now());
        assertThat(unknown.unchanged(unknown.now())).isFalse();
    }

    @Test
    void theGenerationWrapsAt32Bits() {
        kernel.set(0xffffffffL);
        gate.verified(gate.now());
        kernel.set(0);
        gate.written(0xffffffffL, 0, 1);
        assertThat(gate.unchanged(0)).isTrue();
    }
}
