package org.calicojava.bgp.codec;

/** ADD-PATH send/receive value (RFC 7911 section 4). */
public enum AddPathMode {
    RECEIVE(1),
    SEND(2),
    BOTH(3);

    public final int code;

    AddPathMode(int code) {
        this.code = code;
    }

    public boolean receives() {
        return this != SEND;
    }

    public boolean sends() {
        return this != RECEIVE;
    }

    public static AddPathMode of(int code) {
        return switch (code) {
            case 1 -> RECEIVE;
            case 2 -> SEND;
            case 3 -> BOTH;
            default -> null;
        };
    }
}
