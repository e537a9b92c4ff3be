package org.calicojava.bgp.codec;

import java.util.Arrays;
import java.util.HexFormat;

/** An attribute this speaker does not interpret (unknown optional transitive): carried through as bytes. */
public record RawAttribute(int flags, int code, byte[] value) {
    public RawAttribute {
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    int length() {
        return value.length;
    }

    byte[] rawValue() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawAttribute r && r.flags == flags && r.code == code && Arrays.equals(r.value, value);
    }

    @Override
    public int hashCode() {
        return (flags * 31 + code) * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "attr" + code + "(flags " + Integer.toHexString(flags) + ")="
                + HexFormat.of().formatHex(value);
    }
}
