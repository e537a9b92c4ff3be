package org.calicojava.ctl.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The checks against a fixed picture of a host (the real host: CheckSystemIT). */
class CheckSystemTest {
    /** A host made of a map of files, a set of binaries, processes and socket owners; records commands and writes. */
    static final class FakeHost implements HostView {
        final Map<String, String> files = new HashMap<>();
        final Map<String, String> bins = new HashMap<>(); // name -> output of any command with that program
        final Map<Long, String> procs = new HashMap<>();
        final Map<Long, List<Long>> owners = new HashMap<>();
        final List<String> ran = new ArrayList<>();

        @Override
        public Optional<String> read(Path file) {
            return Optional.ofNullable(files.get(file.toString()));
        }

        @Override
        public boolean exists(Path path) {
            String p = path.toString();
            return files.keySet().stream().anyMatch(f -> f.equals(p) || f.startsWith(p + "/"));
        }

        @Override
        public Optional<Path> which(String name) {
            return bins.containsKey(name) ? Optional.of(Path.of("/usr/sbin", name)) : Optional.empty();
        }

        @Override
        public Run run(List<String> command) {
            ran.add(String.join(" ", command));
            String out = bins.get(command.get(0));
            return out == null ? new Run(-1, "not found") : new Run(out.startsWith("ERR") ? 1 : 0, out);
        }

        @Override
        public String write(Path file, String value) {
            files.put(file.toString(), value);
            return null;
        }

        @Override
        public Map<Long, String> processes() {
            return procs;
        }

        @Override
        public List<Long> socketOwners(long inode) {
            return owners.getOrDefault(inode, List.of());
        }
    }

    static FakeHost goodHost() {
        FakeHost h = new FakeHost();
        h.files.put("/proc/sys/kernel/osrelease", "6.1.0-13-amd64\n");
        h.files.put(
                "/proc/modules",
                "ip_set 61440 1 xt_set, Live 0x0\nxt_set 20480 0 - Live 0x0\nnf_conntrack 1 0 - Live\n"
                        + "nf_tables 1 0 - Live\nvxlan 1 0 - Live\n");
        h.files.put("/proc/net/netfilter/nf_log", "");
        h.files.put("/boot/config-6.1.0-13-amd64", "CONFIG_NETFILTER=y\nCONFIG_NET_IPIP=m\nCONFIG_VXLAN=m\n");
        h.files.put("/proc/sys/net/ipv4/ip_forward", "1\n");
        h.files.put("/proc/sys/net/ipv6/conf/all/forwarding", "1\n");
        h.files.put("/proc/sys/net/ipv6/conf/all/disable_ipv6", "0\n");
        h.files.put("/proc/sys/net/ipv4/conf/all/rp_filter", "1\n");
        h.files.put("/proc/self/status", "Name:\tjava\nCapEff:\t000001ffffffffff\n");
        h.files.put(
                "/proc/net/tcp",
                "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
        for (String b : List.of(
                "iptables-save",
                "iptables-restore",
                "ip6tables",
                "ip6tables-save",
                "ip6tables-restore",
                "setpriv",
                "nft",
                "ipset",
                "modprobe")) {
            h.bins.put(b, "");
        }
        h.bins.put("iptables", "iptables v1.8.9 (legacy)\n-P FORWARD ACCEPT\n");
        return h;
    }

    static String run(FakeHost h, boolean fix, int expectedCode) {
        StringWriter out = new StringWriter();
        int code = new CheckSystem(h)
                .run(
                        new CheckSystem.Options("java", false, false, fix, () -> Check.pass("etcd", "reachable")),
                        new PrintWriter(out, true));
        assertThat(code).as(out.toString()).isEqualTo(expectedCode);
        return out.toString();
    }

    @Test
    void aGoodHostPassesWithTheModuleNotLoadedAsAWarnThatModprobeFixes() {
        FakeHost h = goodHost();
        String out = run(h, false, 0);
        assertThat(out)
                .contains("PASS  binary iptables                      /usr/sbin/iptables v1.8.9, legacy flavour")
                .containsPattern("WARN  kernel ipip +module ipip available, not loaded -> modprobe ipip")
                .contains("PASS  kernel vxlan                         module vxlan loaded")
                .contains("0 FAIL");
        run(h, true, 0);
        assertThat(h.ran).contains("modprobe ipip");
    }

    @Test
    void looseRpFilterAndNoForwardingFailAndFixWritesThem() {
        FakeHost h = goodHost();
        h.files.put("/proc/sys/net/ipv4/conf/all/rp_filter", "2\n");
        h.files.put("/proc/sys/net/ipv4/ip_forward", "0\n");
        String out = run(h, false, 1);
        assertThat(out)
                .containsPattern("FAIL  sysctl net.ipv4.conf.all.rp_filter +2 \\(loose\\)")
                .contains(", 2 FAIL");
        String fixed = run(h, true, 0);
        assertThat(fixed)
                .contains("FIX   sysctl net.ipv4.ip_forward           applied: sysctl -w net.ipv4.ip_forward=1");
        assertThat(h.files.get("/proc/sys/net/ipv4/conf/all/rp_filter")).isEqualTo("1");
        assertThat(h.files.get("/proc/sys/net/ipv4/ip_forward")).isEqualTo("1");
    }

    @Test
    void anotherBgpDaemonOn179FailsOurSpeakerPasses() {
        FakeHost h = goodHost();
        h.files.put(
                "/proc/net/tcp",
                "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
                        + "   0: 00000000:00B3 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0 100 0 0 10 0\n"
                        + "   1: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1 0 100 0 0 10 0\n");
        h.owners.put(4242L, List.of(99L));
        h.procs.put(99L, "/usr/lib/frr/bgpd -d");
        assertThat(run(h, false, 1))
                .contains(
                        "FAIL  TCP 179 (BGP)                        another program listens: pid 99 (/usr/lib/frr/bgpd -d)");
        h.procs.put(99L, "java -cp x org.calicojava.bgp.Main --config /run/h1/bgp-speaker.yaml");
        assertThat(run(h, false, 0))
                .contains("PASS  TCP 179 (BGP)                        calico-java's BGP daemon listens");
    }

    @Test
    void missingIpsetFailsDockersForwardDropWarnsFirewalldWarns() {
        FakeHost h = goodHost();
        h.bins.remove("ipset");
        h.bins.put("iptables", "iptables v1.8.9 (nf_tables)\n-P FORWARD DROP\n-A FORWARD -j DOCKER-USER\n");
        h.procs.put(7L, "/usr/bin/python3 -s /usr/sbin/firewalld --nofork --nopid");
        String out = run(h, false, 1);
        assertThat(out)
                .contains(
                        "FAIL  binary ipset                         not found on PATH: calico-java needs ipset -> apt-get install ipset")
                .contains("WARN  iptables FORWARD policy              DROP (Docker's)")
                .contains("WARN  firewalld                            running (pid 7)");
    }
}
