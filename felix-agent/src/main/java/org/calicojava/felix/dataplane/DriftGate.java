package org.calicojava.felix.dataplane;

import java.util.function.LongSupplier;

/**
 * Lets a refresh skip a read-back that cannot find drift. The kernel's nftables generation of the namespace moves
 * with every committed nftables transaction, whoever makes it (nft, iptables-nft, any other program), so while it
 * stays where it was when our tables last read back as we believe them to be, nothing in them can have changed.
 * Our own writes move it too: {@link #written} keeps the mark only when the generation moved by exactly our
 * transactions from a verified state; anything else (a write by someone else in between, an unknown generation,
 * a failed write) means the next refresh reads back. Thread-safe.
 */
public final class DriftGate {
    /** A gate that never skips (no generation to go by: iptables-legacy, or tests). */
    public static final LongSupplier UNKNOWN = () -> -1;

    private final LongSupplier generation;
    private volatile long verified = -1;

    public DriftGate(LongSupplier generation) {
        this.generation = generation;
    }

    /** The kernel's generation now, -1 when unknown. */
    public long now() {
        return generation.getAsLong();
    }

    /** Whether nothing changed since the last verified read-back (or verified write), as of generation {@code now}. */
    public boolean unchanged(long now) {
        return now >= 0 && now == verified;
    }

    /** A read-back that started at generation {@code at} has been taken as the truth. */
    public void verified(long at) {
        verified = at;
    }

    public void forget() {
        verified = -1;
    }

    /**
     * After a write: {@code before} and {@code after} are the generations read just before and after it,
     * {@code commits} how many nftables transactions it made (0: not known exactly).
     */
    public void written(long before, long after, int commits) {
        if (before >= 0 && after == before) {
            return; // nobody committed anything
        }
        boolean onlyOurs =
                commits > 0 && before >= 0 && before == verified && after == ((before + commits) & 0xffffffffL);
        verified = onlyOurs ? after : -1;
    }
}
