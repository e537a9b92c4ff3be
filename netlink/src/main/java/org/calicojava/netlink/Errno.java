package org.calicojava.netlink;

import org.calicojava.netlink.sys.LibC;

/** The errno values rtnetlink, nfnetlink and the namespace calls return, with their meaning. */
enum Errno {
    EPERM(1, "operation not permitted"),
    ENOENT(2, "no such file or directory"),
    ESRCH(3, "no such process"),
    EINTR(4, "interrupted"),
    EIO(5, "I/O error"),
    ENXIO(6, "no such device or address"),
    EBADF(9, "bad file descriptor"),
    EAGAIN(11, "resource temporarily unavailable"),
    ENOMEM(12, "out of memory"),
    EACCES(13, "permission denied"),
    EBUSY(16, "device or resource busy"),
    EEXIST(17, "file exists"),
    ENODEV(19, "no such device"),
    ENOTDIR(20, "not a directory"),
    EINVAL(22, "invalid argument"),
    EMFILE(24, "too many open files"),
    ENOSPC(28, "no space left"),
    EROFS(30, "read-only file system"),
    EMLINK(31, "too many links (nftables: a jump loop, or jumps nested too deep)"),
    ERANGE(34, "result out of range"),
    ENAMETOOLONG(36, "name too long"),
    ENOTEMPTY(39, "not empty (nftables: chain or table still in use)"),
    ELOOP(40, "too many levels (nftables: a jump loop)"),
    ENODATA(61, "no data (nftables: a register read before anything wrote it)"),
    ERESTART(85, "restart (nftables: the generation changed since the transaction was prepared)"),
    EMSGSIZE(90, "message too long"),
    EPROTONOSUPPORT(93, "protocol not supported"),
    EOPNOTSUPP(95, "operation not supported"),
    EAFNOSUPPORT(97, "address family not supported"),
    EADDRINUSE(98, "address in use"),
    EADDRNOTAVAIL(99, "address not available"),
    ENETDOWN(100, "network is down"),
    ENETUNREACH(101, "network unreachable"),
    ENOBUFS(105, "no buffer space (messages were dropped)"),
    EHOSTUNREACH(113, "no route to host"),
    ENOTSUP(524, "operation not supported");

    final int code;
    final String meaning;

    Errno(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    /** "what: meaning (ENAME)" for the calling thread's current errno. */
    static NetlinkException failure(String what) {
        return new NetlinkException(what + ": " + describe(LibC.errno()));
    }

    static Errno of(int code) {
        for (Errno e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        return null;
    }

    static String name(int code) {
        Errno e = of(code);
        return e == null ? "errno " + code : e.name();
    }

    static String describe(int code) {
        Errno e = of(code);
        return e == null ? "errno " + code : e.meaning + " (" + e.name() + ")";
    }
}
