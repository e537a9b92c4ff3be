package org.calicojava.bgp.rib;

import java.util.Arrays;
import java.util.function.Consumer;

/** The decision process per destination: picks the best path, queues the change to every peer and the kernel, tells watchers. */
final class Decision {
    private final Rib rib;
    /** Destinations left without paths: freed after the next flush (when no peer's queue holds them any more). */
    private int[] emptied = new int[64];

    private int emptiedCount;
    private long runs;

    Decision(Rib rib) {
        this.rib = rib;
    }

    private Path select(int d) {
        Object o = rib.loc.paths[d];
        if (o instanceof Path p) {
            return p.attrs != null ? p : null;
        }
        return o == null ? null : rib.best.select((Path[]) o);
    }

    /** Decides destination {@code d} again after one of its paths changed. */
    void decide(int d) {
        Table loc = rib.loc;
        for (PeerInfo t : rib.peerList) {
            if (t.established && !t.addPathSend.isEmpty()) {
                rib.out.export(t, d); // any path may matter
            }
        }
        Path was = loc.best[d];
        Path now = select(d);
        runs++;
        if (now == was) { // paths are immutable and shared: the same object is the same route
            if (rib.rc.multipath()) {
                rib.kernelOut.mark(loc.prefix(d));
            }
            return;
        }
        loc.best[d] = now;
        for (PeerInfo t : rib.peerList) {
            if (t.established) {
                rib.out.export(t, d);
            }
        }
        rib.kernelOut.mark(loc.prefix(d));
        if (now == null && loc.paths[d] == null) {
            if (emptiedCount == emptied.length) {
                emptied = Arrays.copyOf(emptied, emptiedCount * 2);
            }
            emptied[emptiedCount++] = d;
        }
        if (!rib.watchers.isEmpty()) {
            String line = (now == null ? "withdraw " : "best ")
                    + loc.prefix(d)
                    + (now == null ? "" : " " + RibStatus.describe(now));
            for (Consumer<String> w : rib.watchers) {
                w.accept(line);
            }
        }
    }

    /** Decisions made since the last call. */
    long takeRuns() {
        long r = runs;
        runs = 0;
        return r;
    }

    /** Frees the destinations left empty, once every peer has had their withdrawal. */
    void freeEmptied() {
        Table loc = rib.loc;
        for (int i = 0; i < emptiedCount; i++) {
            int d = emptied[i];
            if (!loc.live(d) || loc.paths[d] != null || loc.best[d] != null) {
                continue;
            }
            boolean sent = false; // every peer has had the withdrawal (out 0) before the index can serve another prefix
            for (PeerInfo t : rib.peerList) {
                sent |= rib.out.has(t, d);
            }
            if (!sent) {
                loc.remove(d);
            }
        }
        emptiedCount = 0;
        if (emptied.length > 4096) {
            emptied = new int[64];
        }
    }
}
