package org.calicojava.ctl;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.calicojava.ipam.Ipam;
import org.calicojava.model.AsNumber;
import org.calicojava.model.BgpPeer;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.calicojava.model.Keys;
import org.calicojava.model.Names;
import org.calicojava.store.KeyValue;
import org.calicojava.store.KvStore;
import org.calicojava.store.Op;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "node",
        description = "Manage nodes: node add|remove|show, node NAME bgp peer ...",
        subcommands = {
            NodeCommand.Add.class,
            NodeCommand.Remove.class,
            NodeCommand.Show.class,
            NodeCommand.Bgp.class,
            NodeRun.class,
            NodeStop.class,
            NodeStatus.class
        })
final class NodeCommand implements Runnable {
    @Parameters(arity = "0..1", paramLabel = "NAME", description = "the node, for its bgp commands")
    String name;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "missing subcommand (expected: add, remove, show, or NAME bgp peer ...)");
    }

    static String existing(Sub cmd, NodeCommand parent) {
        if (parent.name == null) {
            throw Sub.fail("which node? (usage: javactl node NAME bgp peer ...)");
        }
        String n = Names.check("host", parent.name);
        if (cmd.store().list(cmd.keys().bgpHost(n) + "/").kvs().isEmpty()) {
            throw Sub.fail("node " + n + " does not exist (see: javactl node show)");
        }
        return n;
    }

    /** node -> (key under /calico/bgp/v1/host/NODE/ -> value). */
    static Map<String, Map<String, String>> nodes(Sub cmd) {
        return nodes(cmd.store(), cmd.keys());
    }

    static Map<String, Map<String, String>> nodes(KvStore store, Keys keys) {
        Map<String, Map<String, String>> out = new TreeMap<>();
        String base = keys.bgpHosts();
        for (KeyValue kv : store.list(base).kvs()) {
            String rest = kv.key().substring(base.length());
            int slash = rest.indexOf('/');
            if (slash > 0) {
                out.computeIfAbsent(rest.substring(0, slash), k -> new TreeMap<>())
                        .put(rest.substring(slash + 1), kv.value());
            }
        }
        return out;
    }

    @Command(name = "add", description = "Register a node: its BGP addresses and (optionally) AS number.")
    static final class Add extends Sub {
        @Option(names = "--name", required = true, paramLabel = "NAME")
        String name;

        @Option(names = "--ip", required = true, paramLabel = "IPV4")
        String ip;

        @Option(names = "--ip6", paramLabel = "IPV6")
        String ip6;

        @Option(names = "--as", paramLabel = "ASN", description = "the node's AS (default: the global default-node-as)")
        String as;

        @Override
        public void run() {
            register(this, name, ip, ip6, as);
        }
    }

    /** Validates and writes a node's BGP addresses and AS (node add, node run). */
    static void register(Sub cmd, String name, String ip, String ip6, String as) {
        String n = Names.check("host", name);
        Cidr v4 = Cidr.host(ip);
        if (!v4.isIpv4()) {
            throw Sub.fail("--ip: " + ip + " is not an IPv4 address");
        }
        Cidr v6 = ip6 == null ? null : Cidr.host(ip6);
        if (v6 != null && v6.isIpv4()) {
            throw Sub.fail("--ip6: " + ip6 + " is not an IPv6 address");
        }
        Long asn = as == null ? null : AsNumber.parse(as);
        for (var e : nodes(cmd).entrySet()) {
            if (!e.getKey().equals(n)
                    && (v4.ip().equals(e.getValue().get("ip_addr_v4"))
                            || v6 != null && v6.ip().equals(e.getValue().get("ip_addr_v6")))) {
                throw Sub.fail("address already used by node " + e.getKey());
            }
        }
        var keys = cmd.keys();
        List<Op> ops = new ArrayList<>();
        ops.add(Op.put(keys.bgpHostIp(n, 4), v4.ip()));
        ops.add(v6 == null ? Op.delete(keys.bgpHostIp(n, 6)) : Op.put(keys.bgpHostIp(n, 6), v6.ip()));
        ops.add(asn == null ? Op.delete(keys.bgpHostAsNum(n)) : Op.put(keys.bgpHostAsNum(n), Long.toString(asn)));
        ops.add(Op.put(keys.hostInitialised(n), "true"));
        cmd.store().txn(List.of(), ops);
        cmd.out()
                .println("Node " + n + " registered: " + v4.ip() + (v6 == null ? "" : ", " + v6.ip())
                        + (asn == null ? "" : ", AS " + asn));
    }

    @Command(name = "remove", description = "Remove a node, its BGP settings, status and IPAM block affinities.")
    static final class Remove extends Sub {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--remove-endpoints", description = "also remove the node's workload endpoints")
        boolean removeEndpoints;

        @Override
        public void run() {
            String n = Names.check("host", name);
            boolean known = !store().list(keys().bgpHost(n) + "/").kvs().isEmpty()
                    || !store().list(keys().host(n) + "/").kvs().isEmpty();
            if (!known) {
                throw fail("node " + n + " does not exist (see: javactl node show)");
            }
            int eps = Endpoints.list(store(), keys(), n).size();
            if (eps > 0 && !removeEndpoints) {
                throw fail("node " + n + " has " + eps + " workload endpoint" + (eps == 1 ? "" : "s")
                        + " (remove them first, or use --remove-endpoints)");
            }
            int blocks = new Ipam(store(), keys()).releaseHostAffinities(n);
            store().deletePrefix(keys().host(n) + "/");
            store().deletePrefix(keys().bgpHost(n) + "/");
            store().deletePrefix(keys().felixStatusRoot() + n + "/");
            out().println("Removed node " + n + " (" + blocks + " IPAM block affinit" + (blocks == 1 ? "y" : "ies")
                    + " released)");
        }
    }

    @Command(name = "show", description = "Show nodes.")
    static final class Show extends Sub {
        @Mixin
        Format format;

        @Override
        public void run() {
            print(store(), keys(), out(), format.value());
        }

        /** Every node with its addresses, AS and peers as a table, JSON or YAML (also javactl's {@link FastPath}). */
        static void print(KvStore store, Keys keys, PrintWriter out, String format) {
            String def = store.get(keys.bgpGlobalAsNum()).map(KeyValue::value).orElse(BgpCommand.DEFAULT_AS);
            Table t = new Table("Hostname", "Bird IPv4", "Bird IPv6", "AS Num", "BGP Peers v4", "BGP Peers v6");
            for (var e : nodes(store, keys).entrySet()) {
                Map<String, String> v = e.getValue();
                String as = v.containsKey("as_num") ? v.get("as_num") : "(" + def + ")";
                t.row(
                        e.getKey(),
                        v.getOrDefault("ip_addr_v4", ""),
                        v.getOrDefault("ip_addr_v6", ""),
                        as,
                        peers(v, "peer_v4/"),
                        peers(v, "peer_v6/"));
            }
            t.print(out, format);
        }

        private static String peers(Map<String, String> v, String prefix) {
            List<String> out = new ArrayList<>();
            v.forEach((k, val) -> {
                if (k.startsWith(prefix)) {
                    // parsed, never printed raw: the value may hold the peer's password
                    String asn;
                    try {
                        asn = Json.read(val, BgpPeer.class).asNum();
                    } catch (IllegalArgumentException e) {
                        asn = "(invalid)";
                    }
                    out.add(k.substring(prefix.length()) + " as " + asn);
                }
            });
            return String.join("\n", out);
        }
    }

    @Command(
            name = "bgp",
            description = "The node's BGP settings: node NAME bgp peer add|remove|show, "
                    + "node NAME bgp rr-cluster-id [ID | --remove]",
            subcommands = {BgpPeerCommand.class, RrClusterId.class})
    static final class Bgp {}

    @Command(
            name = "rr-cluster-id",
            description = "Show, set or --remove the node's route reflector cluster id "
                    + "(a node with one reflects routes to its node-specific peers, RFC 4456).")
    static final class RrClusterId extends Sub {
        @Parameters(arity = "0..1", paramLabel = "ID", description = "an IPv4-style 32-bit id, e.g. 224.0.0.1")
        String id;

        @Option(names = "--remove")
        boolean remove;

        @Override
        public void run() {
            NodeCommand parent = null;
            for (CommandLine.Model.CommandSpec s = spec.parent(); s != null; s = s.parent()) {
                if (s.userObject() instanceof NodeCommand n) {
                    parent = n;
                }
            }
            String n = existing(this, parent);
            String key = keys().bgpHostRrClusterId(n);
            if (remove) {
                if (!store().delete(key)) {
                    throw fail("node " + n + " has no route reflector cluster id");
                }
                out().println("Node " + n + " is no longer a route reflector");
            } else if (id == null) {
                out().println(store().get(key).map(KeyValue::value).orElse("(none)"));
            } else {
                Cidr c = Cidr.host(id);
                if (!c.isIpv4()) {
                    throw fail("cluster id: '" + id + "' (expected: a 32-bit id in IPv4 form, e.g. 224.0.0.1)");
                }
                store().put(key, c.ip());
                out().println("Node " + n + " is a route reflector with cluster id " + c.ip());
            }
        }
    }
}
