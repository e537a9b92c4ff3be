package org.calicojava.ctl.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The programs calico-java runs, found on this process's PATH as felix and node run find them: iptables (and its
 * flavour: legacy or nft), its save/restore tools, ip6tables, ipset, nft, BIRD when it is the BGP backend, setpriv.
 */
final class BinaryChecks {
    private static final Pattern IPTABLES_VERSION = Pattern.compile("iptables v(\\S+)(?: \\((legacy|nf_tables)\\))?");
    private final HostView host;

    BinaryChecks(HostView host) {
        this.host = host;
    }

    /** {@code nftables}: felix's DataplaneBackend is nftables; {@code backend}: node run's --backend. */
    List<Check> all(boolean nftables, String backend) {
        List<Check> out = new ArrayList<>();
        out.add(iptables(nftables));
        for (String tool :
                List.of("iptables-save", "iptables-restore", "ip6tables", "ip6tables-save", "ip6tables-restore")) {
            out.add(present(tool, !nftables && tool.startsWith("iptables"), "apt-get install iptables"));
        }
        out.add(ipset(nftables));
        out.add(nft(nftables));
        if (backend.equals("bird")) {
            out.add(present("bird", true, "apt-get install bird2"));
            out.add(present("birdc", true, "apt-get install bird2"));
        }
        out.add(present(
                "setpriv",
                false,
                "apt-get install util-linux (node run uses it to drop its children's "
                        + "capabilities and tie them to its life)"));
        return out;
    }

    private Check iptables(boolean nftables) {
        String name = "binary iptables";
        Optional<java.nio.file.Path> p = host.which("iptables");
        if (p.isEmpty()) {
            return missing(name, "iptables", !nftables, "apt-get install iptables");
        }
        HostView.Run r = host.run(List.of("iptables", "--version"));
        Matcher m = IPTABLES_VERSION.matcher(r.out());
        if (!r.ok() || !m.find()) {
            return Check.fail(name, p.get() + " --version: " + KernelChecks.clip(r.out()), "reinstall iptables");
        }
        String flavour = "nf_tables".equals(m.group(2)) ? "nft" : "legacy";
        return Check.pass(name, p.get() + " v" + KernelChecks.clip(m.group(1)) + ", " + flavour + " flavour");
    }

    private Check ipset(boolean nftables) {
        String name = "binary ipset";
        Optional<java.nio.file.Path> p = host.which("ipset");
        if (p.isEmpty()) {
            return missing(name, "ipset", !nftables, "apt-get install ipset");
        }
        HostView.Run r = host.run(List.of("ipset", "list", "-n"));
        if (!r.ok()) {
            String detail = p.get() + " does not work: " + KernelChecks.clip(r.out());
            String todo = "check the kernel's ip_set support (above)";
            return nftables ? Check.warn(name, detail, todo) : Check.fail(name, detail, todo);
        }
        return Check.pass(name, p.get() + " works");
    }

    private Check nft(boolean nftables) {
        String name = "binary nft";
        Optional<java.nio.file.Path> p = host.which("nft");
        if (p.isEmpty()) {
            return missing(name, "nft", nftables, "apt-get install nftables");
        }
        HostView.Run r = host.run(List.of("nft", "list", "tables"));
        if (!r.ok()) {
            String detail = p.get() + " does not work: " + KernelChecks.clip(r.out());
            return nftables
                    ? Check.fail(name, detail, "check the kernel's nf_tables support (above)")
                    : Check.warn(name, detail, "none needed with DataplaneBackend iptables and legacy iptables");
        }
        return Check.pass(name, p.get() + " works");
    }

    private Check present(String tool, boolean required, String install) {
        String name = "binary " + tool;
        Optional<java.nio.file.Path> p = host.which(tool);
        return p.isPresent() ? Check.pass(name, p.get().toString()) : missing(name, tool, required, install);
    }

    private static Check missing(String name, String tool, boolean required, String install) {
        String detail = "not found on PATH";
        return required
                ? Check.fail(name, detail + ": calico-java needs " + tool, install)
                : Check.warn(name, detail, install);
    }
}
