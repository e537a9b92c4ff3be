package org.calicojava.felix.nft;

import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.netlink.nft.NftBatch;

/** For the benches outside this package: the netlink batch of a cold start into an empty table, as the agent encodes it. */
public final class BenchBatch {
    private BenchBatch() {}

    /** The whole of {@code d}'s ruleset from an empty state, one transaction (the agent's encoder, no handles asked). */
    public static NftBatch coldStart(DesiredDataplane d) {
        return NftNetlinkWriter.batch(
                new NftState().diff(new NftModel().build(d)).ops());
    }
}
