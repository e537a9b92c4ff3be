package org.calicojava.netlink.nft;

import java.util.Objects;

/**
 * One nftables expression as the kernel stores it in a rule (what {@code nft --debug=netlink} prints, one per line:
 * {@code [ meta load iifname => reg 1 ]}). Registers are the kernel's numbers: 0 is the verdict register, 1..4 the
 * 16-byte registers nft uses (8..23 the 4-byte ones). Values are in the byte order the kernel compares them in
 * (network order for addresses and ports, host order for marks and nfproto/l4proto bytes).
 */
public sealed interface Expr {
    int VERDICT_REG = 0;
    int REG_1 = 1;
    int REG_2 = 2;

    /** The expression's kernel name (NFTA_EXPR_NAME). */
    String name();

    /** {@code meta load KEY => reg DREG}. */
    record Meta(int key, int dreg) implements Expr {
        public static final int LEN = 0;
        public static final int PROTOCOL = 1;
        public static final int MARK = 3;
        public static final int IIF = 4;
        public static final int OIF = 5;
        public static final int IIFNAME = 6;
        public static final int OIFNAME = 7;
        public static final int NFPROTO = 15;
        public static final int L4PROTO = 16;

        @Override
        public String name() {
            return "meta";
        }
    }

    /** {@code meta set KEY with reg SREG} (e.g. {@code meta mark set}). */
    record MetaSet(int key, int sreg) implements Expr {
        @Override
        public String name() {
            return "meta";
        }
    }

    /** {@code payload load LEN b @ BASE header + OFFSET => reg DREG}. */
    record Payload(int base, int offset, int len, int dreg) implements Expr {
        public static final int LINK = 0;
        public static final int NETWORK = 1;
        public static final int TRANSPORT = 2;

        @Override
        public String name() {
            return "payload";
        }
    }

    /** {@code cmp OP reg SREG DATA}. */
    record Cmp(int op, int sreg, Bytes data) implements Expr {
        public static final int EQ = 0;
        public static final int NEQ = 1;
        public static final int LT = 2;
        public static final int LTE = 3;
        public static final int GT = 4;
        public static final int GTE = 5;

        public Cmp {
            Objects.requireNonNull(data, "data");
            if (op < EQ || op > GTE) {
                throw new IllegalArgumentException("cmp op " + op + " (expected: 0..5)");
            }
        }

        @Override
        public String name() {
            return "cmp";
        }
    }

    /**
     * {@code bitwise reg DREG = ( reg SREG & MASK ) ^ XOR} over LEN bytes (mask and xor are LEN bytes each);
     * {@code boolOp}: NFTA_BITWISE_OP (NFT_BITWISE_BOOL) sent explicitly, as nft does for a value computed in a
     * statement ({@code meta mark set meta mark & M ^ X}) but not for a masked compare.
     */
    record Bitwise(int sreg, int dreg, Bytes mask, Bytes xor, boolean boolOp) implements Expr {
        public Bitwise(int sreg, int dreg, Bytes mask, Bytes xor) {
            this(sreg, dreg, mask, xor, false);
        }

        public Bitwise {
            if (mask.length() != xor.length() || mask.length() == 0) {
                throw new IllegalArgumentException("bitwise: mask and xor of the same non-zero length");
            }
        }

        public int len() {
            return mask.length();
        }

        @Override
        public String name() {
            return "bitwise";
        }
    }

    /**
     * {@code lookup reg SREG set SET [dreg DREG]}: a set membership test, or with {@code dreg} 0 a verdict map
     * ({@code vmap}). {@code setId} names a set created in the same transaction (0 = none); {@code dreg} -1 = none.
     */
    record Lookup(String set, int setId, int sreg, int dreg, boolean invert) implements Expr {
        public static final int NO_DREG = -1;

        public Lookup {
            Objects.requireNonNull(set, "set");
        }

        public static Lookup of(String set, int setId, int sreg) {
            return new Lookup(set, setId, sreg, NO_DREG, false);
        }

        public static Lookup vmap(String set, int setId, int sreg) {
            return new Lookup(set, setId, sreg, VERDICT_REG, false);
        }

        @Override
        public String name() {
            return "lookup";
        }
    }

    /** {@code ct load KEY => reg DREG} (original/reply direction not used: -1). */
    record Ct(int key, int dreg) implements Expr {
        public static final int STATE = 0;
        public static final int DIRECTION = 1;
        public static final int STATUS = 2;
        public static final int MARK = 3;
        /** ct state bits (host order): invalid 1, established 2, related 4, new 8, untracked 64. */
        public static final int INVALID = 1;

        public static final int ESTABLISHED = 2;
        public static final int RELATED = 4;
        public static final int NEW = 8;
        public static final int UNTRACKED = 64;

        @Override
        public String name() {
            return "ct";
        }
    }

    /** {@code counter pkts P bytes B} (nft sends a plain {@code counter} without attributes: both 0). */
    record Counter(long packets, long bytes) implements Expr {
        public static final Counter ZERO = new Counter(0, 0);

        @Override
        public String name() {
            return "counter";
        }
    }

    /** {@code immediate reg DREG DATA}: a value into a data register. */
    record Immediate(int dreg, Bytes data) implements Expr {
        @Override
        public String name() {
            return "immediate";
        }
    }

    /** {@code immediate reg 0 VERDICT}: accept, drop, return, jump/goto CHAIN. */
    record Decision(Verdict verdict) implements Expr {
        public Decision {
            Objects.requireNonNull(verdict, "verdict");
        }

        @Override
        public String name() {
            return "immediate";
        }
    }

    /** {@code log prefix P group G level L} (null prefix / group -1 / level -1 = not set; level: syslog 0..7). */
    record Log(String prefix, int group, int level) implements Expr {
        public Log(String prefix, int group) {
            this(prefix, group, -1);
        }

        @Override
        public String name() {
            return "log";
        }
    }

    /** {@code range OP reg SREG FROM TO}: the register (not) within {@code from..to} (same length, compared bytewise). */
    record Range(int op, int sreg, Bytes from, Bytes to) implements Expr {
        public static final int EQ = 0;
        public static final int NEQ = 1;

        public Range {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            if (op != EQ && op != NEQ || from.length() != to.length()) {
                throw new IllegalArgumentException("range: op " + op + " (expected: 0 or 1), bounds of one length");
            }
        }

        @Override
        public String name() {
            return "range";
        }
    }

    /**
     * {@code fib FLAGS RESULT => reg DREG}: a FIB lookup; {@code fib saddr . iif oif present} (flags SADDR|IIF|PRESENT,
     * result OIF) gives 1 when the source address is routed back out of the input interface, else 0.
     */
    record Fib(int flags, int result, int dreg) implements Expr {
        public static final int RESULT_OIF = 1;
        public static final int RESULT_OIFNAME = 2;
        public static final int RESULT_ADDRTYPE = 3;
        public static final int F_SADDR = 1;
        public static final int F_DADDR = 2;
        public static final int F_MARK = 4;
        public static final int F_IIF = 8;
        public static final int F_OIF = 16;
        public static final int F_PRESENT = 32;

        @Override
        public String name() {
            return "fib";
        }
    }

    /** {@code masq} (no flags, no port range). */
    record Masq() implements Expr {
        @Override
        public String name() {
            return "masq";
        }
    }

    /**
     * {@code nat snat|dnat FAMILY addr_min reg A [addr_max reg B] [proto_min reg C [proto_max reg D]]} (registers 0
     * = not set).
     */
    record Nat(int type, int family, int regAddrMin, int regAddrMax, int regProtoMin, int regProtoMax, int flags)
            implements Expr {
        public static final int SNAT = 0;
        public static final int DNAT = 1;

        public static Nat snat(int family, int regAddr) {
            return new Nat(SNAT, family, regAddr, 0, 0, 0, 0);
        }

        /** NFTA_NAT_FLAGS: NF_NAT_RANGE_PROTO_SPECIFIED, which nft sets when a port is given. */
        public static final int PROTO_SPECIFIED = 0x2;

        /** dnat to the address in {@code regAddr} and, unless {@code regProto} is 0, the port in it. */
        public static Nat dnat(int family, int regAddr, int regProto) {
            return new Nat(DNAT, family, regAddr, 0, regProto, 0, regProto != 0 ? PROTO_SPECIFIED : 0);
        }

        @Override
        public String name() {
            return "nat";
        }
    }
}
