package org.calicojava.ctl.check;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The sysctls of this network namespace that calico-java needs (felix sets them too, at its start; a host where they
 * are wrong before, or reset later, forwards nothing): IPv4 forwarding, IPv6 forwarding when IPv6 is on, and a reverse
 * path filter that is not "loose" (Calico refuses rp_filter=2: workloads could spoof their source address).
 */
final class SysctlChecks {
    private final HostView host;

    SysctlChecks(HostView host) {
        this.host = host;
    }

    /** The dotted name's file under /proc/sys. */
    static Path file(String dotted) {
        return Path.of("/proc/sys", dotted.replace('.', '/'));
    }

    Optional<String> value(String dotted) {
        return host.read(file(dotted)).map(String::trim);
    }

    List<Check> all() {
        List<Check> out = new ArrayList<>();
        out.add(expect("net.ipv4.ip_forward", "1", true, "workloads' traffic is not forwarded"));
        boolean v6 = host.exists(Path.of("/proc/sys/net/ipv6"));
        if (!v6) {
            out.add(Check.warn(
                    "IPv6",
                    "the kernel has no IPv6 (booted with ipv6.disable=1?): IPv4 only",
                    "none needed for IPv4-only pools"));
        } else if (value("net.ipv6.conf.all.disable_ipv6").orElse("0").equals("1")) {
            out.add(Check.warn(
                    "IPv6",
                    "disabled on every interface (net.ipv6.conf.all.disable_ipv6 = 1): IPv4 only",
                    "sysctl -w net.ipv6.conf.all.disable_ipv6=0 if you use IPv6 pools"));
        } else {
            out.add(Check.pass("IPv6", "enabled"));
            out.add(expect("net.ipv6.conf.all.forwarding", "1", false, "IPv6 workloads' traffic is not forwarded"));
        }
        out.add(rpFilter());
        return out;
    }

    private Check expect(String key, String want, boolean required, String otherwise) {
        String name = "sysctl " + key;
        Optional<String> v = value(key);
        if (v.isEmpty()) {
            return Check.fail(name, "cannot read " + file(key), "check that /proc/sys is mounted");
        }
        if (v.get().equals(want)) {
            return Check.pass(name, v.get());
        }
        String detail = KernelChecks.clip(v.get()) + " (expected: " + want + "): " + otherwise;
        String todo = "sysctl -w " + key + "=" + want + " (or javactl checksystem --fix)";
        Check c = required ? Check.fail(name, detail, todo) : Check.warn(name, detail, todo);
        return c.withFix(() -> host.write(file(key), want));
    }

    private Check rpFilter() {
        String key = "net.ipv4.conf.all.rp_filter";
        String name = "sysctl " + key;
        Optional<String> v = value(key);
        if (v.isEmpty()) {
            return Check.warn(name, "cannot read " + file(key), "check that /proc/sys is mounted");
        }
        return switch (v.get()) {
            case "0", "1" -> Check.pass(name, v.get() + (v.get().equals("1") ? " (strict)" : " (off)"));
            case "2" ->
                Check.fail(
                                name,
                                "2 (loose): workloads could send with a spoofed source address",
                                "sysctl -w " + key + "=1 (or javactl checksystem --fix)")
                        .withFix(() -> host.write(file(key), "1"));
            default -> Check.warn(name, KernelChecks.clip(v.get()) + " (expected: 0 or 1)", "sysctl -w " + key + "=1");
        };
    }
}
