package org.calicojava.bgp.bfd;

/** RFC 5880 section 4.1 session states, by their code on the wire. */
public enum BfdState {
    ADMIN_DOWN("AdminDown"),
    DOWN("Down"),
    INIT("Init"),
    UP("Up");

    private static final BfdState[] BY_CODE = values();
    private final String text;

    BfdState(String text) {
        this.text = text;
    }

    /** The 2-bit code on the wire. */
    public int code() {
        return ordinal();
    }

    public static BfdState of(int code) {
        return BY_CODE[code & 3];
    }

    @Override
    public String toString() {
        return text;
    }
}
