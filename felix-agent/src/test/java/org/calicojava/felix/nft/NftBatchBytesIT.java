package org.calicojava.felix.nft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import org.calicojava.felix.calc.Calculator;
import org.calicojava.felix.calc.DatastoreState;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.calc.FelixConfig;
import org.calicojava.model.Keys;
import org.calicojava.netlink.nft.Expr;
import org.calicojava.netlink.nft.ExprCodec;
import org.calicojava.testing.NftMnlDump;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.Test;

/**
 * The whole first transaction of a host with varied policy, and an update of it (an endpoint gone, one new, a
 * profile rule changed: its chain edited by rule handle), as our netlink batch and as the batch {@code nft -f} sends
 * for the same transaction's text ({@link NftScript#plain}; captured with {@code nft --debug=mnl} in a namespace of
 * the test's own): message for message, the same types and the same bytes.
 */
class NftBatchBytesIT {
    private static final int SUBSYS = 10 << 8;
    private static final int NEWRULE = 6;
    private static final int NEWSETELEM = 12;

    /**
     * Endpoints 1 to {@code endpoints} (and {@code extra}, unless 0) of profile p1 with varied rules, one of them for
     * sctp port {@code sctpPort}.
     */
    static DesiredDataplane varied(int endpoints, int extra, int sctpPort) {
        Keys keys = new Keys();
        DatastoreState state = new DatastoreState(keys, "h1");
        state.apply(keys.profileRules("p1"), """
                {"inbound_rules":[
                  {"action":"allow","protocol":"tcp","dst_ports":[80,443,"8000:8080"]},
                  {"action":"allow","protocol":"udp","src_ports":[53]},
                  {"action":"allow","protocol":"udp","src_ports":[53,5353]},
                  {"action":"deny","protocol":"tcp","!dst_ports":[22,23]},
                  {"action":"log","protocol":"udplite","dst_ports":["1000:2000"]},
                  {"action":"deny","protocol":"icmp","icmp_type":8,"icmp_code":0,"src_net":"10.0.0.0/8"},
                  {"action":"allow","protocol":"sctp","dst_ports":[SCTP]},
                  {"action":"allow","src_tag":"web"},
                  {"action":"allow","src_selector":"role == 'db'"},
                  {"action":"deny","protocol":"tcp","!dst_ports":[22]},
                  {"action":"allow","protocol":"icmpv6","icmp_type":128,"src_net":"fd00::/8"}],
                 "outbound_rules":[{"action":"allow"}]}""".replace("SCTP", "" + sctpPort));
        state.apply(keys.profileTags("p1"), "[\"web\"]");
        for (int i : java.util.stream.IntStream.concat(
                        java.util.stream.IntStream.rangeClosed(1, endpoints), java.util.stream.IntStream.of(extra))
                .filter(i -> i > 0)
                .toArray()) {
            state.apply(
                    keys.endpoint("h1", "k8s", "wl-" + i, "e" + i),
                    "{\"state\":\"active\",\"name\":\"cali" + i + "\",\"profile_ids\":[\"p1\"],"
                            + "\"labels\":{\"role\":\"db\"},\"ipv4_nets\":[\"10.1.0." + i + "/32\"],"
                            + "\"ipv6_nets\":[\"fd00::" + i + "/128\"]}");
        }
        return new Calculator(x -> {}).calculate(state, FelixConfig.defaults());
    }

    @Test
    void theFirstTransactionIsTheBatchNftSendsForItsText() throws Exception {
        Sh.require("ip", "nft");
        NftState.Diff diff = new NftState().diff(new NftModel().build(varied(12, 0, 9000)));
        List<NftMnlDump> ours =
                NftMnlDump.split(NftNetlinkWriter.batch(diff.ops()).datagram());
        List<NftMnlDump> nft = nftSends(NftScript.plain(diff.ops()));
        assertThat(ours).hasSizeGreaterThan(50);
        for (int i = 0; i < Math.min(ours.size(), nft.size()); i++) {
            assertThat(ours.get(i)).as("message %d of %d", i, ours.size()).isEqualTo(nft.get(i));
        }
        assertThat(ours).hasSameSizeAs(nft);
    }

    /**
     * An update against the table as the kernel holds it (read back with {@code nft -j}, so with rule handles):
     * endpoint 12's chains, map elements and set members deleted, endpoint 13's added to sets that have members (no
     * leading zero element then), the profile's chain edited from its changed rule.
     */
    @Test
    void anUpdateIsTheBatchNftSendsForItsText() throws Exception {
        Sh.require("ip", "nft");
        String ns = "nb-" + UUID.randomUUID().toString().substring(0, 6);
        try {
            Sh.ok("ip", "netns", "add", ns);
            NftModel model = new NftModel();
            nftSends(
                    ns,
                    NftScript.plain(new NftState()
                            .diff(model.build(varied(12, 0, 9000)))
                            .ops()));
            NftState read =
                    NftReadback.parse(Sh.ok("ip", "netns", "exec", ns, "nft", "-j", "list", "table", "inet", "calico"));
            NftState.Diff diff = read.diff(model.build(varied(11, 13, 9001)));
            assertThat(diff.ops()).anyMatch(op -> op instanceof NftOp.EditChain);
            List<NftMnlDump> ours =
                    NftMnlDump.split(NftNetlinkWriter.batch(diff.ops()).datagram());
            List<NftMnlDump> nft = nftSends(ns, NftScript.plain(diff.ops()));
            assertThat(ours).hasSizeGreaterThan(10);
            for (int i = 0; i < Math.min(ours.size(), nft.size()); i++) {
                assertThat(ours.get(i))
                        .as("message %d of %d", i, ours.size())
                        .isEqualTo(withoutCacheSetIds(nft.get(i), ours.get(i)));
            }
            assertThat(ours).hasSameSizeAs(nft);
        } finally {
            Sh.run("ip", "netns", "del", ns);
        }
    }

    /**
     * nft's message {@code nft}, or, when it differs from {@code ours} only in that, ours: nft also gives a lookup of a
     * set that existed before the transaction (NFTA_LOOKUP_SET_ID; compared decoded, the same expressions and the
     * other attributes the same bytes) and an element add to such a set (NFTA_SET_ELEM_LIST_SET_ID) the id of that
     * set in its cache, which the kernel uses only for a set made in the same transaction; our batch names such a set
     * by name alone.
     */
    private static NftMnlDump withoutCacheSetIds(NftMnlDump nft, NftMnlDump ours) {
        if (nft.type() == (NEWSETELEM | SUBSYS)
                && ours.type() == nft.type()
                && ours.attr(4) == null
                && nft.attr(4) != null
                && java.util.Arrays.equals(nft.without(4), ours.body())) {
            return ours; // NFTA_SET_ELEM_LIST_SET_ID of a set that existed before
        }
        if (nft.equals(ours) || nft.type() != (NEWRULE | SUBSYS) || ours.type() != nft.type()) {
            return nft;
        }
        List<Expr> theirs = new java.util.ArrayList<>(ExprCodec.decodeList(nft.attr(4)));
        List<Expr> mine = ExprCodec.decodeList(ours.attr(4));
        if (theirs.size() != mine.size() || !java.util.Arrays.equals(nft.without(4), ours.without(4))) {
            return nft;
        }
        for (int k = 0; k < theirs.size(); k++) {
            if (theirs.get(k) instanceof Expr.Lookup l
                    && mine.get(k) instanceof Expr.Lookup m
                    && m.setId() == 0
                    && !m.set().startsWith("__set")) {
                theirs.set(k, new Expr.Lookup(l.set(), 0, l.sreg(), l.dreg(), l.invert()));
            }
        }
        return theirs.equals(mine) ? ours : nft;
    }

    /** The batch (BATCH_BEGIN to BATCH_END) nft sends for {@code script}, run in a namespace of its own. */
    static List<NftMnlDump> nftSends(String script) throws Exception {
        String ns = "nb-" + UUID.randomUUID().toString().substring(0, 6);
        try {
            Sh.ok("ip", "netns", "add", ns);
            return nftSends(ns, script);
        } finally {
            Sh.run("ip", "netns", "del", ns);
        }
    }

    /** The batch nft sends for {@code script} in namespace {@code ns}, and commits there. */
    static List<NftMnlDump> nftSends(String ns, String script) throws Exception {
        return NftMnlDump.sent(ns, script);
    }
}
