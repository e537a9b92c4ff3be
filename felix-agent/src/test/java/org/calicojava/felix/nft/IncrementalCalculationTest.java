package org.calicojava.felix.nft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.calicojava.felix.calc.Calculator;
import org.calicojava.felix.calc.DatastoreState;
import org.calicojava.felix.calc.DesiredDataplane;
import org.calicojava.felix.calc.FelixConfig;
import org.calicojava.model.Keys;

/**
 * The incremental path against a fresh one, after every step of random update sequences: the {@link Calculator}
 * that has seen every earlier step gives exactly what a new one calculates from the same datastore, and the nft
 * model and diff (from the state the previous transaction left) are exactly what a new {@link NftModel} and a new
 * {@link NftState} holding the same table give. Steps: endpoints of this and another host added, changed (state
 * inactive, interface taken by another endpoint, shared addresses) and removed; profiles' rules, tags and labels;
 * tiered policies with selectors (some invalid) and orders; tier orders; pools; Ipv6Support on and off; a resync
 * (clear, then everything applied again). On the nft side, now and then a chain deleted outside (through
 * {@link NftState#chains()}) or the state cleared, as after a failed transaction.
 */
class IncrementalCalculationTest {
    private static final Keys KEYS = new Keys("/cj-inc");
    private static final String[] RULES = {
        "{}",
        "{\"action\":\"deny\"}",
        "{\"src_tag\":\"t1\"}",
        "{\"dst_tag\":\"p1\"}",
        "{\"not_src_tag\":\"t2\"}",
        "{\"src_selector\":\"app == 'a'\"}",
        "{\"dst_selector\":\"has(tier)\"}",
        "{\"not_dst_selector\":\"app in {'a', 'b'}\"}",
        "{\"src_selector\":\"(((\"}",
        "{\"src_net\":\"10.0.0.0/8\",\"src_tag\":\"t0\"}",
        "{\"src_net\":\"fd00::/8\",\"src_selector\":\"tier == 'x'\"}",
        "{\"protocol\":\"icmpv6\",\"icmp_type\":128}",
        "{\"protocol\":\"icmp\"}",
        "{\"action\":\"next-tier\"}",
        "{\"protocol\":\"tcp\",\"dst_ports\":[80,\"1000:2000\"]}",
        "{\"dst_selector\":\"app == 'a' && tier == 'x'\"}",
        "{\"src_selector\":\"tier == 'y'\",\"action\":\"deny\"}",
        "{\"dst_tag\":\"t0\",\"protocol\":\"udp\"}",
        "{\"src_selector\":\"app=='a'\"}", // the same set as "app == 'a'" (canonical form), another text
    };
    private static final String[] SELECTORS = {
        "all()", "app == 'a'", "has(tier)", "tier == 'y' || app == 'b'", "!has(app)", "app ==", "app in {'a'}"
    };

    private final Map<String, String> kv = new LinkedHashMap<>();
    private DatastoreState state;
    private boolean ipv6 = true;

    @Property(tries = 100)
    void incrementalEqualsFresh(@ForAll long seed) {
        Random r = new Random(seed);
        kv.clear(); // each try on its own: a seed alone reproduces it
        ipv6 = true;
        state = new DatastoreState(KEYS, "h1");
        Calculator calc = new Calculator(p -> {});
        NftModel model = new NftModel();
        NftState actual = new NftState();
        for (int step = 0; step < 80; step++) {
            int burst = r.nextInt(5) == 0 ? 1 + r.nextInt(12) : 1;
            List<String> did = new ArrayList<>();
            for (int i = 0; i < burst; i++) {
                did.add(change(r));
            }
            FelixConfig cfg = FelixConfig.of(Map.of("FELIX_IPV6SUPPORT", Boolean.toString(ipv6)), Map.of(), Map.of());
            String where = "step " + step + " " + did;
            DesiredDataplane inc = calc.calculate(state, cfg);
            DesiredDataplane fresh = new Calculator(p -> {}).calculate(state, cfg);
            assertThat(inc).as(where).isEqualTo(fresh);

            NftRuleset want = model.build(inc);
            NftRuleset wantFresh = new NftModel().build(fresh);
            assertThat(want).as(where).isEqualTo(wantFresh);
            if (r.nextInt(15) == 0 && !actual.chains().isEmpty()) { // drift found by a read-back, adopted in place
                List<String> names = new ArrayList<>(actual.chains().keySet());
                actual.chains().remove(names.get(r.nextInt(names.size())));
                where += " + a chain deleted outside";
            } else if (r.nextInt(30) == 0) { // a failed transaction: nothing known
                actual.clear();
                where += " + state cleared";
            }
            NftState copy = copy(actual);
            NftState.Diff diff = actual.diff(want);
            NftState.Diff diffFresh = copy.diff(wantFresh);
            assertThat(diff.script()).as(where).isEqualTo(diffFresh.script());
            assertThat(diff.changes()).as(where).isEqualTo(diffFresh.changes());
            actual.commit(diff, want);
            copy.commit(diffFresh, wantFresh);
            assertThat(actual.chains).as(where).isEqualTo(copy.chains);
            assertThat(actual.sets).as(where).isEqualTo(copy.sets);
            assertThat(actual.maps).as(where).isEqualTo(copy.maps);
            assertThat(new NftState().diff(want).script())
                    .as(where)
                    .isEqualTo(new NftState().diff(wantFresh).script());
        }
    }

    private static NftState copy(NftState s) {
        NftState c = new NftState();
        c.chains.putAll(s.chains);
        c.sets.putAll(s.sets);
        s.maps.forEach((k, v) -> c.maps.put(k, Map.copyOf(v)));
        return c;
    }

    /** One random change; returns what it did (for the failure message). */
    private String change(Random r) {
        int op = r.nextInt(100);
        if (op < 40) {
            String host = r.nextInt(4) == 0 ? "h2" : "h1";
            int w = r.nextInt(50);
            String key = KEYS.endpoint(host, "k8s", "w" + w, "eth0");
            if (r.nextInt(6) == 0) {
                return apply(key, null);
            }
            int ifaceOf = r.nextInt(12) == 0 ? r.nextInt(50) : w; // sometimes another's interface
            String iface = "cali" + "abc".charAt(ifaceOf % 3) + ifaceOf;
            StringBuilder ep = new StringBuilder("{\"state\":\"")
                    .append(r.nextInt(6) == 0 ? "inactive" : "active")
                    .append("\",\"name\":\"")
                    .append(iface)
                    .append("\",\"profile_ids\":[");
            int np = r.nextInt(3);
            for (int i = 0; i < np; i++) {
                ep.append(i > 0 ? "," : "").append("\"p").append(r.nextInt(5)).append('"');
            }
            ep.append("],\"ipv4_nets\":[");
            if (r.nextInt(8) != 0) {
                ep.append(r.nextInt(10) == 0 ? "\"10.1.0.0/24\"" : "\"10.0.0." + r.nextInt(70) + "/32\"");
            }
            ep.append("],\"ipv6_nets\":[");
            if (r.nextBoolean()) {
                ep.append("\"fd00::").append(Integer.toHexString(r.nextInt(70))).append("/128\"");
            }
            ep.append("],\"labels\":").append(labels(r)).append('}');
            return apply(key, ep.toString());
        }
        if (op < 52) {
            String p = "p" + r.nextInt(5);
            return apply(
                    KEYS.profileRules(p),
                    r.nextInt(8) == 0
                            ? null
                            : "{\"inbound_rules\":" + rules(r) + ",\"outbound_rules\":" + rules(r) + "}");
        }
        if (op < 60) {
            String p = "p" + r.nextInt(5);
            List<String> tags = new ArrayList<>();
            for (int i = r.nextInt(3); i > 0; i--) {
                tags.add("\"" + (r.nextBoolean() ? "t" + r.nextInt(3) : "p" + r.nextInt(5)) + "\"");
            }
            return apply(KEYS.profileTags(p), r.nextInt(6) == 0 ? null : "[" + String.join(",", tags) + "]");
        }
        if (op < 67) {
            return apply(KEYS.profileLabels("p" + r.nextInt(5)), r.nextInt(5) == 0 ? null : labels(r));
        }
        if (op < 80) {
            String key = KEYS.policy("tier" + r.nextInt(2), "pol" + r.nextInt(3));
            return apply(
                    key,
                    r.nextInt(5) == 0
                            ? null
                            : "{\"selector\":\"" + SELECTORS[r.nextInt(SELECTORS.length)]
                                    + "\"," + (r.nextBoolean() ? "\"order\":" + r.nextInt(3) + "," : "")
                                    + "\"inbound_rules\":" + rules(r) + ",\"outbound_rules\":" + rules(r) + "}");
        }
        if (op < 84) {
            return apply(
                    KEYS.tierMetadata("tier" + r.nextInt(2)),
                    r.nextInt(3) == 0 ? null : "{\"order\":" + r.nextInt(3) + "}");
        }
        if (op < 90) {
            boolean v6 = r.nextBoolean();
            String cidr = v6 ? "fd00::/64" : "10.0.0.0/16";
            return apply(
                    KEYS.pool(org.calicojava.model.Cidr.parse(cidr)),
                    r.nextInt(4) == 0
                            ? null
                            : "{\"cidr\":\"" + cidr + "\",\"masquerade\":" + r.nextBoolean() + ",\"disabled\":"
                                    + (r.nextInt(4) == 0) + "}");
        }
        if (op < 93) {
            ipv6 = !ipv6;
            return "Ipv6Support " + ipv6;
        }
        if (op < 95) {
            state.clear();
            kv.forEach((k, v) -> state.apply(k, v));
            return "resync";
        }
        return apply(KEYS.endpoint("h1", "k8s", "w" + r.nextInt(50), "eth0"), null);
    }

    private String apply(String key, String value) {
        try {
            state.apply(key, value);
            if (value == null) {
                kv.remove(key);
            } else {
                kv.put(key, value);
            }
        } catch (IllegalArgumentException e) {
            kv.remove(key); // bad data: the key is absent
        }
        return key.substring(KEYS.v1().length()) + (value == null ? " deleted" : "=" + value);
    }

    private static String labels(Random r) {
        List<String> l = new ArrayList<>();
        if (r.nextBoolean()) {
            l.add("\"app\":\"" + (r.nextBoolean() ? "a" : "b") + "\"");
        }
        if (r.nextBoolean()) {
            l.add("\"tier\":\"" + (r.nextBoolean() ? "x" : "y") + "\"");
        }
        return "{" + String.join(",", l) + "}";
    }

    private static String rules(Random r) {
        List<String> out = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            out.add(RULES[r.nextInt(RULES.length)]);
        }
        return "[" + String.join(",", out) + "]";
    }
}
