package org.calicojava.ctl.check;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel: its version, and each feature calico-java uses, found as a loaded module (/proc/modules), a module or
 * built-in part under /sys/module, a line of the kernel's config (/proc/config.gz, /boot/config-RELEASE), the
 * release's modules.builtin, or {@code modinfo}. A feature that is a module not loaded yet is a WARN with
 * {@code modprobe} as the fix.
 */
final class KernelChecks {
    /** Calico's floor. */
    static final int MIN_MAJOR = 3;

    static final int MIN_MINOR = 10;
    private static final Pattern VERSION = Pattern.compile("^(\\d+)\\.(\\d+)");

    /** How a feature is present. */
    enum Presence {
        LOADED,
        BUILTIN,
        LOADABLE,
        ABSENT,
        UNKNOWN
    }

    /** One kernel feature: its module (null: none), its config symbol, and whether calico-java fails without it. */
    record Feature(String label, String module, String config, boolean required, String without) {}

    private final HostView host;
    private final String release;
    private String config;
    private boolean configRead;

    KernelChecks(HostView host) {
        this.host = host;
        this.release = host.read(Path.of("/proc/sys/kernel/osrelease"))
                .map(String::trim)
                .orElse("");
    }

    Check version() {
        Matcher m = VERSION.matcher(release);
        if (!m.find()) {
            return Check.warn(
                    "kernel version", "cannot read /proc/sys/kernel/osrelease", "check that /proc is mounted");
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        boolean ok = major > MIN_MAJOR || (major == MIN_MAJOR && minor >= MIN_MINOR);
        String detail = clip(release) + " (expected: " + MIN_MAJOR + "." + MIN_MINOR + " or later)";
        return ok
                ? Check.pass("kernel version", clip(release))
                : Check.fail("kernel version", detail, "upgrade the kernel");
    }

    /** The features, with which of them the configured dataplane needs. */
    List<Check> features(boolean nftables, boolean ipipPools) {
        List<Feature> fs = List.of(
                new Feature("netfilter", null, "NETFILTER", true, "no packet filtering at all"),
                new Feature("conntrack", "nf_conntrack", "NF_CONNTRACK", true, "policy cannot allow replies"),
                new Feature("ip_set", "ip_set", "IP_SET", !nftables, "ipsets of the iptables backend"),
                new Feature("xt_set", "xt_set", "NETFILTER_XT_SET", !nftables, "iptables rules matching ipsets"),
                new Feature("nf_tables", "nf_tables", "NF_TABLES", nftables, "the nftables backend and iptables-nft"),
                new Feature("ipip", "ipip", "NET_IPIP", ipipPools, "IPIP pools (--ipip)"),
                new Feature("vxlan", "vxlan", "VXLAN", false, "VXLAN encapsulation"));
        List<Check> out = new ArrayList<>();
        for (Feature f : fs) {
            out.add(feature(f));
        }
        return out;
    }

    Check feature(Feature f) {
        String name = "kernel " + f.label();
        Presence p = presence(f);
        String needed = f.required() ? "" : " (needed only for " + f.without() + ")";
        return switch (p) {
            case LOADED -> Check.pass(name, f.module() == null ? "present" : "module " + f.module() + " loaded");
            case BUILTIN -> Check.pass(name, "built into the kernel");
            case LOADABLE ->
                new Check(
                                Check.Status.WARN,
                                name,
                                "module " + f.module() + " available, not loaded",
                                "modprobe " + f.module(),
                                null)
                        .withFix(() -> modprobe(f.module()));
            case ABSENT ->
                f.required()
                        ? Check.fail(
                                name,
                                "not in this kernel (CONFIG_" + f.config() + " is not set): " + f.without()
                                        + " will not work",
                                "use a kernel with CONFIG_" + f.config())
                        : Check.warn(
                                name,
                                "not in this kernel (CONFIG_" + f.config() + " is not set)" + needed,
                                f.label().equals("ipip")
                                        ? "do not create --ipip pools on this host"
                                        : "none needed unless you use it");
            case UNKNOWN ->
                f.required()
                        ? Check.warn(
                                name,
                                "cannot tell whether the kernel has it (no /proc/modules, /sys/module/" + f.module()
                                        + ", kernel config or modinfo)",
                                "make sure CONFIG_" + f.config() + " is enabled")
                        : Check.warn(
                                name,
                                "cannot tell whether the kernel has it" + needed,
                                "none needed unless you use it");
        };
    }

    Presence presence(Feature f) {
        if (f.module() != null) {
            String modules = host.read(Path.of("/proc/modules")).orElse("");
            for (String line : modules.split("\n")) {
                if (line.startsWith(f.module() + " ")) {
                    return Presence.LOADED;
                }
            }
            if (host.exists(Path.of("/sys/module", f.module()))) {
                return Presence.LOADED;
            }
        } else if (f.config().equals("NETFILTER") && host.exists(Path.of("/proc/net/netfilter"))) {
            return Presence.LOADED;
        }
        Optional<String> cfg = configLine(f.config());
        if (cfg.isPresent()) {
            String v = cfg.get();
            if (v.equals("y")) {
                return Presence.BUILTIN;
            }
            if (v.equals("m")) {
                return f.module() == null ? Presence.BUILTIN : Presence.LOADABLE;
            }
            if (v.equals("n")) {
                return Presence.ABSENT;
            }
        }
        if (f.module() != null) {
            String builtin = host.read(Path.of("/lib/modules", release, "modules.builtin"))
                    .orElse("");
            if (builtin.contains("/" + f.module() + ".ko")) {
                return Presence.BUILTIN;
            }
            if (host.run(List.of("modinfo", "-F", "filename", f.module())).ok()) {
                return Presence.LOADABLE;
            }
        }
        return kernelConfig() != null ? Presence.ABSENT : Presence.UNKNOWN;
    }

    /** y, m, n (not set) or empty when the config cannot be read or does not name the symbol. */
    Optional<String> configLine(String symbol) {
        String c = kernelConfig();
        if (c == null) {
            return Optional.empty();
        }
        for (String line : c.split("\n")) {
            if (line.startsWith("CONFIG_" + symbol + "=")) {
                return Optional.of(line.substring(symbol.length() + 8).trim());
            }
            if (line.equals("# CONFIG_" + symbol + " is not set")) {
                return Optional.of("n");
            }
        }
        return Optional.of("n");
    }

    private String kernelConfig() {
        if (!configRead) {
            configRead = true;
            config = host.read(Path.of("/proc/config.gz"))
                    .or(() -> host.read(Path.of("/boot/config-" + release)))
                    .orElse(null);
        }
        return config;
    }

    private String modprobe(String module) {
        HostView.Run r = host.run(List.of("modprobe", module));
        return r.ok() ? null : "modprobe " + module + ": " + clip(r.out().trim());
    }

    /** Untrusted text for a one-line message. */
    static String clip(String s) {
        String one = s.replaceAll("[\\p{Cntrl}]", " ").trim();
        return one.length() > 120 ? one.substring(0, 120) + "..." : one;
    }
}
