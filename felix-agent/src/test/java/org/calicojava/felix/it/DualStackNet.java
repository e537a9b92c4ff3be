package org.calicojava.felix.it;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.calicojava.testing.Sh;

/**
 * A dual-stack simulated host (namespaces named {@code PREFIX-ID-...}, {@code v6-} by default): namespace HOST with an uplink veth
 * (192.168.201.1/24, fd00:200::1/64, default routes) to namespace UP (192.168.201.2/24, fd00:200::2/64, routes to the
 * workload pools back via HOST), and workload namespaces each joined to HOST by a veth: host side cali&lt;11 chars&gt;
 * with MAC ee:ee:ee:ee:ee:ee (so its link-local address is fe80::ecee:eeff:feee:eeee), workload side eth0 with
 * 10.66.0.N/32 and fd00:66::N/128, default routes via 169.254.1.1 (proxy ARP) and via the host side's link-local
 * address (as Calico's CNI plugin sets them). Everything is deleted by {@link #close()}.
 */
final class DualStackNet implements AutoCloseable {
    static final String HOST_IP = "192.168.201.1";
    static final String UP_IP = "192.168.201.2";
    static final String HOST_IP6 = "fd00:200::1";
    static final String UP_IP6 = "fd00:200::2";
    static final String HOST_LINK_LOCAL = "fe80::ecee:eeff:feee:eeee";
    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String prefix;
    final String host;
    final String up;
    private final List<String> namespaces = new ArrayList<>();

    DualStackNet() {
        this("v6");
    }

    DualStackNet(String prefix) {
        this.prefix = prefix;
        host = prefix + "-" + id + "-h";
        up = prefix + "-" + id + "-u";
        try {
            add(host);
            add(up);
            for (String ns : List.of(host, up)) {
                Sh.ok("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
            }
            Sh.ok("ip", "-n", host, "link", "add", "uplink0", "type", "veth", "peer", "name", "eth0", "netns", up);
            Sh.ok("ip", "-n", host, "addr", "add", HOST_IP + "/24", "dev", "uplink0");
            Sh.ok("ip", "-n", host, "addr", "add", HOST_IP6 + "/64", "dev", "uplink0", "nodad");
            Sh.ok("ip", "-n", host, "link", "set", "uplink0", "up");
            Sh.ok("ip", "-n", up, "addr", "add", UP_IP + "/24", "dev", "eth0");
            Sh.ok("ip", "-n", up, "addr", "add", UP_IP6 + "/64", "dev", "eth0", "nodad");
            Sh.ok("ip", "-n", up, "link", "set", "eth0", "up");
            Sh.ok("ip", "-n", host, "route", "add", "default", "via", UP_IP);
            Sh.ok("ip", "-n", host, "-6", "route", "add", "default", "via", UP_IP6);
            Sh.ok("ip", "-n", up, "route", "add", "10.66.0.0/16", "via", HOST_IP);
            Sh.ok("ip", "-n", up, "-6", "route", "add", "fd00:66::/64", "via", HOST_IP6);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    private void add(String ns) {
        Sh.ok("ip", "netns", "add", ns);
        namespaces.add(ns);
    }

    /** The host-side interface name of workload {@code n}: cali + 11 characters. */
    String iface(int n) {
        return "cali" + id + String.format("%05d", n);
    }

    String workloadNs(int n) {
        return prefix + "-" + id + "-w" + n;
    }

    static String ip(int n) {
        return "10.66.0." + n;
    }

    static String ip6(int n) {
        return "fd00:66::" + Integer.toHexString(n);
    }

    /** Creates workload namespace {@code n} joined to the host by its veth. */
    void addWorkload(int n) {
        String ns = workloadNs(n);
        add(ns);
        String ifc = iface(n);
        Sh.ok("ip", "-n", host, "link", "add", ifc, "type", "veth", "peer", "name", "eth0", "netns", ns);
        Sh.ok("ip", "-n", host, "link", "set", ifc, "address", "ee:ee:ee:ee:ee:ee");
        Sh.ok("ip", "-n", host, "link", "set", ifc, "up");
        Sh.ok("ip", "-n", ns, "link", "set", "lo", "up");
        Sh.ok("ip", "-n", ns, "addr", "add", ip(n) + "/32", "dev", "eth0");
        Sh.ok("ip", "-n", ns, "addr", "add", ip6(n) + "/128", "dev", "eth0", "nodad");
        Sh.ok("ip", "-n", ns, "link", "set", "eth0", "up");
        Sh.ok("ip", "-n", ns, "route", "add", "169.254.1.1", "dev", "eth0", "scope", "link");
        Sh.ok("ip", "-n", ns, "route", "add", "default", "via", "169.254.1.1", "dev", "eth0");
        Sh.ok("ip", "-n", ns, "-6", "route", "add", "default", "via", HOST_LINK_LOCAL, "dev", "eth0");
    }

    /** ping (IPv4 or IPv6 by the address) once from namespace {@code from}, optionally from source {@code src}. */
    boolean ping(String from, String ip, String src) {
        List<String> cmd = new ArrayList<>(
                List.of("ip", "netns", "exec", from, "ping", ip.contains(":") ? "-6" : "-4", "-c", "1", "-W", "1"));
        if (src != null) {
            cmd.addAll(List.of("-I", src));
        }
        cmd.add(ip);
        return Sh.run(cmd.toArray(new String[0])).exit() == 0;
    }

    boolean ping(String from, String ip) {
        return ping(from, ip, null);
    }

    String save(int version, String table) {
        return Sh.ok("ip", "netns", "exec", host, version == 6 ? "ip6tables-save" : "iptables-save", "-t", table);
    }

    String routes6() {
        return Sh.ok("ip", "-n", host, "-6", "route", "show", "proto", "80");
    }

    @Override
    public void close() {
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            Sh.run("ip", "netns", "delete", namespaces.get(i));
        }
        namespaces.clear();
    }
}
