package org.calicojava.felix.dataplane;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.calicojava.felix.nft.NftBackend;
import org.calicojava.model.LightJson;
import org.calicojava.model.LogText;
import org.calicojava.process.CommandRunner;

/**
 * {@code DataplaneBackend=auto}: nftables where no other firewall can override our nftables verdicts, else iptables.
 * Our table's accept is not final: every base chain at the forward hook sees the packet, and a drop there (an
 * iptables FORWARD policy DROP, Docker's DOCKER-USER / DOCKER-ISOLATION rules, another nftables table) wins, while
 * the iptables backend's ACCEPT at the head of FORWARD runs before the others' rules. So nftables is picked only
 * when {@code nft} works here and nothing else is at the forward hook: no iptables FORWARD policy DROP or rules of
 * others (iptables-nft and iptables-legacy, IPv4 and IPv6; a legacy table is looked at only when it exists, so
 * looking does not create one), no other nftables base chain at the forward hook with policy drop or with rules,
 * and (in the host's own namespace) no firewalld running, whose reloads rewrite the host's rules.
 */
public final class AutoBackend {
    /** The backend chosen and why, for the one log line. */
    public record Choice(String backend, String why) {}

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final CommandRunner runner;
    /** Command lines of the processes to look for firewalld in; empty when not in the host's namespace. */
    private final Supplier<List<String>> processes;

    public AutoBackend(CommandRunner runner, Supplier<List<String>> processes) {
        this.runner = runner;
        this.processes = processes;
    }

    /** For the agent's namespace: firewalld is looked for only in the host's own namespace. */
    public static AutoBackend of(Namespace ns) {
        return new AutoBackend(ns.commands(), ns.isCurrent() ? AutoBackend::hostProcesses : List::of);
    }

    public Choice choose() {
        if (!NftBackend.usable(runner)) {
            return new Choice("iptables", "nft is not usable here (nft -c add table inet calico fails)");
        }
        List<String> others = new ArrayList<>();
        for (String cmd : processes.get()) {
            if (ForwardRules.isFirewalld(cmd)) {
                others.add("firewalld is running");
                break;
            }
        }
        List<String> unreadable = new ArrayList<>(); // iptables-nft chains iptables cannot show: it cannot manage them
        others.addAll(nftForwardChains(unreadable));
        for (String family : List.of("iptables", "ip6tables")) {
            String names = family.equals("iptables") ? "ip_tables_names" : "ip6_tables_names";
            CommandRunner.Result legacy = runner.run(List.of("cat", "/proc/net/" + names), null, TIMEOUT);
            if (legacy.ok() && legacy.out().lines().anyMatch("filter"::equals)) {
                forward(family + "-legacy", others, unreadable);
            }
        }
        if (!unreadable.isEmpty()) { // the iptables backend would leave that table unpoliced
            return new Choice(
                    "nftables",
                    String.join("; ", unreadable) + ": the iptables backend cannot manage that table, while our"
                            + " nftables table's drops apply whatever it holds"
                            + (others.isEmpty() ? "" : " (also: " + String.join("; ", others) + ")"));
        }
        if (others.isEmpty()) {
            return new Choice(
                    "nftables",
                    "nft works and nothing else is at the forward hook (no iptables FORWARD policy DROP"
                            + " or rules of others, no other nftables forward chain, no firewalld)");
        }
        return new Choice(
                "iptables",
                String.join("; ", others) + ": that would drop what our nftables table accepts, while the iptables"
                        + " backend's ACCEPT at the head of FORWARD comes first");
    }

    /** Other tables' base chains at the forward hook; an iptables-nft filter FORWARD chain is read with -S. */
    private List<String> nftForwardChains(List<String> unreadable) {
        List<String> out = new ArrayList<>();
        CommandRunner.Result r = runner.run(List.of("nft", "-j", "list", "chains"), null, TIMEOUT);
        if (!r.ok()) {
            out.add("nft -j list chains failed (" + LogText.quote(r.firstError()) + ")");
            return out;
        }
        List<Object> chains = chains(r.out());
        if (chains == null) {
            out.add("nft -j list chains: output not understood");
            return out;
        }
        for (Object c : chains) {
            String family = text(c, "family");
            String table = text(c, "table");
            String name = text(c, "name");
            if (!text(c, "hook").equals("forward") || (family.equals("inet") && table.equals("calico"))) {
                continue;
            }
            if (table.equals("filter") && name.equals("FORWARD") && (family.equals("ip") || family.equals("ip6"))) {
                forward(family.equals("ip") ? "iptables-nft" : "ip6tables-nft", out, unreadable);
                continue;
            }
            String what = "nftables chain " + LogText.quote(family + " " + table + " " + name) + " at the forward hook";
            if (text(c, "policy").equals("drop")) {
                out.add(what + " has policy drop");
            } else if (rules(family, table, name) != 0) {
                out.add(what + " has rules");
            }
        }
        return out;
    }

    /**
     * {@code X -S FORWARD} of one iptables flavour and family, what others put there added to {@code out}; a chain
     * holding rules written with nft that iptables cannot show ("is incompatible") to {@code unreadable}.
     */
    private void forward(String command, List<String> out, List<String> unreadable) {
        CommandRunner.Result r = runner.run(List.of(command, "-w", "5", "-S", "FORWARD"), null, TIMEOUT);
        if (!r.ok() && r.firstError().contains("is incompatible")) {
            unreadable.add(command + " FORWARD holds rules written with nft that iptables cannot show");
            return;
        }
        if (!r.ok()) {
            out.add(command + " -S FORWARD failed (" + LogText.quote(r.firstError()) + ")");
            return;
        }
        ForwardRules f = ForwardRules.parse(r.out());
        if (f.overrides()) {
            out.add(command + " FORWARD: " + f.describe());
        }
    }

    /** Rules in one chain (-1 when it cannot be listed: counted as having rules). */
    private int rules(String family, String table, String chain) {
        CommandRunner.Result r = runner.run(List.of("nft", "-j", "list", "chain", family, table, chain), null, TIMEOUT);
        if (!r.ok()) {
            return -1;
        }
        List<Object> items = items(r.out());
        if (items == null) {
            return -1;
        }
        int n = 0;
        for (Object o : items) {
            n += LightJson.path(o, "rule") != null ? 1 : 0;
        }
        return n;
    }

    /** The chains of an {@code nft -j list chains}, null when the output is not understood. */
    private static List<Object> chains(String json) {
        List<Object> items = items(json);
        if (items == null) {
            return null;
        }
        List<Object> out = new ArrayList<>();
        for (Object o : items) {
            Object chain = LightJson.path(o, "chain");
            if (chain != null) {
                out.add(chain);
            }
        }
        return out;
    }

    /**
     * The items of nft's JSON output, null when it is not understood (read with jackson-core's streaming parser, as
     * etcd's records are: databind's start would cost the agent's start tens of milliseconds, for three fields).
     */
    private static List<Object> items(String json) {
        try {
            Object all = LightJson.parse(json).get("nftables");
            return all instanceof List<?> ? LightJson.array(all) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** A field of an nft JSON object as text; "" when missing or not a scalar. */
    private static String text(Object node, String field) {
        return LightJson.asText(LightJson.path(node, field), "");
    }

    /** Every process's command line (NUL-separated words joined with spaces); unreadable ones skipped. */
    static List<String> hostProcesses() {
        List<String> out = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.filter(p -> p.getFileName().toString().matches("\\d+")).forEach(p -> {
                try {
                    out.add(new String(
                                    Files.readAllBytes(p.resolve("cmdline")), java.nio.charset.StandardCharsets.UTF_8)
                            .replace('\0', ' ')
                            .strip());
                } catch (IOException | RuntimeException e) {
                    // the process ended meanwhile
                }
            });
        } catch (IOException e) {
            return out;
        }
        return out;
    }
}
