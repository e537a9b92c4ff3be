package org.calicojava.ctl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.calicojava.ctl.explain.ChainWalker;
import org.calicojava.ctl.explain.Flow;
import org.calicojava.ctl.explain.LiveRules;
import org.calicojava.felix.calc.Calculator;
import org.calicojava.felix.calc.DatastoreState;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.calc.FelixConfig;
import org.calicojava.felix.calc.PolicyKey;
import org.calicojava.felix.nft.NftChain;
import org.calicojava.felix.nft.NftNames;
import org.calicojava.felix.nft.NftPlacement;
import org.calicojava.felix.rules.ChainNames;
import org.calicojava.felix.rules.RuleRenderer;
import org.calicojava.felix.rules.TierPolicies;
import org.calicojava.model.Cidr;
import org.calicojava.model.KeyPath;
import org.calicojava.model.Policy;
import org.calicojava.model.ProfileRules;
import org.calicojava.model.Rule;
import org.calicojava.model.WorkloadEndpoint;
import org.calicojava.store.KeyValue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code javactl policy explain --from WORKLOAD|IP --to WORKLOAD|IP [--proto P] [--port N]}: for the first packet
 * of a new connection, the chains felix would program on each end, computed by felix's own {@link Calculator} from
 * what is in etcd (as the source's host for its egress, as the destination's host for its ingress), walked by
 * {@link ChainWalker}; printed as the tiers, policies and profiles evaluated, the rule that decided, and the verdict.
 * No dataplane is needed. An address that is no workload's is outside the network: only the other end is evaluated.
 */
@Command(
        name = "explain",
        description = "Explain the policy verdict for a flow: which tiers, policies and profiles "
                + "felix evaluates on both ends and which rule decides (felix's own calculation, from etcd).")
final class PolicyExplain extends Sub {
    @Option(names = "--from", required = true, paramLabel = "WORKLOAD|IP")
    String from;

    @Option(names = "--to", required = true, paramLabel = "WORKLOAD|IP")
    String to;

    @Option(names = "--proto", paramLabel = "P", description = "tcp, udp, icmp, ... or a number (default: icmp echo)")
    String proto;

    @Option(names = "--port", paramLabel = "N", description = "destination port (tcp, udp, sctp, udplite)")
    Integer port;

    @Option(names = "--src-port", paramLabel = "N", description = "source port (default 40000)")
    int srcPort = 40000;

    @Option(
            names = "--verify",
            description = "on the host of an end: find each rule on the path in the live dataplane"
                    + " and show its packet counter; exit 1 if the dataplane differs from the calculation")
    boolean verify;

    @Option(
            names = "--hostname",
            paramLabel = "HOST",
            description = "with --verify: the host this runs on (default:" + " this host's name)")
    String hostname;

    @Option(
            names = "--host-netns",
            paramLabel = "NS",
            description = "with --verify: the network namespace standing" + " for the host (default: this process's)")
    String hostNetns;

    private boolean differs;

    /** A workload endpoint with where it is. */
    record Endpoint(String host, String orchestrator, String workload, String id, WorkloadEndpoint ep) {
        String name() {
            return host + "/" + orchestrator + "/" + workload + "/" + id;
        }
    }

    /** One end of the flow: a workload or an outside address. */
    record End(Endpoint endpoint, Cidr ip) {
        String describe() {
            return endpoint == null
                    ? ip.ip() + " (no workload: outside the network)"
                    : endpoint.workload() + " " + ip.ip() + " (endpoint " + endpoint.name() + ", interface "
                            + endpoint.ep().name() + ")";
        }
    }

    @Override
    public void run() {
        List<KeyValue> kvs = store().list(keys().v1() + "/").kvs();
        List<Endpoint> endpoints = new ArrayList<>();
        Map<String, ProfileRules> profiles = new HashMap<>();
        for (KeyValue kv : kvs) {
            try {
                KeyPath p = KeyPath.parse(keys(), kv.key());
                if (p instanceof KeyPath.Endpoint e) {
                    endpoints.add(new Endpoint(
                            e.host(), e.orchestrator(), e.workload(), e.endpointId(), e.decode(kv.value())));
                } else if (p instanceof KeyPath.ProfileRulesKey r) {
                    profiles.put(r.profile(), r.decode(kv.value()));
                }
            } catch (IllegalArgumentException e) {
                // felix skips it as well
            }
        }
        End src = end("--from", from, endpoints, null);
        End dst = end("--to", to, endpoints, src.endpoint() == null ? src.ip().version() : null);
        if (src.endpoint() != null && dst.endpoint() == null
                || src.ip().version() != dst.ip().version()) {
            src = end("--from", from, endpoints, dst.ip().version());
        }
        if (src.endpoint() == null && dst.endpoint() == null) {
            throw fail("neither --from " + from + " nor --to " + to + " is a workload: no policy applies");
        }
        int protocol = proto == null ? (src.ip().isIpv4() ? 1 : 58) : Flow.protocol(proto);
        Flow flow = new Flow(
                src.ip(),
                dst.ip(),
                protocol,
                srcPort,
                port == null ? 0 : port,
                src.ip().isIpv4() ? 8 : 128,
                0);
        if (flow.hasPorts() && port == null) {
            throw fail("--port: needed with --proto " + proto);
        }
        out().println("Flow: " + flow.describe());
        out().println("  from " + src.describe());
        out().println("  to   " + dst.describe());
        boolean allowed = true;
        if (src.endpoint() != null) {
            allowed = side("Egress", src.endpoint(), false, flow, kvs, profiles);
        }
        if (dst.endpoint() != null && allowed) {
            allowed = side("Ingress", dst.endpoint(), true, flow, kvs, profiles);
        } else if (dst.endpoint() != null) {
            out().println("Ingress at " + dst.endpoint().host() + ": not reached (dropped at egress)");
        }
        out().println("Verdict: " + (allowed ? "allowed" : "denied"));
        if (verify && differs) {
            throw fail("the live dataplane differs from felix's calculation (see above)");
        }
    }

    /** The end named by {@code text}: a workload (name, endpoint id or host/orch/workload/id) or an address. */
    private End end(String option, String text, List<Endpoint> endpoints, Integer version) {
        Cidr ip = null;
        try {
            ip = Cidr.host(text);
        } catch (IllegalArgumentException notAnAddress) {
            // a workload name
        }
        if (ip != null) {
            for (Endpoint e : endpoints) {
                List<Cidr> nets = new ArrayList<>(e.ep().ipv4Nets());
                nets.addAll(e.ep().ipv6Nets());
                for (Cidr n : nets) {
                    if (n.contains(ip)) {
                        return new End(e, ip);
                    }
                }
            }
            return new End(null, ip);
        }
        List<Endpoint> found = endpoints.stream()
                .filter(e -> e.workload().equals(text)
                        || e.id().equals(text)
                        || e.name().equals(text))
                .toList();
        if (found.isEmpty()) {
            throw fail(option + ": no workload or address " + text + " (see: javactl get workloadendpoint)");
        }
        if (found.size() > 1) {
            throw fail(option + ": " + found.size() + " endpoints match " + text
                    + " (give HOST/ORCH/WORKLOAD/ID or an address)");
        }
        Endpoint e = found.get(0);
        int v = version == null ? (e.ep().ipv4Nets().isEmpty() ? 6 : 4) : version;
        List<Cidr> nets = v == 4 ? e.ep().ipv4Nets() : e.ep().ipv6Nets();
        if (nets.isEmpty()) {
            throw fail(option + ": workload " + text + " has no IPv" + v + " address");
        }
        return new End(e, nets.get(0));
    }

    /** Evaluates one end as felix on its host would; prints what decided; returns whether the packet passes. */
    private boolean side(
            String what,
            Endpoint e,
            boolean inbound,
            Flow flow,
            List<KeyValue> kvs,
            Map<String, ProfileRules> profiles) {
        DatastoreState state = new DatastoreState(keys(), e.host());
        for (KeyValue kv : kvs) {
            try {
                state.apply(kv.key(), kv.value());
            } catch (IllegalArgumentException bad) {
                // skipped, as felix skips it
            }
        }
        List<String> problems = new ArrayList<>();
        DesiredDataplane dp = new Calculator(problems::add)
                .calculate(state, FelixConfig.of(Map.of(), state.hostConfig(), state.globalConfig()));
        String chain = ChainNames.of(inbound ? ChainNames.TO_WL : ChainNames.FROM_WL, e.ep().name());
        out().println(what + " at host " + e.host() + ", " + (inbound ? "to " : "from ") + e.workload() + " (chain "
                + chain + "):");
        if (!"active".equals(e.ep().state())
                || !dp.chains(flow.src().version(), "filter").containsKey(chain)) {
            out().println("  felix programs no chain for this endpoint (state " + e.ep().state() + "): dropped");
            return false;
        }
        ChainWalker.Result r = new ChainWalker(dp.chains(flow.src().version(), "filter"), dp.ipsets(), flow)
                .walk(inbound ? ChainNames.TIERS_IN : ChainNames.TIERS_OUT, chain);
        new ExplainText(out(), chainOwners(state, profiles, inbound, flow.src().version()), inbound).print(r);
        if (verify) {
            verifyLive(e, inbound, flow.src().version(), dp.chains(flow.src().version(), "filter"), r);
        }
        boolean ok = r.verdict().equals("RETURN") && (r.mark() & org.calicojava.felix.rules.Marks.ACCEPT) != 0
                || r.verdict().equals("ACCEPT");
        out().println("  => " + (ok ? "allowed" : "denied") + " at " + what.toLowerCase(java.util.Locale.ROOT));
        return ok;
    }

    /** Finds each rule the walk passed in this host's live rules and prints its counter. */
    private void verifyLive(
            Endpoint e,
            boolean inbound,
            int version,
            Map<String, org.calicojava.felix.rules.Chain> chains,
            ChainWalker.Result r) {
        String host = e.host();
        String here = hostname != null ? hostname : IpamCommand.localHost();
        if (!here.equals(host)) {
            out().println("  live: not checked (this is host " + here + "; run with --verify on " + host + ")");
            return;
        }
        LiveRules live = LiveDataplane.read(hostNetns, version);
        if (live.isEmpty()) {
            out().println("  live: no felix rules in this host's dataplane (is felix running here?)");
            differs = true;
            return;
        }
        out().println("  live (" + live.source() + "):");
        if (live.nftables()) { // the way in: the dispatch map's element for the interface
            String map = inbound ? NftNames.TO_WL_MAP : NftNames.FROM_WL_MAP;
            String chain = ChainNames.of(inbound ? ChainNames.TO_WL : ChainNames.FROM_WL, e.ep().name());
            boolean in = live.mapGoesTo(map, e.ep().name(), chain);
            differs |= !in;
            out().println("    " + map + " \"" + e.ep().name() + "\" : goto " + chain + ": "
                    + (in ? "programmed" : "MISSING from the dataplane"));
        }
        Map<String, List<NftChain>> places = new HashMap<>(); // per chain: its rules' places, hashed once
        for (ChainWalker.Step s : r.steps()) {
            var c = chains.get(s.chain());
            String what =
                    s.rule().comment() != null ? s.rule().comment() : s.rule().text();
            String count = live.nftables()
                    ? nftCount(
                            live,
                            version,
                            c.name(),
                            places.computeIfAbsent(c.name(), n -> NftPlacement.candidates(n, version, c.rules())),
                            s.index())
                    : iptablesCount(live, c, s.index());
            if (count.startsWith("MISSING")) {
                differs = true;
            }
            out().println("    " + "  ".repeat(s.depth()) + s.chain() + " #" + (s.index() + 1) + " (" + what + "): "
                    + count);
        }
    }

    /** The rule's counter in iptables (felix's iptables rules hash their iptables text, chained per chain). */
    private static String iptablesCount(LiveRules live, org.calicojava.felix.rules.Chain c, int index) {
        var packets = live.packets(
                c.name(), org.calicojava.felix.rules.Hashes.ruleHashes(c).get(index));
        return packets.isEmpty() ? "MISSING from the dataplane" : packets.getAsLong() + " packets";
    }

    /**
     * The rule in felix's nftables table: felix's nft rules hash their nft text over the nft chain that holds them
     * (the chain, its family chain, or an endpoint's shared body), and keep no counters. A rule found outside the
     * chain's own name counts only with the goto that leads there from that name.
     */
    private static String nftCount(LiveRules live, int version, String chain, List<NftChain> places, int index) {
        for (NftChain place : places) {
            if (live.packets(place.name(), place.hashes().get(index)).isEmpty()) {
                continue;
            }
            if (place.name().equals(chain)) {
                return "programmed";
            }
            String at = place.name() + " #" + (index + 1);
            return live.goesTo(chain, place.name(), version)
                    ? "programmed (in " + at + ")"
                    : "MISSING from the dataplane: the goto from " + chain + " to " + place.name() + " (the rule is in "
                            + at + ")";
        }
        return "MISSING from the dataplane";
    }

    /** The policy and profile behind each rule chain of this direction, with its rules and how felix renders each. */
    private static Map<String, ExplainText.Owner> chainOwners(
            DatastoreState state, Map<String, ProfileRules> profiles, boolean inbound, int version) {
        RuleRenderer renderer = new RuleRenderer(version);
        Map<String, ExplainText.Owner> out = new HashMap<>();
        for (Map.Entry<PolicyKey, Policy> p : state.policies().entrySet()) {
            String id = TierPolicies.policyId(p.getKey().tier(), p.getKey().name());
            List<Rule> rules =
                    inbound ? p.getValue().inboundRules() : p.getValue().outboundRules();
            out.put(
                    ChainNames.of(inbound ? ChainNames.POLICY_IN : ChainNames.POLICY_OUT, id),
                    new ExplainText.Owner(
                            "policy " + p.getKey().tier() + "/" + p.getKey().name(), rules, renderer));
        }
        for (Map.Entry<String, ProfileRules> p : profiles.entrySet()) {
            List<Rule> rules =
                    inbound ? p.getValue().inboundRules() : p.getValue().outboundRules();
            out.put(
                    ChainNames.of(inbound ? ChainNames.PROFILE_IN : ChainNames.PROFILE_OUT, p.getKey()),
                    new ExplainText.Owner("profile " + p.getKey(), rules, renderer));
        }
        return out;
    }
}
