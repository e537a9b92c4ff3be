package org.calicojava.netlink.codec;

import java.nio.ByteBuffer;
import org.calicojava.netlink.NetlinkCodecException;

/**
 * The payload of an NLMSG_ERROR message (struct nlmsgerr): s32 error (0 = ack, else -errno), the request's nlmsghdr,
 * the request's payload unless the NLM_F_CAPPED flag is set, then extended-ack TLVs when NLM_F_ACK_TLVS is set
 * (NLMSGERR_ATTR_MSG: a human-readable reason from the kernel; NLMSGERR_ATTR_OFFS: where in the request the attribute
 * it refused starts).
 *
 * @param errno positive errno, 0 for a successful ack
 * @param request header of the request this answers (its seq maps it back)
 * @param message extended-ack message, or null
 * @param offset the refused attribute's offset from the start of the request's nlmsghdr, or -1 when the kernel named
 *     none
 */
public record NlError(int errno, NlMsgHdr request, String message, int offset) {

    public NlError(int errno, NlMsgHdr request, String message) {
        this(errno, request, message, -1);
    }

    public static NlError decode(NlMessage m) {
        ByteBuffer b = m.body().duplicate().order(m.body().order());
        Need.bytes(b, 4 + NlMsgHdr.SIZE, "nlmsgerr");
        int error = b.getInt();
        NlMsgHdr req = NlMsgHdr.decode(b);
        String msg = null;
        int offset = -1;
        if ((m.header().flags() & Rtnl.NLM_F_ACK_TLVS) != 0) {
            if ((m.header().flags() & Rtnl.NLM_F_CAPPED) == 0) {
                int payload = req.length() - NlMsgHdr.SIZE;
                if (payload < 0 || payload > b.remaining()) {
                    throw new NetlinkCodecException(
                            "nlmsgerr: request payload of " + payload + " bytes (expected: 0.." + b.remaining() + ")");
                }
                b.position(
                        b.position() + Rtnl.align(payload) > b.limit()
                                ? b.limit()
                                : b.position() + Rtnl.align(payload));
            }
            Attrs tlvs = Attrs.parse(b, "nlmsgerr");
            msg = tlvs.string(Rtnl.NLMSGERR_ATTR_MSG);
            ByteBuffer offs = tlvs.get(Rtnl.NLMSGERR_ATTR_OFFS);
            if (offs != null && offs.remaining() >= 4) {
                long o = Integer.toUnsignedLong(offs.getInt(0));
                offset = o >= NlMsgHdr.SIZE && o < req.length() ? (int) o : -1; // past the header, inside the request
            }
        }
        if (error > 0) {
            throw new NetlinkCodecException("nlmsgerr: error " + error + " (expected: <= 0)");
        }
        return new NlError(-error, req, msg, offset);
    }
}
