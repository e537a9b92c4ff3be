package org.calicojava.netlink.sys;

import java.nio.ByteBuffer;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The few libc calls this module needs, bound with jnr-ffi (public only because jnr-ffi generates its
 * implementation in another class loader; not part of the module's API). errno is read with {@link #errno()}.
 */
public interface LibC {
    int SOCK_RAW = 3;
    int SOCK_CLOEXEC = 0x80000;
    int SOL_SOCKET = 1;
    int SO_SNDBUF = 7;
    int SO_RCVBUF = 8;
    int SO_RCVTIMEO = 20;
    int SO_SNDBUFFORCE = 32;
    int SO_RCVBUFFORCE = 33;
    int MSG_TRUNC = 0x20;
    int O_RDONLY = 0;
    int O_WRONLY = 1;
    int O_CLOEXEC = 0x80000;
    int CLONE_NEWNET = 0x40000000;
    long MS_BIND = 4096;
    long MS_REC = 16384;
    long MS_SHARED = 1 << 20;
    int MNT_DETACH = 2;
    int EINTR = 4;
    int EAGAIN = 11;
    int EINVAL = 22;
    int ENOBUFS = 105;

    LibC INSTANCE =
            LibraryLoader.create(LibC.class).load(Platform.getNativePlatform().getStandardCLibraryName());

    static int errno() {
        return Runtime.getRuntime(INSTANCE).getLastError();
    }

    int socket(int domain, int type, int protocol);

    int bind(int fd, @In byte[] addr, int len);

    int getsockname(int fd, @Out byte[] addr, @In @Out int[] len);

    @ssize_t
    long sendto(int fd, @In ByteBuffer buf, @size_t long len, int flags, @In byte[] addr, int addrLen);

    @ssize_t
    long recv(int fd, @Out ByteBuffer buf, @size_t long len, int flags);

    int setsockopt(int fd, int level, int name, @In byte[] value, int len);

    int close(int fd);

    /** {@code path}: NUL-terminated ({@link #path}), so no String is converted per call. */
    int open(@In byte[] path, int flags);

    /** A path as {@link #open} takes it: UTF-8 and a terminating NUL. */
    static byte[] path(String path) {
        byte[] p = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return java.util.Arrays.copyOf(p, p.length + 1);
    }

    @ssize_t
    long write(int fd, @In byte[] buf, @size_t long len);

    int setns(int fd, int nstype);

    /** ioctl(2) without an argument, as {@link #NS_GET_NSTYPE} takes it. */
    int ioctl(int fd, long request);

    /** ioctl of a namespace file: its CLONE_NEW* type (Linux 4.11); ENOTTY on any other file. */
    long NS_GET_NSTYPE = 0xb703;

    int unshare(int flags);

    int mount(String source, String target, String fstype, long flags, String data);

    int umount2(String target, int flags);
}
