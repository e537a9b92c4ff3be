package org.calicojava.netlink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.calicojava.netlink.sys.LibC;

/**
 * Reads and writes /proc/sys. The kernel resolves /proc/sys/net in the network namespace of the <em>thread</em>
 * that opens the file, so to set an interface's sysctls inside namespace NS run these in
 * {@link NetNs#run NetNs.run(NS, ...)} (verified by NetNsIT). Keys are slash-separated paths under /proc/sys,
 * e.g. {@code net/ipv4/conf/eth0/proxy_arp}, because interface names may contain dots.
 */
public final class Sysctl {
    private static final Path ROOT = Path.of("/proc/sys");
    private static final LibC C = LibC.INSTANCE;
    private static final String PREFIX = ROOT + "/";
    /** The values written most ("1\n", "0\n"), encoded once: a cold start writes 70,000 at 10,000 interfaces. */
    private static final byte[] ONE = {'1', '\n'};

    private static final byte[] ZERO = {'0', '\n'};

    private Sysctl() {}

    public static String get(String key) {
        try {
            return Files.readString(file(key)).strip();
        } catch (NoSuchFileException e) {
            throw new NetlinkException("sysctl " + key + ": no such setting (interface missing?)");
        } catch (IOException e) {
            throw new NetlinkException("sysctl " + key + ": " + e.getMessage());
        }
    }

    public static void set(String key, String value) {
        if (!setIfPresent(key, value)) {
            throw new NetlinkException("sysctl " + key + ": no such setting (interface missing?)");
        }
    }

    /**
     * Sets {@code key} if the kernel has it; false if it does not (no such file: the interface, or its family, is not
     * there). One open, write and close through libc: a workload interface gets 4 to 7 of these, and at 10,000
     * interfaces that takes 0.80x the time of the Java file API's writes ({@code netlink/bench/sysctls.sh}).
     */
    public static boolean setIfPresent(String key, String value) {
        check(key);
        byte[] bytes =
                value.equals("1") ? ONE : value.equals("0") ? ZERO : (value + "\n").getBytes(StandardCharsets.UTF_8);
        int fd = C.open(LibC.path(PREFIX + key), LibC.O_WRONLY | LibC.O_CLOEXEC);
        if (fd < 0) {
            int errno = LibC.errno();
            if (errno == Errno.ENOENT.code) {
                return false;
            }
            throw new NetlinkException("sysctl " + key + " = " + value + ": " + Errno.describe(errno));
        }
        try {
            long written = C.write(fd, bytes, bytes.length);
            if (written < 0) {
                throw new NetlinkException("sysctl " + key + " = " + value + ": " + Errno.describe(LibC.errno()));
            }
            if (written != bytes.length) {
                throw new NetlinkException(
                        "sysctl " + key + " = " + value + ": wrote " + written + " of " + bytes.length + " bytes");
            }
        } finally {
            C.close(fd);
        }
        return true;
    }

    private static Path file(String key) {
        check(key);
        return ROOT.resolve(key);
    }

    private static void check(String key) {
        if (key.contains("..") || key.startsWith("/") || key.isEmpty() || key.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("sysctl key: " + key + " (expected: a path like net/ipv4/ip_forward)");
        }
    }

    private static String iface(String ifname) {
        Netlink.checkName(ifname);
        return ifname;
    }

    private static String bool(boolean on) {
        return on ? "1" : "0";
    }

    /** net.ipv4.conf.IF.proxy_arp: answer ARP for addresses routed elsewhere (Calico: 1 on workload interfaces). */
    public static void proxyArp(String ifname, boolean on) {
        set("net/ipv4/conf/" + iface(ifname) + "/proxy_arp", bool(on));
    }

    /** net.ipv4.conf.IF.forwarding or net.ipv6.conf.IF.forwarding. */
    public static void forwarding(String ifname, boolean ipv6, boolean on) {
        set("net/" + (ipv6 ? "ipv6" : "ipv4") + "/conf/" + iface(ifname) + "/forwarding", bool(on));
    }

    /** net.ipv4.conf.IF.route_localnet: allow 127/8 as source/destination on the interface. */
    public static void routeLocalnet(String ifname, boolean on) {
        set("net/ipv4/conf/" + iface(ifname) + "/route_localnet", bool(on));
    }

    /** net.ipv4.neigh.IF.proxy_delay in jiffies (Calico: 0, answer proxy ARP at once). */
    public static void proxyDelay(String ifname, int jiffies) {
        set("net/ipv4/neigh/" + iface(ifname) + "/proxy_delay", Integer.toString(jiffies));
    }

    /** net.ipv6.conf.IF.accept_ra (0, 1 or 2). */
    public static void acceptRa(String ifname, int value) {
        set("net/ipv6/conf/" + iface(ifname) + "/accept_ra", Integer.toString(value));
    }

    /**
     * As {@link #acceptRa}; false (nothing set) where the interface has no IPv6 settings at all (a kernel without
     * IPv6 or booted with {@code ipv6.disable=1}, an MTU below 1280). {@code disable_ipv6=1} keeps the settings.
     */
    public static boolean acceptRaIfIpv6(String ifname, int value) {
        return setIfPresent("net/ipv6/conf/" + iface(ifname) + "/accept_ra", Integer.toString(value));
    }

    /** net.ipv6.conf.IF.proxy_ndp. */
    public static void proxyNdp(String ifname, boolean on) {
        set("net/ipv6/conf/" + iface(ifname) + "/proxy_ndp", bool(on));
    }
}
