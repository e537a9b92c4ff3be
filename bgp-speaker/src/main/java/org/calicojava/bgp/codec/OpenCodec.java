package org.calicojava.bgp.codec;

import static org.calicojava.bgp.codec.BgpError.BAD_BGP_IDENTIFIER;
import static org.calicojava.bgp.codec.BgpError.BAD_MESSAGE_LENGTH;
import static org.calicojava.bgp.codec.BgpError.MESSAGE_HEADER;
import static org.calicojava.bgp.codec.BgpError.OPEN_MESSAGE;
import static org.calicojava.bgp.codec.BgpError.UNACCEPTABLE_HOLD_TIME;
import static org.calicojava.bgp.codec.BgpError.UNSUPPORTED_OPTIONAL_PARAMETER;
import static org.calicojava.bgp.codec.BgpError.UNSUPPORTED_VERSION;
import static org.calicojava.bgp.codec.BgpError.of;
import static org.calicojava.bgp.codec.BgpError.u16;

import io.netty.buffer.ByteBuf;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** OPEN body and capabilities (RFC 4271 4.2, RFC 5492); unknown capabilities are skipped. */
final class OpenCodec {
    private static final int CAPABILITIES_PARAM = 2;

    private OpenCodec() {}

    static Open decode(ByteBuf b) {
        if (b.readableBytes() < 10) {
            throw new BgpException(u16(MESSAGE_HEADER, BAD_MESSAGE_LENGTH, Message.HEADER_LENGTH + b.readableBytes()));
        }
        int version = b.readUnsignedByte();
        if (version != 4) {
            throw new BgpException(u16(OPEN_MESSAGE, UNSUPPORTED_VERSION, 4));
        }
        int myAs = b.readUnsignedShort();
        int hold = b.readUnsignedShort();
        if (hold == 1 || hold == 2) {
            throw new BgpException(of(OPEN_MESSAGE, UNACCEPTABLE_HOLD_TIME));
        }
        int id = b.readInt();
        if (id == 0) {
            throw new BgpException(of(OPEN_MESSAGE, BAD_BGP_IDENTIFIER));
        }
        int optLen = b.readUnsignedByte();
        if (optLen != b.readableBytes()) {
            throw new BgpException(of(OPEN_MESSAGE, 0));
        }
        Set<Family> families = EnumSet.noneOf(Family.class);
        Map<Family, AddPathMode> addPath = new EnumMap<>(Family.class);
        long as4 = -1;
        boolean rr = false, err = false, ext = false;
        GracefulRestart gr = null;
        while (b.isReadable()) {
            if (b.readableBytes() < 2) {
                throw new BgpException(of(OPEN_MESSAGE, 0));
            }
            int type = b.readUnsignedByte(), len = b.readUnsignedByte();
            if (len > b.readableBytes()) {
                throw new BgpException(of(OPEN_MESSAGE, 0));
            }
            if (type != CAPABILITIES_PARAM) {
                throw new BgpException(of(OPEN_MESSAGE, UNSUPPORTED_OPTIONAL_PARAMETER));
            }
            int end = b.readerIndex() + len;
            while (b.readerIndex() < end) {
                if (end - b.readerIndex() < 2) {
                    throw new BgpException(of(OPEN_MESSAGE, 0));
                }
                int code = b.readUnsignedByte(), clen = b.readUnsignedByte();
                int cstart = b.readerIndex();
                if (cstart + clen > end) {
                    throw new BgpException(of(OPEN_MESSAGE, 0));
                }
                switch (code) {
                    case Capabilities.MULTIPROTOCOL -> {
                        if (clen != 4) {
                            throw badCapability();
                        }
                        Family f = Family.of(b.getUnsignedShort(cstart), b.getUnsignedByte(cstart + 3));
                        if (f != null) {
                            families.add(f);
                        }
                    }
                    case Capabilities.ROUTE_REFRESH -> rr = true;
                    case Capabilities.ENHANCED_ROUTE_REFRESH -> err = true;
                    case Capabilities.EXTENDED_MESSAGE -> ext = true;
                    case Capabilities.AS4 -> {
                        if (clen != 4) {
                            throw badCapability();
                        }
                        as4 = b.getUnsignedInt(cstart);
                    }
                    case Capabilities.GRACEFUL_RESTART -> {
                        if (clen < 2 || (clen - 2) % 4 != 0) {
                            throw badCapability();
                        }
                        int v = b.getUnsignedShort(cstart);
                        Map<Family, Boolean> fwd = new EnumMap<>(Family.class);
                        for (int p = cstart + 2; p < cstart + clen; p += 4) {
                            Family f = Family.of(b.getUnsignedShort(p), b.getUnsignedByte(p + 2));
                            if (f != null) {
                                fwd.put(f, (b.getUnsignedByte(p + 3) & 0x80) != 0);
                            }
                        }
                        gr = new GracefulRestart(
                                (v & GracefulRestart.RESTART_STATE) != 0,
                                (v & GracefulRestart.NOTIFICATION) != 0,
                                v & 0x0fff,
                                fwd);
                    }
                    case Capabilities.ADD_PATH -> {
                        if (clen % 4 != 0) {
                            throw badCapability();
                        }
                        for (int p = cstart; p < cstart + clen; p += 4) {
                            Family f = Family.of(b.getUnsignedShort(p), b.getUnsignedByte(p + 2));
                            AddPathMode m = AddPathMode.of(b.getUnsignedByte(p + 3));
                            if (f != null && m != null) {
                                addPath.put(f, m);
                            }
                        }
                    }
                    default -> {} // unknown capability: ignored (RFC 5492 section 4)
                }
                b.readerIndex(cstart + clen);
            }
        }
        return new Open(version, myAs, hold, id, new Capabilities(families, as4, rr, err, gr, addPath, ext));
    }

    private static BgpException badCapability() {
        return new BgpException(of(OPEN_MESSAGE, 0));
    }

    static void encode(Open o, ByteBuf out) {
        out.writeByte(o.version()).writeShort(o.myAs()).writeShort(o.holdTime()).writeInt(o.bgpId());
        int optLenAt = out.writerIndex();
        out.writeByte(0);
        Capabilities c = o.capabilities();
        if (c != null && c != Capabilities.NONE) {
            out.writeByte(CAPABILITIES_PARAM);
            int lenAt = out.writerIndex();
            out.writeByte(0);
            for (Family f : Family.values()) {
                if (c.families().contains(f)) {
                    out.writeByte(Capabilities.MULTIPROTOCOL)
                            .writeByte(4)
                            .writeShort(f.afi)
                            .writeByte(0)
                            .writeByte(f.safi);
                }
            }
            if (c.routeRefresh()) {
                out.writeByte(Capabilities.ROUTE_REFRESH).writeByte(0);
            }
            if (c.extendedMessage()) {
                out.writeByte(Capabilities.EXTENDED_MESSAGE).writeByte(0);
            }
            if (c.gracefulRestart() != null) {
                GracefulRestart g = c.gracefulRestart();
                out.writeByte(Capabilities.GRACEFUL_RESTART)
                        .writeByte(2 + 4 * g.forwarding().size());
                out.writeShort((g.restarting() ? GracefulRestart.RESTART_STATE : 0)
                        | (g.notification() ? GracefulRestart.NOTIFICATION : 0)
                        | g.restartTime());
                for (Family f : Family.values()) {
                    Boolean fw = g.forwarding().get(f);
                    if (fw != null) {
                        out.writeShort(f.afi).writeByte(f.safi).writeByte(fw ? 0x80 : 0);
                    }
                }
            }
            if (c.hasAs4()) {
                out.writeByte(Capabilities.AS4).writeByte(4).writeInt((int) c.as4());
            }
            if (!c.addPath().isEmpty()) {
                out.writeByte(Capabilities.ADD_PATH).writeByte(4 * c.addPath().size());
                for (Family f : Family.values()) {
                    AddPathMode m = c.addPath().get(f);
                    if (m != null) {
                        out.writeShort(f.afi).writeByte(f.safi).writeByte(m.code);
                    }
                }
            }
            if (c.enhancedRouteRefresh()) {
                out.writeByte(Capabilities.ENHANCED_ROUTE_REFRESH).writeByte(0);
            }
            int len = out.writerIndex() - lenAt - 1;
            if (len > 255) {
                throw new IllegalArgumentException("capabilities: " + len + " bytes (expected: <= 255)");
            }
            out.setByte(lenAt, len);
        }
        out.setByte(optLenAt, out.writerIndex() - optLenAt - 1);
    }
}
