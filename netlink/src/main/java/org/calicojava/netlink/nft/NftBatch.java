package org.calicojava.netlink.nft;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.calicojava.netlink.codec.Attrs;
import org.calicojava.netlink.codec.MessageWriter;
import org.calicojava.netlink.codec.Rtnl;

/**
 * One nftables transaction, encoded as it is built: NFNL_MSG_BATCH_BEGIN, the messages, NFNL_MSG_BATCH_END, in one
 * growing buffer sent as one datagram by {@code NfTables.commit} (the kernel takes a transaction from a single
 * datagram: everything in it is applied, or nothing). Every method returns the message's index (from 0), which
 * {@code NftTransactionException} failures and {@code NftCommit.handle} refer to. Messages carry NLM_F_ACK (unless
 * {@link #errorsOnly}) and new rules NLM_F_ECHO (unless {@link #withoutHandles}), so the kernel's handle of each rule
 * comes back. Sequence numbers are written from 0 (BEGIN) and renumbered by the commit. Not thread-safe.
 */
public final class NftBatch {
    static final int SUBSYS = 10 << 8;
    public static final int NEWTABLE = 0;
    public static final int DELTABLE = 2;
    public static final int NEWCHAIN = 3;
    public static final int DELCHAIN = 5;
    public static final int NEWRULE = 6;
    public static final int DELRULE = 8;
    public static final int NEWSET = 9;
    public static final int DELSET = 11;
    public static final int NEWSETELEM = 12;
    public static final int DELSETELEM = 14;
    public static final int BATCH_BEGIN = 0x10;
    public static final int BATCH_END = 0x11;
    /** Hooks (NF_INET_*). */
    public static final int PREROUTING = 0;

    public static final int INPUT = 1;
    public static final int FORWARD = 2;
    public static final int OUTPUT = 3;
    public static final int POSTROUTING = 4;
    private static final int REQUEST = 0x1;
    private static final int ACK = 0x4;
    private static final int ECHO = 0x8;
    private static final int REPLACE = 0x100;
    private static final int CREATE = 0x400;
    private static final int APPEND = 0x800;
    /** Elements per NEWSETELEM stay below the 64 KiB an attribute can hold. */
    private static final int MAX_ELEMENTS_BYTES = 48 * 1024;

    private ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024).order(ByteOrder.nativeOrder());
    private MessageWriter w = new MessageWriter(buf);
    private final List<Supplier<String>> what = new ArrayList<>();
    /** The indexes of the rule messages, in order ({@link #rules} of them): unboxed, a cold start has 80,000. */
    private int[] ruleMessages = new int[64];

    private int rules;
    /** Where each message starts in {@link #buf}: made by the first {@link #attributeAt}. */
    private int[] starts;

    private boolean acks = true;
    private boolean echo = true;
    private boolean ended;

    public NftBatch() {
        this(-1);
    }

    /**
     * A transaction the kernel refuses (ERESTART, against the BEGIN message: failure index -1) unless the
     * namespace's generation is still {@code expectedGeneration} (NFNL_BATCH_GENID): nothing changed the rules since
     * they were read. -1 = no such condition.
     */
    public NftBatch(long expectedGeneration) {
        write(x -> {
            x.begin(BATCH_BEGIN, REQUEST, 0);
            x.buffer().put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 10); // AF_UNSPEC, v0, res_id be16 10
            if (expectedGeneration >= 0) {
                x.attrBe32(1, (int) expectedGeneration); // NFNL_BATCH_GENID
            }
            x.end();
        });
    }

    /** No NLM_F_ACK: the kernel answers only failures (what nft does); the commit still waits for all of them. */
    public NftBatch errorsOnly() {
        requireEmpty("errorsOnly");
        acks = false;
        return this;
    }

    /** No NLM_F_ECHO on new rules: their handles are not reported (less to read back for big batches). */
    public NftBatch withoutHandles() {
        requireEmpty("withoutHandles");
        echo = false;
        return this;
    }

    /**
     * Makes room for {@code bytes} more at once (a writer that knows its batch will be large: one buffer of about
     * its size instead of doubling from 64 KiB, each new buffer zeroed and the old one copied).
     */
    public NftBatch reserve(int bytes) {
        if (buf.remaining() < bytes) {
            ByteBuffer bigger =
                    ByteBuffer.allocateDirect(buf.position() + bytes).order(ByteOrder.nativeOrder());
            bigger.put(buf.flip());
            buf = bigger;
            w = new MessageWriter(buf);
        }
        return this;
    }

    private void requireEmpty(String option) {
        if (!what.isEmpty()) {
            throw new IllegalStateException("nftables batch: " + option + "() before the first message");
        }
    }

    public int addTable(NftFamily f, String table) {
        return message(() -> "add table " + f.keyword + " " + table, NEWTABLE, 0, f, x -> {
            x.attrString(1, table);
            x.attrBe32(2, 0); // NFTA_TABLE_FLAGS
        });
    }

    public int deleteTable(NftFamily f, String table) {
        return message(() -> "delete table " + f.keyword + " " + table, DELTABLE, 0, f, x -> x.attrString(1, table));
    }

    /** A regular chain (a jump/goto target). */
    public int addChain(NftFamily f, String table, String chain) {
        return message(() -> "add chain " + f.keyword + " " + table + " " + chain, NEWCHAIN, CREATE, f, x -> {
            x.attrString(1, table);
            x.attrString(3, chain);
        });
    }

    /** A base chain: {@code type TYPE hook HOOK priority P; policy accept|drop;} ({@code accept} = true). */
    public int addBaseChain(
            NftFamily f, String table, String chain, String type, int hook, int priority, boolean accept) {
        return message(() -> "add chain " + f.keyword + " " + table + " " + chain, NEWCHAIN, CREATE, f, x -> {
            x.attrString(1, table);
            x.attrString(3, chain);
            x.attrString(7, type);
            x.attrBe32(5, accept ? 1 : 0);
            int hookNest = x.beginNested(4 | ExprCodec.NESTED);
            x.attrBe32(1, hook);
            x.attrBe32(2, priority);
            x.endNested(hookNest);
        });
    }

    public int deleteChain(NftFamily f, String table, String chain) {
        return message(() -> "delete chain " + f.keyword + " " + table + " " + chain, DELCHAIN, 0, f, x -> {
            x.attrString(1, table);
            x.attrString(3, chain);
        });
    }

    /** Appends a rule to the end of {@code chain}. */
    public int addRule(NftFamily f, String table, String chain, Rule rule) {
        return rule("add rule", f, table, chain, rule, CREATE | APPEND, -1, -1);
    }

    /** Inserts a rule before the rule with handle {@code position} (0 = at the start of the chain). */
    public int insertRule(NftFamily f, String table, String chain, long position, Rule rule) {
        return rule("insert rule", f, table, chain, rule, CREATE, -1, position == 0 ? -1 : position);
    }

    /** Replaces the rule with handle {@code handle}. */
    public int replaceRule(NftFamily f, String table, String chain, long handle, Rule rule) {
        return rule("replace rule", f, table, chain, rule, REPLACE, handle, -1);
    }

    public int deleteRule(NftFamily f, String table, String chain, long handle) {
        return message(
                () -> "delete rule " + f.keyword + " " + table + " " + chain + " handle " + handle,
                DELRULE,
                0,
                f,
                x -> {
                    x.attrString(1, table);
                    x.attrString(2, chain);
                    x.attrBe64(3, handle);
                });
    }

    /** Deletes every rule of {@code chain} (nft's {@code flush chain}: DELRULE without a handle). */
    public int flushChain(NftFamily f, String table, String chain) {
        return message(() -> "flush chain " + f.keyword + " " + table + " " + chain, DELRULE, 0, f, x -> {
            x.attrString(1, table);
            x.attrString(2, chain);
        });
    }

    private int rule(String verb, NftFamily f, String table, String chain, Rule r, int flags, long h, long pos) {
        int n = rules;
        int i = message(
                () -> verb + " " + f.keyword + " " + table + " " + chain + " (rule #" + n + " of the batch)",
                NEWRULE,
                flags | (echo ? ECHO : 0),
                f,
                x -> {
                    x.attrString(1, table);
                    x.attrString(2, chain);
                    if (h >= 0) {
                        x.attrBe64(3, h);
                    }
                    if (pos >= 0) {
                        x.attrBe64(6, pos);
                    }
                    exprs(x, r.exprs());
                    byte[] udata = r.userData();
                    if (udata != null) {
                        x.attr(7, udata);
                    }
                });
        if (rules == ruleMessages.length) {
            ruleMessages = java.util.Arrays.copyOf(ruleMessages, rules * 2);
        }
        ruleMessages[rules++] = i;
        return i;
    }

    /**
     * Each expression list encoded once per batch: a list passed again (the same instance: a writer of many chains
     * with equal rules shares them) is copied from its first encoding.
     */
    private final Map<List<Expr>, byte[]> encoded = new IdentityHashMap<>();

    private void exprs(MessageWriter x, List<Expr> exprs) {
        byte[] done = encoded.get(exprs);
        if (done != null) {
            x.buffer().put(done);
            return;
        }
        int start = x.buffer().position();
        ExprCodec.encodeList(x, 4, exprs);
        byte[] copy = new byte[x.buffer().position() - start];
        x.buffer().get(start, copy);
        encoded.put(exprs, copy);
    }

    public int addSet(NftFamily f, String table, NftSet s) {
        return message(() -> "add set " + f.keyword + " " + table + " " + s.name(), NEWSET, CREATE, f, x -> {
            x.attrString(1, table);
            x.attrString(2, s.name());
            x.attrBe32(3, s.flags());
            x.attrBe32(4, s.keyType());
            x.attrBe32(5, s.keyLen());
            if (s.isMap()) {
                x.attrBe32(6, s.dataType());
                x.attrBe32(7, s.dataLen());
            }
            if (s.id() != 0) {
                x.attrBe32(10, s.id());
            }
            if (s.size() != 0) {
                int desc = x.beginNested(9 | ExprCodec.NESTED);
                x.attrBe32(1, s.size());
                x.endNested(desc);
            }
            if (s.userData() != null && s.userData().length() > 0) {
                x.attr(13, s.userData().raw());
            }
        });
    }

    public int deleteSet(NftFamily f, String table, String set) {
        return message(() -> "delete set " + f.keyword + " " + table + " " + set, DELSET, 0, f, x -> {
            x.attrString(1, table);
            x.attrString(2, set);
        });
    }

    /**
     * Adds elements to set {@code set} ({@code setId} when it is created in this batch, else 0), in as many
     * NEWSETELEM messages as they need; returns the index of the first.
     */
    public int addElements(NftFamily f, String table, String set, int setId, List<SetElement> elements) {
        return elements(NEWSETELEM, CREATE, "add element", f, table, set, setId, elements);
    }

    public int deleteElements(NftFamily f, String table, String set, List<SetElement> elements) {
        return elements(DELSETELEM, 0, "delete element", f, table, set, 0, elements);
    }

    private int elements(
            int type, int flags, String verb, NftFamily f, String t, String set, int id, List<SetElement> es) {
        if (es.isEmpty()) {
            throw new IllegalArgumentException(verb + " " + set + ": no elements");
        }
        int first = -1;
        int from = 0;
        do {
            int[] next = {from};
            int start = from;
            int i = message(() -> verb + " " + f.keyword + " " + t + " " + set + " @" + start, type, flags, f, x -> {
                x.attrString(1, t);
                x.attrString(2, set);
                if (id != 0) {
                    x.attrBe32(4, id);
                }
                int list = x.beginNested(3 | ExprCodec.NESTED);
                int k = start;
                while (k < es.size() && x.position() - list < MAX_ELEMENTS_BYTES) {
                    element(x, k - start + 1, es.get(k));
                    k++;
                }
                x.endNested(list);
                next[0] = k;
            });
            first = first < 0 ? i : first;
            from = next[0];
        } while (from < es.size());
        return first;
    }

    private static void element(MessageWriter x, int n, SetElement e) {
        int nest = x.beginNested((n & 0x3fff) | ExprCodec.NESTED);
        if (e.flags() != 0) {
            x.attrBe32(3, e.flags());
        }
        ExprCodec.value(x, 1, e.key());
        if (e.verdict() != null) {
            int data = x.beginNested(2 | ExprCodec.NESTED);
            ExprCodec.verdict(x, e.verdict());
            x.endNested(data);
        }
        x.endNested(nest);
    }

    private int message(Supplier<String> description, int type, int flags, NftFamily f, Consumer<MessageWriter> attrs) {
        if (ended) {
            throw new IllegalStateException("nftables batch: already ended");
        }
        int index = what.size();
        int seq = index + 1;
        starts = null; // attributeAt's index, if made before this message
        write(x -> {
            x.begin(SUBSYS | type, REQUEST | flags | (acks ? ACK : 0), seq);
            x.buffer().put((byte) f.code).put((byte) 0).putShort((short) 0);
            attrs.accept(x);
            x.end();
        });
        what.add(description);
        return index;
    }

    private void write(Consumer<MessageWriter> m) {
        while (true) {
            int mark = buf.position();
            try {
                m.accept(w);
                return;
            } catch (BufferOverflowException | IndexOutOfBoundsException e) {
                buf.position(mark);
                ByteBuffer bigger =
                        ByteBuffer.allocateDirect(buf.capacity() * 2).order(ByteOrder.nativeOrder());
                bigger.put(buf.flip());
                buf = bigger;
                w = new MessageWriter(buf);
            }
        }
    }

    /** Appends BATCH_END (once) and returns the datagram (position 0 to limit; a view of the buffer). */
    public ByteBuffer datagram() {
        if (!ended) {
            int seq = what.size() + 1;
            write(x -> {
                x.begin(BATCH_END, REQUEST, seq);
                x.buffer().put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 10);
                x.end();
            });
            ended = true;
        }
        return buf.duplicate().flip().order(ByteOrder.nativeOrder());
    }

    /** Messages between BEGIN and END. */
    public int size() {
        return what.size();
    }

    public String describe(int index) {
        return what.get(index).get();
    }

    /**
     * The type of message {@code index}'s top-level attribute that holds byte {@code offset} of the message (the
     * kernel's extended ack names a refused attribute by its offset, NLMSGERR_ATTR_OFFS), or -1 when none does. The
     * first call indexes where each message starts (once per batch, for a refused transaction: nothing per message
     * sent); a transaction whose every rule was refused costs one walk, not one per failure.
     */
    public int attributeAt(int index, int offset) {
        ByteBuffer d = buf.duplicate().flip().order(ByteOrder.nativeOrder());
        if (starts == null) {
            starts = new int[what.size()];
            int m = Rtnl.align(d.getInt(0)); // after BEGIN
            for (int i = 0; i < starts.length; i++) {
                starts[i] = m;
                m += Rtnl.align(d.getInt(m));
            }
        }
        int m = starts[index];
        int attrs = 16 + 4; // nlmsghdr, nfgenmsg, then the attributes
        return offset < attrs ? -1 : Attrs.typeAt(d.limit(m + d.getInt(m)).position(m + attrs), offset - attrs);
    }

    public boolean acks() {
        return acks;
    }

    /** Indexes of the messages that add, insert or replace rules, in order. */
    public List<Integer> ruleMessages() {
        return java.util.Arrays.stream(ruleMessages, 0, rules).boxed().toList();
    }
}
