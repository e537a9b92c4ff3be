package org.calicojava.netlink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads and writes /proc/sys. The kernel resolves /proc/sys/net in the network namespace of the <em>thread</em>
 * that opens the file, so to set an interface's sysctls inside namespace NS run these in
 * {@link NetNs#run NetNs.run(NS, ...)} (verified by SysctlIT). Keys are slash-separated paths under /proc/sys,
 * e.g. {@code net/ipv4/conf/eth0/proxy_arp}, because interface names may contain dots.
 */
public final class Sysctl {
    private static final Path ROOT = Path.of("/proc/sys");

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
        try {
            Files.writeString(file(key), value + "\n");
        } catch (NoSuchFileException e) {
            throw new NetlinkException("sysctl " + key + ": no such setting (interface missing?)");
        } catch (IOException e) {
            throw new NetlinkException("sysctl " + key + " = " + value + ": " + e.getMessage());
        }
    }

    private static Path file(String key) {
        if (key.contains("..") || key.startsWith("/") || key.isEmpty()) {
            throw new IllegalArgumentException("sysctl key: " + key + " (expected: a path like net/ipv4/ip_forward)");
        }
        return ROOT.resolve(key);
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

    /** net.ipv6.conf.IF.proxy_ndp. */
    public static void proxyNdp(String ifname, boolean on) {
        set("net/ipv6/conf/" + iface(ifname) + "/proxy_ndp", bool(on));
    }
}
