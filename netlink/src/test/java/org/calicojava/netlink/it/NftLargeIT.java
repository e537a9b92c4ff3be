package org.calicojava.netlink.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.calicojava.netlink.IpPrefix;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.NfTables;
import org.calicojava.netlink.NftCommit;
import org.calicojava.netlink.NftRule;
import org.calicojava.netlink.NftTable;
import org.calicojava.netlink.NftTransactionException;
import org.calicojava.netlink.nft.Bytes;
import org.calicojava.netlink.nft.Expr;
import org.calicojava.netlink.nft.NftBatch;
import org.calicojava.netlink.nft.NftFamily;
import org.calicojava.netlink.nft.NftSet;
import org.calicojava.netlink.nft.Rule;
import org.calicojava.netlink.nft.SetElement;
import org.calicojava.netlink.nft.Verdict;
import org.calicojava.testing.Sh;
import org.junit.jupiter.api.Test;

/** Big transactions (megabytes in one datagram, elements over many messages) and a failure only the commit finds. */
class NftLargeIT {
    @Test
    void fiveThousandRulesAndTenThousandElementsInOneTransaction() {
        try (TestNs ns = new TestNs();
                NfTables nf = NetNs.run(ns.name, NfTables::open)) {
            int n = 5000;
            List<IpPrefix> hosts = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                hosts.add(IpPrefix.parse("10." + (i >> 8) + "." + (i & 0xff) + ".1/32"));
            }
            List<SetElement> elements = SetElement.intervals(hosts);
            NftBatch b = new NftBatch();
            b.addTable(NftFamily.IP, "big");
            b.addSet(NftFamily.IP, "big", NftSet.of("hosts", NftSet.TYPE_IPV4, 4, true, NftSet.BIG_ENDIAN, 1));
            int firstElements = b.addElements(NftFamily.IP, "big", "hosts", 1, elements);
            b.addChain(NftFamily.IP, "big", "c");
            int before = b.size();
            List<Integer> rules = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                rules.add(b.addRule(
                        NftFamily.IP,
                        "big",
                        "c",
                        new Rule(
                                List.of(
                                        new Expr.Payload(Expr.Payload.NETWORK, 12, 4, 1),
                                        new Expr.Cmp(
                                                Expr.Cmp.EQ,
                                                1,
                                                Bytes.address(hosts.get(i).address())),
                                        Expr.Counter.ZERO,
                                        new Expr.Decision(Verdict.ACCEPT)),
                                "rule " + i)));
            }
            assertThat(before - firstElements - 1).as("NEWSETELEM messages").isGreaterThan(1);
            assertThat(b.datagram().limit()).as("one datagram").isGreaterThan(1 << 20);
            NftCommit c = nf.commit(b);
            List<NftRule> back = nf.rules(2, "big");
            assertThat(back).hasSize(n);
            for (int i = 0; i < n; i += 499) {
                assertThat(back.get(i).comment()).isEqualTo("rule " + i);
                assertThat(c.handle(rules.get(i))).isEqualTo(back.get(i).handle());
            }
            NftTable t = nf.table(2, "big");
            assertThat(t.sets().get("hosts").elements()).hasSize(elements.size());
            assertThat(Sh.ok(Sh.in(ns.name, "nft", "list", "set", "ip", "big", "hosts")))
                    .contains("10.0.0.1", "10.19.135.1");
        }
    }

    @Test
    void aJumpLoopIsRefusedAndNothingIsApplied() {
        try (TestNs ns = new TestNs();
                NfTables nf = NetNs.run(ns.name, NfTables::open)) {
            long gen = nf.generation();
            NftBatch b = new NftBatch();
            b.addTable(NftFamily.INET, "loop");
            b.addBaseChain(NftFamily.INET, "loop", "in", "filter", NftBatch.INPUT, 0, true);
            b.addChain(NftFamily.INET, "loop", "a");
            b.addChain(NftFamily.INET, "loop", "b");
            b.addRule(NftFamily.INET, "loop", "in", Rule.of(new Expr.Decision(Verdict.jump("a"))));
            b.addRule(NftFamily.INET, "loop", "a", Rule.of(new Expr.Decision(Verdict.jump("b"))));
            b.addRule(NftFamily.INET, "loop", "b", Rule.of(new Expr.Decision(Verdict.jump("a"))));
            assertThatThrownBy(() -> nf.commit(b)).isInstanceOfSatisfying(NftTransactionException.class, e -> {
                assertThat(e.failures()).isNotEmpty();
                // 6.x kernels say EMLINK (jump depth/loop check), older ones ELOOP
                assertThat(e.failures().get(0).error().errnoName()).isIn("EMLINK", "ELOOP");
                System.out.println("jump loop refused: " + e.getMessage());
            });
            assertThat(nf.generation()).isEqualTo(gen);
            assertThat(nf.table(1, "loop")).isNull();
        }
    }

    @Test
    void aTransactionPreparedForAnOlderGenerationIsRefused() {
        try (TestNs ns = new TestNs();
                NfTables nf = NetNs.run(ns.name, NfTables::open)) {
            long gen = nf.generation();
            Sh.ok(Sh.in(ns.name, "nft", "add", "table", "ip", "other"));
            NftBatch stale = new NftBatch(gen);
            stale.addTable(NftFamily.IP, "mine");
            assertThatThrownBy(() -> nf.commit(stale)).isInstanceOfSatisfying(NftTransactionException.class, e -> {
                assertThat(e.failures()).hasSize(1);
                assertThat(e.failures().get(0).index()).as("the BEGIN message").isEqualTo(-1);
                assertThat(e.failures().get(0).error().errnoName()).isEqualTo("ERESTART");
            });
            assertThat(nf.table(2, "mine")).isNull();
            NftBatch current = new NftBatch(nf.generation());
            current.addTable(NftFamily.IP, "mine");
            assertThat(nf.commit(current).generation()).isEqualTo(gen + 2);
            assertThat(nf.table(2, "mine")).isNotNull();
        }
    }
}
