package org.calicojava.felix.rules;

/** Packet mark bits as Calico uses them (within its default mark mask 0xffff0000). */
public final class Marks {
    /** Set by a policy or profile that allowed the packet. */
    public static final int ACCEPT = 0x10000;
    /** Set by a next-tier (pass) rule: skip the rest of this tier. */
    public static final int PASS = 0x20000;
    /** Set in a tier's chain when one of its policies applies to the endpoint (the tier then ends in a drop). */
    public static final int MATCHED = 0x40000;

    private Marks() {}

    public static String hex(int v) {
        return "0x" + Integer.toHexString(v);
    }

    /** "-j MARK --set-xmark V/MASK". */
    public static Action set(int value, int mask) {
        return new Action.SetMark(value, mask);
    }

    /** "-m mark --mark V/MASK". */
    public static Match match(int value, int mask) {
        return new Match.Mark(value, mask, false);
    }
}
