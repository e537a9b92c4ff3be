package org.calicojava.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.stream.Collectors;

/** Test vectors: hex with '#' comments to the end of each line, whitespace ignored. */
public final class Hex {
    private Hex() {}

    public static byte[] bytes(String commented) {
        String hex = commented
                .lines()
                .map(l -> l.replaceAll("#.*", ""))
                .collect(Collectors.joining())
                .replaceAll("\\s", "");
        return HexFormat.of().parseHex(hex);
    }

    public static ByteBuffer buffer(String commented) {
        return ByteBuffer.wrap(bytes(commented)).order(ByteOrder.nativeOrder());
    }

    public static String of(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return HexFormat.of().formatHex(out);
    }
}
