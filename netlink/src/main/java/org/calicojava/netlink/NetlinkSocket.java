package org.calicojava.netlink;

import static org.calicojava.netlink.codec.Rtnl.AF_NETLINK;
import static org.calicojava.netlink.codec.Rtnl.NETLINK_ADD_MEMBERSHIP;
import static org.calicojava.netlink.codec.Rtnl.NETLINK_CAP_ACK;
import static org.calicojava.netlink.codec.Rtnl.NETLINK_EXT_ACK;
import static org.calicojava.netlink.codec.Rtnl.NETLINK_ROUTE;
import static org.calicojava.netlink.codec.Rtnl.SOL_NETLINK;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.calicojava.netlink.sys.LibC;

/**
 * A netlink socket, NETLINK_ROUTE unless told otherwise (socket, bind, sendto, recv, setsockopt through jnr-ffi).
 * It stays in the network namespace of the thread that created it. Not thread-safe: one owner at a time.
 */
final class NetlinkSocket implements AutoCloseable {
    static final int RECEIVE_BUFFER = 256 * 1024;
    private static final byte[] KERNEL = sockaddr(0, 0);
    private final LibC c = LibC.INSTANCE;
    private final ByteBuffer in = ByteBuffer.allocateDirect(RECEIVE_BUFFER).order(ByteOrder.nativeOrder());
    private final int portId;
    private volatile int fd;

    /** Opens a socket bound to the multicast groups in the {@code groups} bitmask (0 for none). */
    NetlinkSocket(int groups) {
        this(NETLINK_ROUTE, groups);
    }

    /** Opens a socket of netlink family {@code protocol} (NETLINK_ROUTE, NETLINK_NETFILTER, ...). */
    NetlinkSocket(int protocol, int groups) {
        fd = c.socket(AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
        if (fd < 0) {
            throw Errno.failure("socket(AF_NETLINK, protocol " + protocol + ")");
        }
        try {
            if (c.bind(fd, sockaddr(0, groups), 12) != 0) {
                throw Errno.failure("bind netlink socket");
            }
            byte[] local = new byte[12];
            if (c.getsockname(fd, local, new int[] {12}) != 0) {
                throw Errno.failure("getsockname netlink socket");
            }
            portId = ByteBuffer.wrap(local).order(ByteOrder.nativeOrder()).getInt(4);
            trySetInt(SOL_NETLINK, NETLINK_CAP_ACK, 1);
            trySetInt(SOL_NETLINK, NETLINK_EXT_ACK, 1);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static byte[] sockaddr(int pid, int groups) {
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
        b.putShort((short) AF_NETLINK).putShort((short) 0).putInt(pid).putInt(groups);
        return b.array();
    }

    int portId() {
        return portId;
    }

    /** Sets an int socket option; false (errno ignored) when the kernel refuses it. */
    boolean trySetInt(int level, int option, int value) {
        byte[] v = ByteBuffer.allocate(4)
                .order(ByteOrder.nativeOrder())
                .putInt(value)
                .array();
        return c.setsockopt(fd, level, option, v, 4) == 0;
    }

    /** Grows send and receive buffers: SO_*BUFFORCE (needs CAP_NET_ADMIN), else the capped SO_*BUF. */
    void buffers(int bytes) {
        if (!trySetInt(LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, bytes)) {
            trySetInt(LibC.SOL_SOCKET, LibC.SO_RCVBUF, bytes);
        }
        if (!trySetInt(LibC.SOL_SOCKET, LibC.SO_SNDBUFFORCE, bytes)) {
            trySetInt(LibC.SOL_SOCKET, LibC.SO_SNDBUF, bytes);
        }
    }

    /** recv() returns EAGAIN after {@code millis} without data. */
    void receiveTimeout(int millis) {
        byte[] tv = ByteBuffer.allocate(16)
                .order(ByteOrder.nativeOrder())
                .putLong(millis / 1000)
                .putLong((millis % 1000) * 1000L)
                .array();
        if (c.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, tv, 16) != 0) {
            throw Errno.failure("setsockopt SO_RCVTIMEO");
        }
    }

    /** Joins a multicast group by number (RTNLGRP_*). */
    void join(int group) {
        if (!trySetInt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group)) {
            throw Errno.failure("join netlink group " + group);
        }
    }

    /** Sends the bytes from position 0 to {@code length} of a direct buffer to the kernel in one datagram. */
    void send(ByteBuffer direct, int length) {
        if (fd < 0) {
            throw new NetlinkException("netlink socket is closed");
        }
        ByteBuffer from0 = direct.slice(0, length); // jnr-ffi passes a direct buffer's address + position
        while (true) {
            long n = c.sendto(fd, from0, length, 0, KERNEL, 12);
            if (n == length) {
                return;
            }
            if (n < 0 && LibC.errno() == LibC.EINTR) {
                continue;
            }
            throw n < 0
                    ? Errno.failure("sendto netlink")
                    : new NetlinkException("sendto netlink: sent " + n + " of " + length + " bytes");
        }
    }

    /**
     * Receives one datagram. Returns a view of it (valid until the next call), or null when the receive timeout
     * passed. Throws {@link OverrunException} on ENOBUFS (the kernel dropped messages for us).
     */
    ByteBuffer receive() {
        while (true) {
            long n = c.recv(fd, in, RECEIVE_BUFFER, LibC.MSG_TRUNC);
            if (n >= 0) {
                if (n > RECEIVE_BUFFER) {
                    throw new NetlinkCodecException(
                            "netlink datagram of " + n + " bytes (expected: <= " + RECEIVE_BUFFER + ")");
                }
                return in.duplicate().order(ByteOrder.nativeOrder()).position(0).limit((int) n);
            }
            int e = LibC.errno();
            if (e == LibC.EINTR) {
                continue;
            }
            if (e == LibC.EAGAIN) {
                return null;
            }
            if (e == LibC.ENOBUFS) {
                throw new OverrunException();
            }
            throw new NetlinkException("recv netlink: " + Errno.describe(e));
        }
    }

    @Override
    public void close() {
        int f = fd;
        fd = -1;
        if (f >= 0) {
            c.close(f);
        }
    }

    /** The socket's receive queue overflowed: messages (acks or events) were lost. */
    static final class OverrunException extends NetlinkException {
        OverrunException() {
            super("netlink receive buffer overrun: the kernel dropped messages (ENOBUFS)");
        }
    }
}
