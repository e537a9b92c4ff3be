package org.calicojava.netlink;

import static org.calicojava.netlink.codec.Rtnl.NLM_F_DUMP;
import static org.calicojava.netlink.codec.Rtnl.NLM_F_REQUEST;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calicojava.netlink.codec.Attrs;
import org.calicojava.netlink.codec.MessageWriter;
import org.calicojava.netlink.codec.NlMessage;

/**
 * nftables over NETLINK_NETFILTER. Reads: the namespace's generation ({@code NFT_MSG_GETGEN}: the kernel increments
 * it once for every committed nftables transaction in the namespace, whoever sends it — nft, iptables-nft, any other
 * program — so while it stays the same no table has changed), the contents of one table ({@link NftTable}: chains
 * with their rules' comments, named sets and maps with their elements), dumped the way {@code nft list table} fetches
 * them, and a table's rules with their expressions decoded ({@link #rules}). Writes: {@link #commit} sends an
 * {@link org.calicojava.netlink.nft.NftBatch} as one transaction. The socket stays in the namespace of the thread
 * that opened it; the methods may be called from any thread (one request at a time).
 */
public final class NfTables implements AutoCloseable {
    static final int NETLINK_NETFILTER = 12;
    static final int SUBSYS = 10 << 8; // NFNL_SUBSYS_NFTABLES
    static final int NEWTABLE = 0;
    static final int GETTABLE = 1;
    static final int NEWCHAIN = 3;
    static final int GETCHAIN = 4;
    static final int NEWRULE = 6;
    static final int GETRULE = 7;
    static final int NEWSET = 9;
    static final int GETSET = 10;
    static final int NEWSETELEM = 12;
    static final int GETSETELEM = 13;
    static final int NEWGEN = 15;
    static final int DELRULE = 8;
    static final int GETGEN = 16;
    /** Attempts at a consistent read (the generation is the same before and after every dump). */
    static final int READ_ATTEMPTS = 5;

    private final Requester requester;
    private final NftTransport transport;

    private NfTables(Requester requester) {
        this.requester = requester;
        this.transport = new NftTransport(requester);
    }

    /**
     * Commits {@code batch} as one transaction: all of it is applied or, when the kernel refuses any message,
     * none ({@link NftTransactionException} names the messages). Returns the new generation and the handles of the
     * new rules.
     */
    public synchronized NftCommit commit(org.calicojava.netlink.nft.NftBatch batch) {
        return transport.commit(batch);
    }

    /** The rules of {@code table} (every chain, in chain order as dumped) with handles and decoded expressions. */
    public synchronized List<NftRule> rules(int family, String table) {
        return dump("rules", family, GETRULE, NEWRULE, table, null, m -> {
            Attrs a = attrs(m, "rule");
            if (!table.equals(string(a.get(1)))) {
                return null;
            }
            ByteBuffer exprs = a.get(4);
            return new NftRule(
                    string(a.get(2)),
                    org.calicojava.netlink.nft.ExprCodec.be64(a, 3),
                    exprs == null ? List.of() : org.calicojava.netlink.nft.ExprCodec.decodeList(exprs),
                    a.has(7) ? comment(a.get(7)) : null);
        });
    }

    /** Opens a socket in the calling thread's network namespace (see {@link NetNs#run} for another one). */
    public static NfTables open() {
        NetlinkSocket s = new NetlinkSocket(NETLINK_NETFILTER, 0);
        try {
            return new NfTables(new Requester(s));
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** The current generation (an unsigned 32-bit counter). */
    public synchronized long generation() {
        return requester.get(
                KernelException.Kind.OTHER,
                "get nftables generation",
                (w, seq) -> {
                    request(w, GETGEN, NLM_F_REQUEST, seq, 0);
                    w.end();
                },
                SUBSYS | NEWGEN,
                NfTables::decodeGeneration);
    }

    static long decodeGeneration(NlMessage m) {
        ByteBuffer id = attrs(m, "nftables generation").get(1); // NFTA_GEN_ID
        if (id == null || id.remaining() < 4) {
            throw new NetlinkCodecException("nftables generation: no NFTA_GEN_ID");
        }
        return Integer.toUnsignedLong(id.order(ByteOrder.BIG_ENDIAN).getInt(0));
    }

    /**
     * Table {@code name} of {@code family} (NFPROTO_INET = 1, IPv4 = 2, IPv6 = 10), or null when it does not exist.
     * Chains, rules, sets and elements are separate dumps; they are retried until the generation is the same before
     * and after them all, so the result is one consistent state.
     */
    public synchronized NftTable table(int family, String name) {
        for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
            long before = generation();
            NftTable t = readTable(family, name);
            if (generation() == before) {
                return t;
            }
        }
        throw new NetlinkException("nftables table " + name + ": changed during " + READ_ATTEMPTS + " reads in a row");
    }

    private NftTable readTable(int family, String name) {
        try {
            requester.get(
                    KernelException.Kind.OTHER,
                    "get nftables table " + name,
                    (w, seq) -> {
                        request(w, GETTABLE, NLM_F_REQUEST, seq, family);
                        w.attrString(1, name); // NFTA_TABLE_NAME
                        w.end();
                    },
                    SUBSYS | NEWTABLE,
                    m -> m);
        } catch (NotFoundException e) {
            return null;
        }
        Map<String, List<String>> chains = new LinkedHashMap<>();
        for (String c : dump(
                "chains",
                family,
                GETCHAIN,
                NEWCHAIN,
                null,
                null,
                m -> inTable(m, name, 1) ? string(attrs(m, "chain").get(3)) : null)) { // NFTA_CHAIN_NAME
            chains.put(c, new ArrayList<>());
        }
        Map<String, List<Long>> handles = new LinkedHashMap<>();
        for (Object[] r : dump("rules", family, GETRULE, NEWRULE, name, null, m -> rule(m, name))) {
            chains.computeIfAbsent((String) r[0], k -> new ArrayList<>()).add((String) r[1]);
            handles.computeIfAbsent((String) r[0], k -> new ArrayList<>()).add((Long) r[2]);
        }
        Map<String, NftTable.Set> sets = new LinkedHashMap<>();
        for (Object[] s : dump("sets", family, GETSET, NEWSET, name, null, m -> set(m, name))) {
            String setName = (String) s[0];
            List<NftTable.Element> elements = dump(
                            "elements of " + setName, family, GETSETELEM, NEWSETELEM, name, setName, NfTables::elements)
                    .stream()
                    .flatMap(List::stream)
                    .toList();
            sets.put(setName, new NftTable.Set(setName, (Integer) s[1], (Integer) s[2], elements));
        }
        Map<String, long[]> ruleHandles = new LinkedHashMap<>();
        handles.forEach((c, hs) ->
                ruleHandles.put(c, hs.stream().mapToLong(Long::longValue).toArray()));
        return new NftTable(name, chains, sets, ruleHandles);
    }

    private <T> List<T> dump(
            String what,
            int family,
            int get,
            int reply,
            String table,
            String set,
            java.util.function.Function<NlMessage, T> decoder) {
        return requester.dump(
                KernelException.Kind.OTHER,
                "dump nftables " + what,
                (w, seq) -> {
                    request(w, get, NLM_F_REQUEST | NLM_F_DUMP, seq, family);
                    if (table != null) {
                        w.attrString(1, table); // NFTA_{RULE,SET,SET_ELEM_LIST}_TABLE
                    }
                    if (set != null) {
                        w.attrString(2, set); // NFTA_SET_ELEM_LIST_SET
                    }
                    w.end();
                },
                SUBSYS | reply,
                decoder);
    }

    private static void request(MessageWriter w, int type, int flags, int seq, int family) {
        w.begin(SUBSYS | type, flags, seq);
        w.buffer().put((byte) family).put((byte) 0).putShort((short) 0); // nfgenmsg: family, version 0, res_id 0
    }

    private static Attrs attrs(NlMessage m, String what) {
        ByteBuffer body = m.body().duplicate();
        if (body.remaining() < 4) {
            throw new NetlinkCodecException("nftables " + what + ": " + body.remaining() + " bytes (expected: >= 4)");
        }
        return Attrs.parse(body.position(4), "nftables " + what);
    }

    private static boolean inTable(NlMessage m, String table, int tableAttr) {
        return table.equals(string(attrs(m, "object").get(tableAttr)));
    }

    /** {chain, comment ("" when the rule has none), handle}. */
    private static Object[] rule(NlMessage m, String table) {
        Attrs a = attrs(m, "rule");
        if (!table.equals(string(a.get(1)))) { // NFTA_RULE_TABLE
            return null;
        }
        return new Object[] { // NFTA_RULE_CHAIN, NFTA_RULE_USERDATA, NFTA_RULE_HANDLE
            string(a.get(2)), comment(a.get(7)), org.calicojava.netlink.nft.ExprCodec.be64(a, 3)
        };
    }

    /** The comment in a rule's user data (libnftnl TLVs: u8 type, u8 length, value; type 0 = comment). */
    static String comment(ByteBuffer udata) {
        if (udata == null) {
            return "";
        }
        ByteBuffer b = udata.duplicate();
        while (b.remaining() >= 2) {
            int type = b.get() & 0xff;
            int len = b.get() & 0xff;
            if (len > b.remaining()) {
                break;
            }
            ByteBuffer value = b.slice(b.position(), len);
            b.position(b.position() + len);
            if (type == 0) {
                return string(value);
            }
        }
        return "";
    }

    /** {name, flags, key length}; anonymous sets (those of rules like {@code dport { 80, 443 }}) left out. */
    private static Object[] set(NlMessage m, String table) {
        Attrs a = attrs(m, "set");
        if (!table.equals(string(a.get(1)))) {
            return null;
        }
        int flags = a.has(3) ? a.get(3).order(ByteOrder.BIG_ENDIAN).getInt(0) : 0; // NFTA_SET_FLAGS
        if ((flags & NftTable.Set.ANONYMOUS) != 0) {
            return null;
        }
        int keyLen = a.has(5) ? a.get(5).order(ByteOrder.BIG_ENDIAN).getInt(0) : 0; // NFTA_SET_KEY_LEN
        return new Object[] {string(a.get(2)), flags, keyLen};
    }

    private static List<NftTable.Element> elements(NlMessage m) {
        Attrs a = attrs(m, "set elements");
        List<NftTable.Element> out = new ArrayList<>();
        ByteBuffer list = a.get(3); // NFTA_SET_ELEM_LIST_ELEMENTS
        if (list == null) {
            return out;
        }
        for (ByteBuffer e : Attrs.parse(list, "set element list").all(1)) { // NFTA_LIST_ELEM
            Attrs ea = Attrs.parse(e, "set element");
            ByteBuffer keyNest = ea.get(1); // NFTA_SET_ELEM_KEY
            ByteBuffer key = keyNest == null
                    ? null
                    : Attrs.parse(keyNest, "set element key").get(1); // NFTA_DATA_VALUE
            byte[] k = new byte[key == null ? 0 : key.remaining()];
            if (key != null) {
                key.get(k);
            }
            int flags = ea.has(3) ? ea.get(3).order(ByteOrder.BIG_ENDIAN).getInt(0) : 0;
            int code = 0;
            String chain = null;
            boolean hasVerdict = false;
            ByteBuffer data = ea.get(2); // NFTA_SET_ELEM_DATA
            if (data != null) {
                ByteBuffer verdict = Attrs.parse(data, "set element data").get(2); // NFTA_DATA_VERDICT
                if (verdict != null) {
                    Attrs va = Attrs.parse(verdict, "verdict");
                    hasVerdict = va.has(1);
                    code = hasVerdict ? va.get(1).order(ByteOrder.BIG_ENDIAN).getInt(0) : 0;
                    chain = va.has(2) ? string(va.get(2)) : null;
                }
            }
            out.add(new NftTable.Element(k, (flags & NftTable.Element.INTERVAL_END) != 0, hasVerdict, code, chain));
        }
        return out;
    }

    /** A NUL-terminated (or not) string attribute. */
    static String string(ByteBuffer v) {
        if (v == null) {
            return null;
        }
        byte[] b = new byte[v.remaining()];
        v.duplicate().get(b);
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void close() {
        requester.close();
    }
}
