package org.calicojava.netlink.nft;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.calicojava.netlink.NetlinkCodecException;
import org.calicojava.netlink.codec.Attrs;
import org.calicojava.netlink.codec.MessageWriter;

/**
 * Expressions ⇄ NFTA_RULE_EXPRESSIONS, attribute for attribute in the order libnftnl writes them (so a rule's bytes
 * are the ones {@code nft -f} sends; checked against captures in {@code NftCodecTest}). Numbers are big endian,
 * nested attributes carry NLA_F_NESTED.
 */
public final class ExprCodec {
    /** NLA_F_NESTED. */
    public static final int NESTED = 0x8000;

    private ExprCodec() {}

    /** Writes NFTA_RULE_EXPRESSIONS (attribute {@code type}) holding {@code exprs}. */
    public static void encodeList(MessageWriter w, int type, List<Expr> exprs) {
        int list = w.beginNested(type | NESTED);
        for (Expr e : exprs) {
            int elem = w.beginNested(1 | NESTED); // NFTA_LIST_ELEM
            w.attrString(1, e.name()); // NFTA_EXPR_NAME
            int data = w.beginNested(2 | NESTED); // NFTA_EXPR_DATA
            encode(w, e);
            w.endNested(data);
            w.endNested(elem);
        }
        w.endNested(list);
    }

    private static void encode(MessageWriter w, Expr e) {
        if (e instanceof Expr.Meta m) {
            w.attrBe32(2, m.key()).attrBe32(1, m.dreg());
        } else if (e instanceof Expr.MetaSet m) {
            w.attrBe32(2, m.key()).attrBe32(3, m.sreg());
        } else if (e instanceof Expr.Payload p) {
            w.attrBe32(1, p.dreg())
                    .attrBe32(2, p.base())
                    .attrBe32(3, p.offset())
                    .attrBe32(4, p.len());
        } else if (e instanceof Expr.Cmp c) {
            w.attrBe32(1, c.sreg()).attrBe32(2, c.op());
            value(w, 3, c.data());
        } else if (e instanceof Expr.Bitwise b) {
            w.attrBe32(1, b.sreg()).attrBe32(2, b.dreg());
            if (b.boolOp()) {
                w.attrBe32(6, 0); // NFTA_BITWISE_OP: NFT_BITWISE_BOOL
            }
            w.attrBe32(3, b.len());
            value(w, 4, b.mask());
            value(w, 5, b.xor());
        } else if (e instanceof Expr.Lookup l) {
            lookup(w, l);
        } else if (e instanceof Expr.Ct c) {
            w.attrBe32(2, c.key()).attrBe32(1, c.dreg());
        } else if (e instanceof Expr.Counter c) {
            if (c.bytes() != 0 || c.packets() != 0) {
                w.attrBe64(1, c.bytes()).attrBe64(2, c.packets());
            }
        } else if (e instanceof Expr.Immediate i) {
            w.attrBe32(1, i.dreg());
            value(w, 2, i.data());
        } else if (e instanceof Expr.Decision d) {
            w.attrBe32(1, Expr.VERDICT_REG);
            int data = w.beginNested(2 | NESTED);
            verdict(w, d.verdict());
            w.endNested(data);
        } else if (e instanceof Expr.Log l) {
            if (l.prefix() != null) {
                w.attrString(2, l.prefix());
            }
            if (l.group() >= 0) {
                w.attrBe16(1, l.group());
            }
            if (l.level() >= 0) {
                w.attrBe32(5, l.level());
            }
        } else if (e instanceof Expr.Range r) {
            w.attrBe32(1, r.sreg()).attrBe32(2, r.op());
            value(w, 3, r.from());
            value(w, 4, r.to());
        } else if (e instanceof Expr.Fib f) {
            w.attrBe32(3, f.flags()).attrBe32(2, f.result()).attrBe32(1, f.dreg());
        } else if (e instanceof Expr.Nat n) {
            nat(w, n);
        } else if (!(e instanceof Expr.Masq)) {
            throw new IllegalArgumentException("nftables expression " + e + ": no encoder");
        }
    }

    private static void lookup(MessageWriter w, Expr.Lookup l) {
        w.attrBe32(2, l.sreg());
        if (l.dreg() != Expr.Lookup.NO_DREG) {
            w.attrBe32(3, l.dreg());
        }
        w.attrString(1, l.set());
        if (l.setId() != 0) {
            w.attrBe32(4, l.setId());
        }
        if (l.invert()) {
            w.attrBe32(5, 1); // NFT_LOOKUP_F_INV
        }
    }

    private static void nat(MessageWriter w, Expr.Nat n) {
        w.attrBe32(1, n.type()).attrBe32(2, n.family());
        int[] regs = {n.regAddrMin(), n.regAddrMax(), n.regProtoMin(), n.regProtoMax()};
        for (int i = 0; i < regs.length; i++) {
            if (regs[i] != 0) {
                w.attrBe32(3 + i, regs[i]);
            }
        }
        if (n.flags() != 0) {
            w.attrBe32(7, n.flags());
        }
    }

    /** A nested nft_data holding NFTA_DATA_VALUE. */
    public static void value(MessageWriter w, int type, Bytes v) {
        int nest = w.beginNested(type | NESTED);
        w.attr(1, v.raw());
        w.endNested(nest);
    }

    /** NFTA_DATA_VERDICT { NFTA_VERDICT_CODE, NFTA_VERDICT_CHAIN } (inside an nft_data). */
    public static void verdict(MessageWriter w, Verdict v) {
        int nest = w.beginNested(2 | NESTED);
        w.attrBe32(1, v.code());
        if (v.chain() != null) {
            w.attrString(2, v.chain());
        }
        w.endNested(nest);
    }

    /** Decodes NFTA_RULE_EXPRESSIONS' value. */
    public static List<Expr> decodeList(ByteBuffer list) {
        List<Expr> out = new ArrayList<>();
        for (ByteBuffer elem : Attrs.parse(list, "nftables expressions").all(1)) {
            Attrs ea = Attrs.parse(elem, "nftables expression");
            String name = ea.string(1);
            if (name == null) {
                throw new NetlinkCodecException("nftables expression: no NFTA_EXPR_NAME");
            }
            try {
                out.add(decode(name, ea.nested(2)));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new NetlinkCodecException("nftables expression " + name + ": " + e.getMessage());
            }
        }
        return out;
    }

    private static Expr decode(String name, Attrs a) {
        return switch (name) {
            case "meta" -> a.has(3) ? new Expr.MetaSet(be32(a, 2), be32(a, 3)) : new Expr.Meta(be32(a, 2), be32(a, 1));
            case "payload" -> new Expr.Payload(be32(a, 2), be32(a, 3), be32(a, 4), be32(a, 1));
            case "cmp" -> new Expr.Cmp(be32(a, 2), be32(a, 1), value(a, 3));
            case "bitwise" -> new Expr.Bitwise(be32(a, 1), be32(a, 2), value(a, 4), value(a, 5), a.has(6));
            case "lookup" ->
                new Expr.Lookup(
                        a.string(1),
                        a.has(4) ? be32(a, 4) : 0,
                        be32(a, 2),
                        a.has(3) ? be32(a, 3) : Expr.Lookup.NO_DREG,
                        a.has(5) && (be32(a, 5) & 1) != 0);
            case "ct" -> new Expr.Ct(be32(a, 2), be32(a, 1));
            case "counter" -> new Expr.Counter(a.has(2) ? be64(a, 2) : 0, a.has(1) ? be64(a, 1) : 0);
            case "immediate" -> immediate(a);
            case "log" ->
                new Expr.Log(
                        a.string(2),
                        a.has(1) ? a.get(1).order(ByteOrder.BIG_ENDIAN).getShort() & 0xffff : -1,
                        a.has(5) ? be32(a, 5) : -1);
            case "range" -> new Expr.Range(be32(a, 2), be32(a, 1), value(a, 3), value(a, 4));
            case "fib" -> new Expr.Fib(be32(a, 3), be32(a, 2), be32(a, 1));
            case "masq" -> new Expr.Masq();
            case "nat" -> new Expr.Nat(be32(a, 1), be32(a, 2), opt(a, 3), opt(a, 4), opt(a, 5), opt(a, 6), opt(a, 7));
            default -> throw new NetlinkCodecException("nftables expression " + name + ": not supported");
        };
    }

    private static Expr immediate(Attrs a) {
        Attrs data = a.nested(2);
        if (data.has(2)) {
            Attrs v = data.nested(2);
            return new Expr.Decision(new Verdict(be32(v, 1), v.string(2)));
        }
        return new Expr.Immediate(be32(a, 1), value(a, 2));
    }

    private static int opt(Attrs a, int type) {
        return a.has(type) ? be32(a, type) : 0;
    }

    private static Bytes value(Attrs a, int type) {
        byte[] v = a.nested(type).bytes(1);
        if (v == null) {
            throw new NetlinkCodecException("nftables expression attribute " + type + ": no NFTA_DATA_VALUE");
        }
        return Bytes.of(v);
    }

    /** A big-endian u32 attribute; missing or short → {@link NetlinkCodecException}. */
    public static int be32(Attrs a, int type) {
        ByteBuffer v = a.get(type);
        if (v == null || v.remaining() < 4) {
            throw new NetlinkCodecException("nftables attribute " + type + ": " + (v == null ? "missing" : "short"));
        }
        return v.order(ByteOrder.BIG_ENDIAN).getInt(0);
    }

    /** A big-endian u64 attribute. */
    public static long be64(Attrs a, int type) {
        ByteBuffer v = a.get(type);
        if (v == null || v.remaining() < 8) {
            throw new NetlinkCodecException("nftables attribute " + type + ": " + (v == null ? "missing" : "short"));
        }
        return v.order(ByteOrder.BIG_ENDIAN).getLong(0);
    }
}
