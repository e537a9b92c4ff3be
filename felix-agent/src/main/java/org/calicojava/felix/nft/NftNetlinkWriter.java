package org.calicojava.felix.nft;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.calicojava.model.Cidr;
import org.calicojava.netlink.nft.Bytes;
import org.calicojava.netlink.nft.Expr;
import org.calicojava.netlink.nft.NftBatch;
import org.calicojava.netlink.nft.NftFamily;
import org.calicojava.netlink.nft.NftSet;
import org.calicojava.netlink.nft.Rule;
import org.calicojava.netlink.nft.SetElement;
import org.calicojava.netlink.nft.Verdict;

/**
 * The transaction of an {@link NftState.Diff} as one netlink batch ({@link NftBatch}): the same steps its nft script
 * takes ({@link NftOp}), a chain rewritten as a flush (DELRULE without a handle) and its rules appended, or edited
 * by handle ({@link NftOp.EditChain}: DELRULE, NEWRULE with NLM_F_REPLACE, then appends); each rule's comment
 * {@code cali:HASH} in its user data, as nft writes it. Sets and maps created in the batch are referred to by their
 * transaction ids. Interval set members are written one range each (start and an end element after it), never
 * merged, so each reads back as the member it is ({@link NftIntervals}), in address order, led by nft's end element
 * at address 0 when the set had no members.
 */
final class NftNetlinkWriter {
    private static final NftFamily F = NftFamily.INET;
    private static final String T = NftNames.TABLE;

    private NftNetlinkWriter() {}

    /** The batch for {@code ops}, new rules' handles not reported; see {@link #write}. */
    static NftBatch batch(List<NftOp> ops) {
        return write(ops, false).batch();
    }

    /**
     * A batch and where its chains' rules went, so that the handles the kernel gives them can be recorded
     * ({@link Written#handles}).
     */
    record Written(NftBatch batch, List<Added> added) {
        /**
         * The handles of every written chain's rules after {@code commit}, in order: the kept rules' and those the
         * kernel reported for the new ones; chains with a rule whose handle was not reported are left out.
         */
        Map<String, long[]> handles(org.calicojava.netlink.NftCommit commit) {
            Map<String, long[]> out = new HashMap<>();
            for (Added a : added) {
                long[] h = java.util.Arrays.copyOf(
                        a.kept(), a.kept().length + a.messages().size());
                boolean all = true;
                for (int i = 0; i < a.messages().size() && all; i++) {
                    h[a.kept().length + i] = commit.handle(a.messages().get(i));
                    all = h[a.kept().length + i] > 0; // the kernel's handles start at 1
                }
                if (all) {
                    out.put(a.chain(), h);
                }
            }
            return out;
        }
    }

    /**
     * The rules of {@code chain} after its {@code kept} ones, by the batch's messages that replace or add them (a
     * rule with a port list has its anonymous set's messages before its own).
     */
    record Added(String chain, long[] kept, List<Integer> messages) {}

    /**
     * The batch for {@code ops}; IllegalArgumentException when a chain has no netlink expressions. {@code echo}:
     * the kernel reports each new rule's handle (NLM_F_ECHO; a cold start's batch of 80,000 rules goes without).
     */
    static Written write(List<NftOp> ops, boolean echo) {
        NftBatch b = new NftBatch().errorsOnly();
        if (!echo) {
            b.withoutHandles();
        }
        List<Added> added = echo ? new ArrayList<>() : null; // without an echo there are no handles to place
        Map<String, Integer> ids = new HashMap<>();
        for (NftOp op : ops) {
            if (op instanceof NftOp.AddSet s) {
                ids.put(s.name(), ids.size() + 1);
            } else if (op instanceof NftOp.AddMap m) {
                ids.put(m.name(), ids.size() + 1);
            }
        }
        b.reserve(estimate(ops));
        NftBatchSets sets = new NftBatchSets(b, F, T, ids, ids.size() + 1);
        Map<NftChain.Exprs, List<Expr>> rendered = new IdentityHashMap<>();
        for (NftOp op : ops) {
            write(b, op, ids, sets, rendered, added);
        }
        return new Written(b, added == null ? List.of() : added);
    }

    /**
     * About the batch's size in bytes (a rule of ours takes 100-400 bytes, 277 on average in the bench's cold start
     * at 10,000 endpoints; a map element about 60, an address range about 50), so that one buffer mostly holds it.
     */
    private static int estimate(List<NftOp> ops) {
        long n = 0;
        for (NftOp op : ops) {
            if (op instanceof NftOp.FillChain f) {
                n += 96 + 280L * f.chain().rules().size();
            } else if (op instanceof NftOp.MapElements m) {
                n += 64L * (m.add().size() + m.delete().size());
            } else if (op instanceof NftOp.SetElements e) {
                n += 48L * (e.add().size() + e.delete().size());
            } else {
                n += 96;
            }
        }
        return (int) Math.min(n, 64L << 20); // beyond that the buffer grows as it fills
    }

    /**
     * {@code rendered}: each statement's expressions rendered once per batch (chains of equal rules share their
     * {@link NftChain.Exprs}, {@link NftModel}), so the batch encodes each distinct list once.
     */
    private static void write(
            NftBatch b,
            NftOp op,
            Map<String, Integer> ids,
            NftBatchSets sets,
            Map<NftChain.Exprs, List<Expr>> rendered,
            List<Added> added) {
        if (op instanceof NftOp.AddTable) {
            b.addTable(F, T);
        } else if (op instanceof NftOp.AddSet s) {
            boolean v4 = s.version() == 4;
            b.addSet(
                    F,
                    T,
                    NftSet.of(
                            s.name(),
                            v4 ? NftSet.TYPE_IPV4 : NftSet.TYPE_IPV6,
                            v4 ? 4 : 16,
                            true,
                            NftSet.BIG_ENDIAN,
                            ids.get(s.name())));
        } else if (op instanceof NftOp.SetElements e) {
            if (!e.delete().isEmpty()) {
                b.deleteElements(F, T, e.name(), intervals(e.delete(), false));
            }
            if (!e.add().isEmpty()) {
                b.addElements(F, T, e.name(), ids.getOrDefault(e.name(), 0), intervals(e.add(), e.wasEmpty()));
            }
        } else if (op instanceof NftOp.AddMap m) {
            b.addSet(F, T, NftSet.verdictMap(m.name(), NftSet.TYPE_IFNAME, 16, NftSet.HOST_ENDIAN, ids.get(m.name())));
        } else if (op instanceof NftOp.DeclareChain d) {
            NftChain c = d.chain();
            if (c.base() != null) {
                NftNames.Hook h = c.base();
                b.addBaseChain(F, T, c.name(), h.type(), h.hook(), h.priority(), true);
            } else {
                b.addChain(F, T, c.name());
            }
        } else if (op instanceof NftOp.FillChain fill) {
            b.flushChain(F, T, fill.chain().name());
            List<Integer> messages = added == null ? null : new ArrayList<>();
            append(b, fill.chain(), 0, messages, sets, rendered);
            if (added != null) {
                added.add(new Added(fill.chain().name(), new long[0], messages));
            }
        } else if (op instanceof NftOp.EditChain edit) {
            NftChain c = edit.chain();
            for (long h : edit.deleted()) {
                b.deleteRule(F, T, c.name(), h);
            }
            long[] replaced = edit.replaced();
            List<Integer> messages = added == null ? null : new ArrayList<>();
            for (int i = 0; i < replaced.length; i++) {
                Rule r = rule(c, edit.keep() + i, sets, rendered); // a port list's set goes first
                int message = b.replaceRule(F, T, c.name(), replaced[i], r);
                if (messages != null) {
                    messages.add(message);
                }
            }
            append(b, c, edit.keep() + replaced.length, messages, sets, rendered);
            if (added != null) {
                added.add(new Added(c.name(), java.util.Arrays.copyOf(edit.handles(), edit.keep()), messages));
            }
        } else if (op instanceof NftOp.MapElements m) {
            if (!m.delete().isEmpty()) {
                b.deleteElements(
                        F,
                        T,
                        m.map(),
                        m.delete().stream()
                                .map(k -> SetElement.of(Bytes.ifname(k)))
                                .toList());
            }
            if (!m.add().isEmpty()) {
                List<SetElement> add = new ArrayList<>();
                m.add().forEach((k, v) -> add.add(SetElement.mapping(Bytes.ifname(k), Verdict.goTo(v))));
                b.addElements(F, T, m.map(), ids.getOrDefault(m.map(), 0), add);
            }
        } else if (op instanceof NftOp.FlushChain f) {
            b.flushChain(F, T, f.name());
        } else if (op instanceof NftOp.DeleteMap d) {
            b.deleteSet(F, T, d.name());
        } else if (op instanceof NftOp.DeleteChain d) {
            b.deleteChain(F, T, d.name());
        } else if (op instanceof NftOp.DeleteSet d) {
            b.deleteSet(F, T, d.name());
        }
    }

    /**
     * Appends the rules of {@code c} from {@code from} on, one message each; their indexes go to {@code messages}
     * (null: not wanted).
     */
    private static void append(
            NftBatch b,
            NftChain c,
            int from,
            List<Integer> messages,
            NftBatchSets sets,
            Map<NftChain.Exprs, List<Expr>> rendered) {
        for (int i = from; i < c.rules().size(); i++) {
            Rule r = rule(c, i, sets, rendered); // a port list's set goes first
            int message = b.addRule(F, T, c.name(), r);
            if (messages != null) {
                messages.add(message);
            }
        }
    }

    private static Rule rule(NftChain c, int i, NftBatchSets sets, Map<NftChain.Exprs, List<Expr>> rendered) {
        if (c.exprs() == null) {
            throw new IllegalArgumentException("nft chain " + c.name() + ": no netlink expressions");
        }
        return new Rule(
                expressions(c.exprs().get(i), sets, rendered),
                "cali:" + c.hashes().get(i));
    }

    /**
     * Loads and compiles the encoders on the calling thread (a background thread while the agent syncs): batches of
     * the static chains of both families and an endpoint's chains, built and thrown away, nothing sent.
     */
    static void warmUp() {
        List<org.calicojava.felix.rules.Chain> chains = new ArrayList<>();
        for (int v : new int[] {4, 6}) {
            chains.addAll(org.calicojava.felix.rules.StaticChains.filter(v, "cali", "DROP"));
            chains.addAll(org.calicojava.felix.rules.StaticChains.nat(v));
        }
        chains.add(org.calicojava.felix.rules.EndpointChains.toWorkload("caliwarm0", List.of("p")));
        chains.add(org.calicojava.felix.rules.EndpointChains.fromWorkload("caliwarm0", List.of("p")));
        chains.addAll(
                org.calicojava.felix.rules.TierChains.inbound(List.of(new org.calicojava.felix.rules.TierChains.Tier(
                        "warm",
                        List.of(new org.calicojava.felix.rules.TierChains.Applied("warm.p", "p", "cali4-warm"))))));
        List<NftOp> ops = new ArrayList<>();
        ops.add(new NftOp.AddTable());
        ops.add(new NftOp.AddSet("cali4-warm", 4));
        ops.add(new NftOp.SetElements("cali4-warm", 4, List.of("10.0.0.1"), List.of("10.0.0.0/24", "10.1.0.1"), false));
        ops.add(new NftOp.AddMap("warm-map"));
        ops.add(new NftOp.MapElements("warm-map", List.of("a"), Map.of("caliwarm0", "cali-tw-caliwarm0")));
        for (org.calicojava.felix.rules.Chain c : chains) {
            NftChain n = NftModel.chain(c.name(), null, null, c.rules());
            ops.add(new NftOp.DeclareChain(n));
            ops.add(new NftOp.FillChain(n));
        }
        for (int i = 0; i < 50; i++) {
            batch(ops).datagram();
        }
    }

    /**
     * The statement's expressions, from {@code rendered} when this batch rendered them before. One that made an
     * anonymous set (a port list, {@link NftBatchSets#ports}) is rendered again for every rule: the kernel binds an
     * anonymous set to one rule only, and refuses a second (EBUSY, the whole transaction).
     */
    private static List<Expr> expressions(
            NftChain.Exprs e, NftBatchSets sets, Map<NftChain.Exprs, List<Expr>> rendered) {
        List<Expr> done = rendered.get(e);
        if (done != null) {
            return done;
        }
        int anonymous = sets.anonymousSets();
        List<Expr> out = List.copyOf(e.render(sets));
        if (sets.anonymousSets() == anonymous) {
            rendered.put(e, out);
        }
        return out;
    }

    /**
     * Each member (an address or prefix) as its own range, a start element and an end element after it, in address
     * order, as nft sends them; with {@code first} (members added to a set that had none), first an end element at
     * address 0 unless a range starts there (nft's leading element, so the kernel's interval tree knows the gap before
     * the first range; nft adds it only then).
     */
    static List<SetElement> intervals(List<String> members, boolean first) {
        List<BigInteger[]> ranges = new ArrayList<>(members.size());
        int length = 4;
        for (String m : members) {
            Cidr c = Cidr.parse(m);
            byte[] addr = c.address().getAddress();
            length = addr.length;
            BigInteger size = BigInteger.ONE.shiftLeft(addr.length * 8 - c.prefixLength());
            BigInteger start = new BigInteger(1, addr);
            start = start.subtract(start.mod(size));
            ranges.add(new BigInteger[] {start, start.add(size)});
        }
        ranges.sort(java.util.Comparator.comparing((BigInteger[] r) -> r[0]));
        List<SetElement> out = new ArrayList<>(members.size() * 2 + 1);
        if (first && !ranges.isEmpty() && ranges.get(0)[0].signum() != 0) {
            out.add(SetElement.end(SetElement.key(BigInteger.ZERO, length)));
        }
        for (BigInteger[] r : ranges) {
            out.add(SetElement.of(SetElement.key(r[0], length)));
            if (r[1].bitLength() <= length * 8) {
                out.add(SetElement.end(SetElement.key(r[1], length)));
            }
        }
        return out;
    }
}
