package org.calicojava.ctl.check;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.calicojava.felix.dataplane.ForwardRules;

/**
 * What this process may do (its effective capabilities) and what else on the host gets in the way: another BGP
 * daemon on TCP 179 (in this network namespace), a FORWARD chain whose policy is DROP (Docker sets it), firewalld.
 */
final class ConflictChecks {
    static final int BGP_PORT = 179;
    private final HostView host;

    ConflictChecks(HostView host) {
        this.host = host;
    }

    /** Capability number, name, required, why. */
    private record Cap(int bit, String name, boolean required, String why) {}

    List<Check> capabilities() {
        String status = host.read(Path.of("/proc/self/status")).orElse("");
        long eff = -1;
        for (String line : status.split("\n")) {
            if (line.startsWith("CapEff:")) {
                try {
                    eff = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                } catch (NumberFormatException e) {
                    eff = -1;
                }
            }
        }
        if (eff == -1) {
            return List.of(Check.warn("capabilities", "cannot read CapEff from /proc/self/status", "run as root"));
        }
        List<Check> out = new ArrayList<>();
        for (Cap c : List.of(
                new Cap(12, "CAP_NET_ADMIN", true, "routes, links, sysctls, iptables, ipsets"),
                new Cap(13, "CAP_NET_RAW", true, "iptables"),
                new Cap(10, "CAP_NET_BIND_SERVICE", false, "the BGP port 179"),
                new Cap(21, "CAP_SYS_ADMIN", false, "the Docker driver's veths in other namespaces"),
                new Cap(16, "CAP_SYS_MODULE", false, "modprobe by checksystem --fix"))) {
            String name = "capability " + c.name();
            if ((eff & (1L << c.bit())) != 0) {
                out.add(Check.pass(name, "effective"));
            } else if (c.required()) {
                out.add(Check.fail(name, "missing: needed for " + c.why(), "run javactl node run as root"));
            } else {
                out.add(Check.warn(name, "missing: needed for " + c.why(), "run as root"));
            }
        }
        return out;
    }

    /** Listeners on TCP 179 in this namespace that are not a calico-java BGP daemon. */
    Check bgpPort() {
        String name = "TCP 179 (BGP)";
        List<Long> inodes = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            inodes.addAll(listeners(host.read(Path.of(table)).orElse(""), BGP_PORT));
        }
        if (inodes.isEmpty()) {
            return Check.pass(name, "free");
        }
        Map<Long, String> procs = host.processes();
        List<String> others = new ArrayList<>();
        boolean ours = false;
        for (long inode : inodes) {
            List<Long> owners = host.socketOwners(inode);
            if (owners.isEmpty()) {
                others.add("a process not visible here (socket inode " + inode + ")");
            }
            for (long pid : owners) {
                String cmd = procs.getOrDefault(pid, "");
                if (isOurs(cmd)) {
                    ours = true;
                } else {
                    others.add("pid " + pid + " (" + KernelChecks.clip(cmd) + ")");
                }
            }
        }
        if (others.isEmpty()) {
            return Check.pass(name, ours ? "calico-java's BGP daemon listens" : "free");
        }
        return Check.fail(
                name,
                "another program listens: "
                        + String.join(", ", others.stream().distinct().toList()),
                "stop it (only one BGP daemon per host): calico-java's speaker or BIRD must own TCP 179");
    }

    /** Our speaker (its main class) or a BIRD started by node run (its control socket in a run directory). */
    static boolean isOurs(String cmdline) {
        return cmdline.contains("org.calicojava.bgp.Main")
                || (cmdline.matches("(\\S*/)?bird .*") && cmdline.contains("/bird.ctl"));
    }

    /** Socket inodes of LISTEN sockets on {@code port} in a /proc/net/tcp{,6} table. */
    static List<Long> listeners(String table, int port) {
        List<Long> out = new ArrayList<>();
        String hexPort = String.format(":%04X", port);
        for (String line : table.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 10 || !f[3].equals("0A") || !f[1].endsWith(hexPort)) {
                continue;
            }
            try {
                out.add(Long.parseLong(f[9]));
            } catch (NumberFormatException e) {
                // a malformed line: skipped
            }
        }
        return out;
    }

    /** A FORWARD policy of DROP (Docker's): felix's iptables rules accept workload traffic ahead of it, nftables' don't. */
    Check forwardPolicy(boolean nftables) {
        String name = "iptables FORWARD policy";
        if (host.which("iptables").isEmpty()) {
            return Check.warn(name, "cannot tell: no iptables on PATH", "see binary iptables");
        }
        HostView.Run r = host.run(List.of("iptables", "-w", "5", "-S", "FORWARD"));
        if (!r.ok()) {
            return Check.warn(name, "iptables -S FORWARD: " + KernelChecks.clip(r.out()), "see the kernel checks");
        }
        ForwardRules forward = ForwardRules.parse(r.out()); // felix's auto backend reads it the same way
        if (!forward.policyDrop()) {
            return Check.pass(name, "ACCEPT");
        }
        String who = forward.docker() ? "DROP (Docker's)" : "DROP";
        return nftables
                ? Check.fail(
                        name,
                        who + ": with DataplaneBackend nftables, workload traffic that crosses hosts is "
                                + "dropped by it",
                        "use DataplaneBackend iptables, or iptables -P FORWARD ACCEPT")
                : Check.warn(
                        name,
                        who + ": felix's cali-FORWARD accepts workload traffic ahead of it; other "
                                + "forwarded traffic is dropped",
                        "none needed for workloads");
    }

    Check firewalld() {
        String name = "firewalld";
        for (Map.Entry<Long, String> e : host.processes().entrySet()) {
            if (ForwardRules.isFirewalld(e.getValue())) { // the same test as felix's auto backend
                return Check.warn(
                        name,
                        "running (pid " + e.getKey() + "): its reloads remove other programs' rules "
                                + "until felix's next refresh",
                        "systemctl disable --now firewalld, or put the cali+ " + "interfaces in a trusted zone");
            }
        }
        return Check.pass(name, "not running");
    }
}
