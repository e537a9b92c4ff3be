package org.calicojava.netlink;

import java.util.HexFormat;

/** A 48-bit Ethernet address, e.g. {@code ee:ee:ee:ee:ee:ee}. */
public record MacAddress(long value) {
    public MacAddress {
        if (value < 0 || value > 0xffff_ffff_ffffL) {
            throw new IllegalArgumentException("mac: " + Long.toHexString(value) + " (expected: 48 bits)");
        }
    }

    public static MacAddress parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("mac: " + text + " (expected: six hex bytes like ee:ee:ee:ee:ee:ee)");
        }
        long v = 0;
        for (String p : parts) {
            if (p.length() != 2 || !HexFormat.isHexDigit(p.charAt(0)) || !HexFormat.isHexDigit(p.charAt(1))) {
                throw new IllegalArgumentException(
                        "mac: " + text + " (expected: six hex bytes like ee:ee:ee:ee:ee:ee)");
            }
            v = (v << 8) | Integer.parseInt(p, 16);
        }
        return new MacAddress(v);
    }

    public static MacAddress of(byte[] raw) {
        if (raw.length != 6) {
            throw new IllegalArgumentException("mac: " + raw.length + " bytes (expected: 6)");
        }
        long v = 0;
        for (byte b : raw) {
            v = (v << 8) | (b & 0xff);
        }
        return new MacAddress(v);
    }

    public byte[] bytes() {
        byte[] out = new byte[6];
        for (int i = 0; i < 6; i++) {
            out[i] = (byte) (value >>> (40 - 8 * i));
        }
        return out;
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(bytes());
    }
}
