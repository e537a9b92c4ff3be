package org.calicojava.netlink.nft;

/**
 * A verdict as NFTA_VERDICT_CODE (+ NFTA_VERDICT_CHAIN for jump and goto): accept 1, drop 0, continue -1,
 * return -5, jump -3, goto -4.
 */
public record Verdict(int code, String chain) {
    public static final int DROP_CODE = 0;
    public static final int ACCEPT_CODE = 1;
    public static final int CONTINUE_CODE = -1;
    public static final int JUMP_CODE = -3;
    public static final int GOTO_CODE = -4;
    public static final int RETURN_CODE = -5;
    public static final Verdict ACCEPT = new Verdict(ACCEPT_CODE, null);
    public static final Verdict DROP = new Verdict(DROP_CODE, null);
    public static final Verdict RETURN = new Verdict(RETURN_CODE, null);
    public static final Verdict CONTINUE = new Verdict(CONTINUE_CODE, null);

    public Verdict {
        boolean needsChain = code == JUMP_CODE || code == GOTO_CODE;
        if (needsChain != (chain != null)) {
            throw new IllegalArgumentException("verdict " + code + (needsChain ? " needs" : " takes no") + " chain");
        }
    }

    public static Verdict jump(String chain) {
        return new Verdict(JUMP_CODE, chain);
    }

    public static Verdict goTo(String chain) {
        return new Verdict(GOTO_CODE, chain);
    }
}
