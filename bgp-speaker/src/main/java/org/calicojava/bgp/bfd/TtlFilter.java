package org.calicojava.bgp.bfd;

import io.netty.channel.ChannelOption;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.channel.unix.RawUnixChannelOption;
import io.netty.util.internal.PlatformDependent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * GTSM for BFD (RFC 5881 section 5): a classic BPF socket filter ({@code SO_ATTACH_FILTER}) on the receiving UDP
 * socket that passes only datagrams whose IPv4 TTL / IPv6 hop limit is 255, read from the network header
 * ({@code SKF_NET_OFF}). Netty's datagram channel cannot hand us the received TTL ({@code IP_RECVTTL} control
 * messages are not exposed), so the check happens in the kernel, before a packet is queued to the socket; a packet with
 * any other TTL never reaches {@link BfdPacket#decode} (which checks the TTL it is given for the same rule).
 */
final class TtlFilter {
    private static final int SOL_SOCKET = 1,
            SO_ATTACH_FILTER = 26,
            IPPROTO_IPV6 = 41,
            IPV6_V6ONLY = 26,
            IPPROTO_IP = 0,
            IP_TTL = 2,
            IPV6_UNICAST_HOPS = 16;
    private static final int SKF_NET_OFF = -0x100000;
    /** sock_fprog on x86_64 / aarch64: unsigned short len, 6 bytes padding, pointer. */
    static final RawUnixChannelOption ATTACH =
            new RawUnixChannelOption("SO_ATTACH_FILTER", SOL_SOCKET, SO_ATTACH_FILTER, 16);

    static final ChannelOption<Integer> V6ONLY = new IntegerUnixChannelOption("IPV6_V6ONLY", IPPROTO_IPV6, IPV6_V6ONLY);
    static final ChannelOption<Integer> TTL4 = new IntegerUnixChannelOption("IP_TTL", IPPROTO_IP, IP_TTL);
    static final ChannelOption<Integer> TTL6 =
            new IntegerUnixChannelOption("IPV6_UNICAST_HOPS", IPPROTO_IPV6, IPV6_UNICAST_HOPS);
    /** Kept reachable for the life of the process (the kernel copies the program, but the JVM must not free it first). */
    private static final ByteBuffer V4 = program(8), V6 = program(7);

    private TtlFilter() {}

    /** The sock_fprog for an IPv4 ({@code ipv6 == false}) or IPv6 socket. */
    static ByteBuffer fprog(boolean ipv6) {
        if (!PlatformDependent.hasUnsafe()) {
            throw new IllegalStateException(
                    "BFD TTL check: cannot attach the socket filter (no direct buffer addresses)");
        }
        ByteBuffer insns = ipv6 ? V6 : V4;
        ByteBuffer f = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
        f.putShort(0, (short) 4);
        f.putLong(8, PlatformDependent.directBufferAddress(insns));
        return f;
    }

    /** ldb [net + ttlOffset]; jeq #255, accept, drop; accept: ret #-1; drop: ret #0. */
    private static ByteBuffer program(int ttlOffset) {
        ByteBuffer b = ByteBuffer.allocateDirect(4 * 8).order(ByteOrder.nativeOrder());
        insn(b, 0x30, 0, 0, SKF_NET_OFF + ttlOffset); // BPF_LD | BPF_B | BPF_ABS
        insn(b, 0x15, 0, 1, 255); // BPF_JMP | BPF_JEQ | BPF_K
        insn(b, 0x06, 0, 0, -1); // BPF_RET | BPF_K: whole packet
        insn(b, 0x06, 0, 0, 0); // BPF_RET | BPF_K: drop
        return b;
    }

    private static void insn(ByteBuffer b, int code, int jt, int jf, int k) {
        b.putShort((short) code).put((byte) jt).put((byte) jf).putInt(k);
    }
}
