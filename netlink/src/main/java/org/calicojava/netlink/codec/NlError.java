package org.calicojava.netlink.codec;

import java.nio.ByteBuffer;
import org.calicojava.netlink.NetlinkCodecException;

/**
 * The payload of an NLMSG_ERROR message (struct nlmsgerr): s32 error (0 = ack, else -errno), the request's nlmsghdr,
 * the request's payload unless the NLM_F_CAPPED flag is set, then extended-ack TLVs when NLM_F_ACK_TLVS is set
 * (NLMSGERR_ATTR_MSG: a human-readable reason from the kernel).
 *
 * @param errno positive errno, 0 for a successful ack
 * @param request header of the request this answers (its seq maps it back)
 * @param message extended-ack message, or null
 */
public record NlError(int errno, NlMsgHdr request, String message) {

    public static NlError decode(NlMessage m) {
        ByteBuffer b = m.body().duplicate().order(m.body().order());
        Need.bytes(b, 4 + NlMsgHdr.SIZE, "nlmsgerr");
        int error = b.getInt();
        NlMsgHdr req = NlMsgHdr.decode(b);
        String msg = null;
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
            msg = Attrs.parse(b, "nlmsgerr").string(Rtnl.NLMSGERR_ATTR_MSG);
        }
        if (error > 0) {
            throw new NetlinkCodecException("nlmsgerr: error " + error + " (expected: <= 0)");
        }
        return new NlError(-error, req, msg);
    }
}
