package org.calicojava.netlink;

import java.util.Arrays;

/**
 * A committed nftables transaction: the generation after it and the handle the kernel gave each new rule (by the
 * message index {@code NftBatch.addRule} returned; -1 when not reported: a batch without handles).
 */
public record NftCommit(long generation, long[] handles) {
    public long handle(int messageIndex) {
        return messageIndex < handles.length ? handles[messageIndex] : -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NftCommit c && c.generation == generation && Arrays.equals(c.handles, handles);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(generation) * 31 + Arrays.hashCode(handles);
    }

    @Override
    public String toString() {
        return "NftCommit[generation=" + generation + ", rules="
                + Arrays.stream(handles).filter(h -> h >= 0).count() + "]";
    }
}
