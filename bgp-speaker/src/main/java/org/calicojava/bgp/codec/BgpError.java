package org.calicojava.bgp.codec;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A BGP error as protocol data (RFC 4271 section 4.5 / 6): the NOTIFICATION code, subcode and data that describe it.
 * Factory methods name the RFC 4271 cases; {@link #toString()} gives one readable line for logs and status.
 */
public record BgpError(int code, int subcode, byte[] data) {
    public static final int MESSAGE_HEADER = 1,
            OPEN_MESSAGE = 2,
            UPDATE_MESSAGE = 3,
            HOLD_TIMER_EXPIRED = 4,
            FSM = 5,
            CEASE = 6,
            ROUTE_REFRESH = 7;
    // header subcodes
    public static final int CONNECTION_NOT_SYNCHRONIZED = 1, BAD_MESSAGE_LENGTH = 2, BAD_MESSAGE_TYPE = 3;
    // OPEN subcodes
    public static final int UNSUPPORTED_VERSION = 1,
            BAD_PEER_AS = 2,
            BAD_BGP_IDENTIFIER = 3,
            UNSUPPORTED_OPTIONAL_PARAMETER = 4,
            UNACCEPTABLE_HOLD_TIME = 6,
            UNSUPPORTED_CAPABILITY = 7;
    // UPDATE subcodes
    public static final int MALFORMED_ATTRIBUTE_LIST = 1,
            UNRECOGNIZED_WELL_KNOWN = 2,
            MISSING_WELL_KNOWN = 3,
            ATTRIBUTE_FLAGS_ERROR = 4,
            ATTRIBUTE_LENGTH_ERROR = 5,
            INVALID_ORIGIN = 6,
            INVALID_NEXT_HOP = 8,
            OPTIONAL_ATTRIBUTE_ERROR = 9,
            INVALID_NETWORK_FIELD = 10,
            MALFORMED_AS_PATH = 11;
    // CEASE subcodes (RFC 4486)
    public static final int MAX_PREFIXES = 1,
            ADMIN_SHUTDOWN = 2,
            PEER_DECONFIGURED = 3,
            ADMIN_RESET = 4,
            CONNECTION_REJECTED = 5,
            OTHER_CONFIG_CHANGE = 6,
            CONNECTION_COLLISION = 7,
            OUT_OF_RESOURCES = 8,
            HARD_RESET = 9, // RFC 8538
            BFD_DOWN = 10; // BFD_DOWN: RFC 9384

    private static final byte[] NONE = new byte[0];

    public BgpError {
        if (code < 0 || code > 255) {
            throw new IllegalArgumentException("error code: " + code + " (expected: 0..255)");
        }
        if (subcode < 0 || subcode > 255) {
            throw new IllegalArgumentException("error subcode: " + subcode + " (expected: 0..255)");
        }
        data = data == null ? NONE : data.clone();
    }

    public static BgpError of(int code, int subcode) {
        return new BgpError(code, subcode, NONE);
    }

    public static BgpError of(int code, int subcode, byte[] data) {
        return new BgpError(code, subcode, data);
    }

    /**
     * Cease / Hard Reset (RFC 8538 section 3) carrying {@code original}: its data is the original error code, subcode
     * and data, so the peer flushes our routes and still learns why.
     */
    public static BgpError hardReset(BgpError original) {
        byte[] d = new byte[2 + original.data.length];
        d[0] = (byte) original.code;
        d[1] = (byte) original.subcode;
        System.arraycopy(original.data, 0, d, 2, original.data.length);
        return new BgpError(CEASE, HARD_RESET, d);
    }

    /** Cease / Hard Reset (RFC 8538): no graceful restart after it, whatever was negotiated. */
    public boolean isHardReset() {
        return code == CEASE && subcode == HARD_RESET;
    }

    public static BgpError u16(int code, int subcode, int value) {
        return new BgpError(code, subcode, new byte[] {(byte) (value >>> 8), (byte) value});
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BgpError e && e.code == code && e.subcode == subcode && Arrays.equals(e.data, data);
    }

    @Override
    public int hashCode() {
        return (code * 31 + subcode) * 31 + Arrays.hashCode(data);
    }

    /**
     * e.g. {@code "UPDATE message error / malformed AS_PATH (data 0200)"}; a Hard Reset names the error it carries:
     * {@code "cease / hard reset: cease / administrative shutdown"}.
     */
    @Override
    public String toString() {
        String s = codeName(code) + " / " + subcodeName(code, subcode);
        if (isHardReset() && data.length >= 2) { // e.g. "cease / hard reset: cease / administrative shutdown"
            // one level only: a peer's Hard Reset may nest thousands of them (its data shows as hex)
            String inner = codeName(data[0] & 0xff) + " / " + subcodeName(data[0] & 0xff, data[1] & 0xff);
            return s + ": " + inner
                    + (data.length == 2 ? "" : " (data " + HexFormat.of().formatHex(data, 2, data.length) + ")");
        }
        return data.length == 0 ? s : s + " (data " + HexFormat.of().formatHex(data) + ")";
    }

    static String codeName(int code) {
        return switch (code) {
            case MESSAGE_HEADER -> "message header error";
            case OPEN_MESSAGE -> "OPEN message error";
            case UPDATE_MESSAGE -> "UPDATE message error";
            case HOLD_TIMER_EXPIRED -> "hold timer expired";
            case FSM -> "finite state machine error";
            case CEASE -> "cease";
            case ROUTE_REFRESH -> "ROUTE-REFRESH message error";
            default -> "error code " + code;
        };
    }

    static String subcodeName(int code, int sub) {
        String n = switch (code) {
            case MESSAGE_HEADER ->
                switch (sub) {
                    case 1 -> "connection not synchronized";
                    case 2 -> "bad message length";
                    case 3 -> "bad message type";
                    default -> null;
                };
            case OPEN_MESSAGE ->
                switch (sub) {
                    case 1 -> "unsupported version number";
                    case 2 -> "bad peer AS";
                    case 3 -> "bad BGP identifier";
                    case 4 -> "unsupported optional parameter";
                    case 6 -> "unacceptable hold time";
                    case 7 -> "unsupported capability";
                    default -> null;
                };
            case UPDATE_MESSAGE ->
                switch (sub) {
                    case 1 -> "malformed attribute list";
                    case 2 -> "unrecognized well-known attribute";
                    case 3 -> "missing well-known attribute";
                    case 4 -> "attribute flags error";
                    case 5 -> "attribute length error";
                    case 6 -> "invalid ORIGIN attribute";
                    case 8 -> "invalid NEXT_HOP attribute";
                    case 9 -> "optional attribute error";
                    case 10 -> "invalid network field";
                    case 11 -> "malformed AS_PATH";
                    default -> null;
                };
            case CEASE ->
                switch (sub) {
                    case 1 -> "maximum number of prefixes reached";
                    case 2 -> "administrative shutdown";
                    case 3 -> "peer de-configured";
                    case 4 -> "administrative reset";
                    case 5 -> "connection rejected";
                    case 6 -> "other configuration change";
                    case 7 -> "connection collision resolution";
                    case 8 -> "out of resources";
                    case 9 -> "hard reset";
                    case 10 -> "BFD down";
                    default -> null;
                };
            default -> null;
        };
        return n != null ? n : "subcode " + sub;
    }
}
