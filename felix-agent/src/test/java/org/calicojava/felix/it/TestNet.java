package org.calicojava.felix.it;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.calicojava.testing.Sh;

/**
 * A simulated host for tests: namespace HOST with an uplink veth (192.168.200.1/24, default route) to namespace UP
 * (192.168.200.2/24, routes to the workload pool back via HOST), and workload namespaces each joined to HOST by a
 * veth: host side cali&lt;11 chars&gt; with MAC ee:ee:ee:ee:ee:ee, workload side eth0 with a /32 and a default route
 * via 169.254.1.1 (answered by proxy ARP). Everything is deleted by {@link #close()}.
 */
final class TestNet implements AutoCloseable {
    static final String HOST_IP = "192.168.200.1";
    static final String UP_IP = "192.168.200.2";
    final String id = UUID.randomUUID().toString().substring(0, 6);
    /** Namespace name prefix ("nf-" unless a test picks its own). */
    private final String prefix;

    final String host;
    final String up;
    private final List<String> namespaces = new ArrayList<>();

    TestNet() {
        this("nf-");
    }

    TestNet(String prefix) {
        this.prefix = prefix;
        this.host = prefix + id + "-h";
        this.up = prefix + id + "-u";
        try {
            add(host);
            add(up);
            Sh.ok("ip", "netns", "exec", host, "ip", "link", "set", "lo", "up");
            Sh.ok("ip", "netns", "exec", up, "ip", "link", "set", "lo", "up");
            Sh.ok("ip", "-n", host, "link", "add", "uplink0", "type", "veth", "peer", "name", "eth0", "netns", up);
            Sh.ok("ip", "-n", host, "addr", "add", HOST_IP + "/24", "dev", "uplink0");
            Sh.ok("ip", "-n", host, "link", "set", "uplink0", "up");
            Sh.ok("ip", "-n", up, "addr", "add", UP_IP + "/24", "dev", "eth0");
            Sh.ok("ip", "-n", up, "link", "set", "eth0", "up");
            Sh.ok("ip", "-n", host, "route", "add", "default", "via", UP_IP);
            Sh.ok("ip", "-n", up, "route", "add", "10.65.0.0/16", "via", HOST_IP);
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
        return prefix + id + "-w" + n;
    }

    static String ip(int n) {
        return "10.65.0." + n;
    }

    /** Creates workload namespace {@code n} joined to the host by its veth. */
    void addWorkload(int n) {
        add(workloadNs(n));
        joinWorkload(n);
    }

    /** Deletes workload {@code n}'s veth and makes it again (a new ifindex under the same name), as a CNI re-add. */
    void recreateVeth(int n) {
        Sh.ok("ip", "-n", host, "link", "del", iface(n));
        joinWorkload(n);
    }

    private void joinWorkload(int n) {
        String ns = workloadNs(n);
        String ifc = iface(n);
        Sh.ok("ip", "-n", host, "link", "add", ifc, "type", "veth", "peer", "name", "eth0", "netns", ns);
        Sh.ok("ip", "-n", host, "link", "set", ifc, "address", "ee:ee:ee:ee:ee:ee");
        Sh.ok("ip", "-n", host, "link", "set", ifc, "up");
        Sh.ok("ip", "-n", ns, "link", "set", "lo", "up");
        Sh.ok("ip", "-n", ns, "addr", "add", ip(n) + "/32", "dev", "eth0");
        Sh.ok("ip", "-n", ns, "link", "set", "eth0", "up");
        Sh.ok("ip", "-n", ns, "route", "add", "169.254.1.1", "dev", "eth0", "scope", "link");
        Sh.ok("ip", "-n", ns, "route", "add", "default", "via", "169.254.1.1", "dev", "eth0");
    }

    /** ping once from namespace {@code from} to {@code ip}, waiting up to 1 s. */
    boolean ping(String from, String ip) {
        return Sh.run("ip", "netns", "exec", from, "ping", "-c", "1", "-W", "1", ip)
                        .exit()
                == 0;
    }

    String iptablesSave(String table) {
        return Sh.ok("ip", "netns", "exec", host, "iptables-save", "-t", table);
    }

    String routes() {
        return Sh.ok("ip", "-n", host, "route", "show", "proto", "80");
    }

    @Override
    public void close() {
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            Sh.run("ip", "netns", "delete", namespaces.get(i));
        }
        namespaces.clear();
    }
}
