package org.calicojava.netlink;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.calicojava.netlink.sys.LibC;

/**
 * Named network namespaces, compatible with {@code ip netns}: a namespace NAME is kept alive by a bind mount of its
 * nsfs file on /var/run/netns/NAME. Code runs inside a namespace on a fresh thread that called setns(2) and then
 * ends, so no shared or pooled thread ever changes namespace. A netlink socket stays in the namespace it was
 * created in, so {@link #open} returns a {@link Netlink} usable from any thread.
 */
public final class NetNs {
    /** Where {@code ip netns} keeps its namespace files. */
    public static final Path DIR = Path.of("/var/run/netns");

    private NetNs() {}

    /** /var/run/netns/NAME. */
    public static Path path(String name) {
        if (name == null || name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("namespace name: " + name + " (expected: a file name, no /)");
        }
        return DIR.resolve(name);
    }

    /** /proc/PID/ns/net: the namespace of a process. */
    public static Path pidPath(long pid) {
        return Path.of("/proc/" + pid + "/ns/net");
    }

    public static boolean exists(String name) {
        return Files.exists(path(name));
    }

    /** Names in /var/run/netns, like {@code ip netns list}. */
    public static List<String> list() {
        if (!Files.isDirectory(DIR)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(DIR)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new NetlinkException("list " + DIR + ": " + e.getMessage());
        }
    }

    /** Creates namespace NAME like {@code ip netns add NAME}; fails if it exists. Loopback starts down. */
    public static void create(String name) {
        Path file = path(name);
        prepareDir();
        try {
            Files.createFile(file);
        } catch (FileAlreadyExistsException e) {
            throw new NetlinkException("create namespace " + name + ": it exists");
        } catch (IOException e) {
            throw new NetlinkException("create namespace " + name + ": " + e.getMessage());
        }
        try {
            onFreshThread("netns-create-" + name, () -> {
                LibC c = LibC.INSTANCE;
                if (c.unshare(LibC.CLONE_NEWNET) != 0) {
                    throw Errno.failure("create namespace " + name + ": unshare(CLONE_NEWNET)");
                }
                // /proc/self would name the process's main thread; this thread alone is in the new namespace.
                if (c.mount("/proc/thread-self/ns/net", file.toString(), "none", LibC.MS_BIND, null) != 0) {
                    throw Errno.failure("create namespace " + name + ": bind mount on " + file);
                }
                return null;
            });
        } catch (RuntimeException e) {
            quietlyDelete(file);
            throw e;
        }
    }

    /** Deletes namespace NAME like {@code ip netns delete NAME}; its interfaces go when nothing else uses it. */
    public static void delete(String name) {
        Path file = path(name);
        if (!Files.exists(file)) {
            throw new NetlinkException("delete namespace " + name + ": no such namespace");
        }
        if (LibC.INSTANCE.umount2(file.toString(), LibC.MNT_DETACH) != 0 && LibC.errno() != LibC.EINVAL) {
            throw Errno.failure("delete namespace " + name + ": umount " + file);
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new NetlinkException("delete namespace " + name + ": " + e.getMessage());
        }
    }

    /**
     * Null if {@code nsPath} is a network namespace file other than the calling thread's own namespace, else why not:
     * not a regular file, not a namespace of type CLONE_NEWNET (the kernel's answer to NS_GET_NSTYPE), or the same
     * device and inode as {@code /proc/thread-self/ns/net}. Checked before a caller moves anything into it.
     */
    public static String notAnotherNetworkNamespace(Path nsPath) {
        if (!Files.isRegularFile(nsPath)) {
            return "not a namespace file";
        }
        try (NsFd ns = new NsFd(nsPath)) {
            int type = LibC.INSTANCE.ioctl(ns.fd, LibC.NS_GET_NSTYPE);
            if (type != LibC.CLONE_NEWNET) {
                return "not a network namespace";
            }
        } catch (NetlinkException e) {
            return "not readable: " + e.getMessage();
        }
        try {
            Path own = Path.of("/proc/thread-self/ns/net");
            if (Files.getAttribute(nsPath, "unix:dev").equals(Files.getAttribute(own, "unix:dev"))
                    && Files.getAttribute(nsPath, "unix:ino").equals(Files.getAttribute(own, "unix:ino"))) {
                return "the caller's own network namespace";
            }
        } catch (IOException e) {
            return "not readable: " + e.getMessage();
        }
        return null;
    }

    /** Opens a {@link Netlink} socket inside namespace NAME. */
    public static Netlink open(String name) {
        return openAt(path(name));
    }

    /** Opens a {@link Netlink} socket inside the namespace at {@code nsPath} (e.g. {@link #pidPath}). */
    public static Netlink openAt(Path nsPath) {
        return runAt(nsPath, Netlink::open);
    }

    /** Subscribes to events of namespace NAME (the socket is opened inside it; the reader runs anywhere). */
    public static NetlinkEvents subscribe(String name, java.util.Set<EventGroup> groups, NetlinkListener listener) {
        NetlinkSocket socket = run(name, () -> NetlinkEvents.open(groups));
        return NetlinkEvents.start(socket, listener, "netlink-events-" + name);
    }

    /** Runs {@code task} on a new thread inside namespace NAME and returns its result. */
    public static <T> T run(String name, Callable<T> task) {
        return runAt(path(name), task);
    }

    /**
     * Runs {@code task} on a new thread that joined the namespace at {@code nsPath}; the thread ends afterwards.
     * Runtime exceptions of the task propagate as they are, checked ones wrapped in a {@link NetlinkException}.
     */
    public static <T> T runAt(Path nsPath, Callable<T> task) {
        return onFreshThread("netns-" + nsPath.getFileName(), () -> {
            try (NsFd ns = new NsFd(nsPath)) {
                if (LibC.INSTANCE.setns(ns.fd, LibC.CLONE_NEWNET) != 0) {
                    throw Errno.failure("enter namespace " + nsPath);
                }
            }
            return task.call();
        });
    }

    private static <T> T onFreshThread(String name, Callable<T> task) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(
                () -> {
                    try {
                        result.set(task.call());
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                },
                name);
        t.setDaemon(true);
        t.start();
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable e = failure.get();
        if (e instanceof RuntimeException re) {
            throw re;
        }
        if (e instanceof Error err) {
            throw err;
        }
        if (e != null) {
            throw new NetlinkException(name + ": " + e, e);
        }
        return result.get();
    }

    private static synchronized void prepareDir() {
        LibC c = LibC.INSTANCE;
        try {
            Files.createDirectories(DIR);
        } catch (IOException e) {
            throw new NetlinkException("create " + DIR + ": " + e.getMessage());
        }
        // As ip netns does: make the directory a shared mount point, so namespaces mounted later propagate to
        // mount namespaces made after (e.g. ip netns exec). If it is not a mount point yet, bind it onto itself.
        if (c.mount("", DIR.toString(), "none", LibC.MS_SHARED | LibC.MS_REC, null) != 0) {
            if (LibC.errno() != LibC.EINVAL
                    || c.mount(DIR.toString(), DIR.toString(), "none", LibC.MS_BIND | LibC.MS_REC, null) != 0
                    || c.mount("", DIR.toString(), "none", LibC.MS_SHARED | LibC.MS_REC, null) != 0) {
                throw Errno.failure("make " + DIR + " a shared mount");
            }
        }
    }

    private static void quietlyDelete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // best effort after a failed create
        }
    }
}
