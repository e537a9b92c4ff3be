package org.calicojava.felix.nft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import org.calicojava.felix.agent.Metrics;
import org.calicojava.netlink.BatchException;
import org.calicojava.netlink.KernelException;
import org.calicojava.netlink.NftTransactionException;
import org.junit.jupiter.api.Test;

/**
 * Which refusals make the backend write a changed chain whole: ENOENT for the handle of a replace or delete (the
 * attribute the kernel names, {@code NftWriterIT.theKernelNamesTheAttributeItRefused}), or naming none (a kernel
 * without extended acks); not a replaced rule's goto to a missing chain or lookup of a missing set, whose retry could
 * only fail the same way.
 */
class NftCommitsTest {
    private static final int NFTA_RULE_CHAIN = 2;
    private static final int NFTA_RULE_HANDLE = 3;
    private static final int NFTA_RULE_EXPRESSIONS = 4;

    @Test
    void onlyARefusedHandleIsAStaleHandle() {
        String replace = "replace rule inet calico cali-pro-x (rule #0 of the batch)";
        String delete = "delete rule inet calico cali-pro-x handle 7";
        assertThat(stale(replace, 2, NFTA_RULE_HANDLE)).isTrue();
        assertThat(stale(delete, 2, NFTA_RULE_HANDLE)).isTrue();
        assertThat(stale(replace, 2, -1)).as("the kernel named no attribute").isTrue();
        assertThat(stale(replace, 2, NFTA_RULE_EXPRESSIONS))
                .as("a missing set or chain")
                .isFalse();
        assertThat(stale(replace, 2, NFTA_RULE_CHAIN))
                .as("the chain itself is gone")
                .isFalse();
        assertThat(stale(replace, 22, NFTA_RULE_HANDLE)).as("EINVAL").isFalse();
        assertThat(stale("add rule inet calico cali-pro-x (rule #0 of the batch)", 2, -1))
                .as("an added rule has no handle")
                .isFalse();
    }

    private static boolean stale(String request, int errno, int attribute) {
        NftCommits commits = new NftCommits(
                (argv, stdin, timeout) -> {
                    throw new AssertionError("no nft -f here");
                },
                new Metrics());
        commits.sender = batch -> {
            throw new NftTransactionException(
                    1,
                    List.of(new BatchException.Failure(
                            0, request, new KernelException(request, errno, "refused", null), attribute)));
        };
        String error = commits.netlink(List.of(), 1, false, new HashMap<>());
        assertThat(error).startsWith("nftables netlink transaction (1 changes)");
        return commits.staleHandle();
    }
}
