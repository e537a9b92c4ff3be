package org.calicojava.netlink;

import java.nio.file.Path;
import org.calicojava.netlink.sys.LibC;

/** An open file descriptor of a namespace file (/var/run/netns/NAME, /proc/PID/ns/net), closed on close(). */
final class NsFd implements AutoCloseable {
    final int fd;

    NsFd(Path path) {
        fd = LibC.INSTANCE.open(LibC.path(path.toString()), LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (fd < 0) {
            throw Errno.failure("open network namespace " + path);
        }
    }

    @Override
    public void close() {
        LibC.INSTANCE.close(fd);
    }
}
