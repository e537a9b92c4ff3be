package org.calicojava.netlink.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.calicojava.netlink.NetlinkCodecException;

/** One netlink message: its header and a read-only view of its payload (exactly length - 16 bytes). */
public record NlMessage(NlMsgHdr header, ByteBuffer body) {

    /**
     * Splits a datagram (position to limit) into messages. Every length field is checked against the bytes that
     * are really there, so a truncated or corrupt datagram throws {@link NetlinkCodecException} instead of looping
     * or reading the next message's bytes.
     */
    public static List<NlMessage> split(ByteBuffer datagram) {
        ByteBuffer b = datagram.slice().order(ByteOrder.nativeOrder());
        List<NlMessage> out = new ArrayList<>(4);
        while (b.hasRemaining()) {
            int start = b.position();
            NlMsgHdr h = NlMsgHdr.decode(b);
            int available = b.limit() - start;
            if (Integer.compareUnsigned(h.length(), NlMsgHdr.SIZE) < 0) {
                throw new NetlinkCodecException("nlmsghdr: length " + h.length() + " (expected: >= 16)");
            }
            if (Integer.compareUnsigned(h.length(), available) > 0) {
                throw new NetlinkCodecException("nlmsghdr: length " + Integer.toUnsignedString(h.length())
                        + " (expected: <= " + available + " bytes left in the datagram)");
            }
            ByteBuffer body = b.slice(start + NlMsgHdr.SIZE, h.length() - NlMsgHdr.SIZE)
                    .asReadOnlyBuffer()
                    .order(ByteOrder.nativeOrder());
            out.add(new NlMessage(h, body));
            b.position(Math.min(b.limit(), start + Rtnl.align(h.length())));
        }
        return out;
    }
}
