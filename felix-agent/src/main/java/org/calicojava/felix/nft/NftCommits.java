package org.calicojava.felix.nft;

import java.util.List;
import java.util.Map;
import org.calicojava.felix.agent.Metrics;
import org.calicojava.netlink.NftCommit;
import org.calicojava.netlink.NftTransactionException;
import org.calicojava.netlink.nft.NftBatch;
import org.calicojava.process.CommandRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the steps of one transaction reach the kernel ({@link NftBackend} decides which and when): over netlink, one
 * {@link NftBatch} ({@link NftNetlinkWriter}) through a {@link BatchSender}, or as text with {@code nft -f -}. Owned by
 * the dataplane thread.
 */
final class NftCommits {
    private static final Logger LOG = LoggerFactory.getLogger(NftCommits.class);
    /** {@link #netlink}'s answer when the batch could not be built or sent, or its outcome is unknown. */
    static final String FALLBACK = "fallback";
    /**
     * New rules in one transaction up to which the kernel is asked for their handles (NLM_F_ECHO): each comes back as
     * a message, which the socket's receive buffer must hold until the transaction's answers are read.
     */
    static final int ECHO_MAX_RULES = 4096;

    private static final int ENOENT = 2;
    /**
     * The attribute the kernel names (extended ack) when a rule's handle is not in the chain; a replaced rule's goto
     * to a missing chain or lookup of a missing set is ENOENT too, but names the rule's expressions (a kernel without
     * the ack names none: then ENOENT on a replace or delete is taken as a stale handle).
     */
    private static final int NFTA_RULE_HANDLE = 3;

    /** How a netlink batch is sent: {@code NftKernel.commit} (tests make it fail). */
    interface BatchSender {
        NftCommit send(NftBatch batch);
    }

    private final CommandRunner runner;
    private final Metrics metrics;
    BatchSender sender;
    private boolean fellBack;
    private boolean staleHandle;

    NftCommits(CommandRunner runner, Metrics metrics) {
        this.runner = runner;
        this.metrics = metrics;
    }

    /**
     * Sends {@code ops} as one netlink transaction: null when committed (the handles of the written chains' rules
     * added to {@code learned} when {@code echo}), the error when the kernel refused it (nothing applied),
     * {@link #FALLBACK} when it could not be built or sent or its answers were lost (logged once).
     */
    String netlink(List<NftOp> ops, int changes, boolean echo, Map<String, long[]> learned) {
        staleHandle = false;
        try {
            long e0 = System.nanoTime();
            NftNetlinkWriter.Written written = NftNetlinkWriter.write(ops, echo);
            long e1 = System.nanoTime();
            metrics.addSeconds("felix_nft_encode_seconds", (e1 - e0) / 1e9);
            try {
                NftCommit commit = sender.send(written.batch());
                if (echo && commit != null) {
                    learned.putAll(written.handles(commit));
                }
            } finally {
                metrics.addSeconds("felix_nft_kernel_seconds", (System.nanoTime() - e1) / 1e9);
            }
            metrics.inc("felix_nft_netlink_commits");
            return null;
        } catch (NftTransactionException e) {
            staleHandle = e.failures().stream()
                    .anyMatch(f -> f.error().errno() == ENOENT
                            && (f.attribute() == NFTA_RULE_HANDLE || f.attribute() < 0)
                            && String.valueOf(f.request()).matches("(replace|delete) rule .*"));
            return "nftables netlink transaction (" + changes + " changes): " + e.getMessage();
        } catch (RuntimeException e) {
            metrics.inc("felix_nft_netlink_fallbacks");
            if (!fellBack) {
                fellBack = true;
                LOG.warn("nftables: netlink commit failed ({}), writing with nft -f instead", e.getMessage());
            }
            return FALLBACK;
        }
    }

    /**
     * Whether the kernel refused the last netlink transaction for a rule handle it does not have (ENOENT for the
     * handle of a replace or delete of a rule by handle): another program deleted or replaced that rule.
     */
    boolean staleHandle() {
        return staleHandle;
    }

    /** Runs {@code script} with nft -f: null when it succeeded, else the error. */
    String nftF(String script, String what) {
        CommandRunner.Result r = runner.run(List.of("nft", "-f", "-"), script);
        metrics.inc("felix_nft_calls");
        return r.ok() ? null : "nft -f (" + what + "): " + r.firstError();
    }

    /** Whether a transaction of {@code ops} asks for its new rules' handles: up to {@link #ECHO_MAX_RULES} of them. */
    static boolean echo(List<NftOp> ops) {
        long rules = 0;
        for (NftOp op : ops) {
            if (op instanceof NftOp.FillChain f) {
                rules += f.chain().rules().size();
            } else if (op instanceof NftOp.EditChain e) {
                rules += e.chain().rules().size() - e.keep();
            }
        }
        return rules <= ECHO_MAX_RULES;
    }
}
