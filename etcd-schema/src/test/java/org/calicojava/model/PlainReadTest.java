package org.calicojava.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

/**
 * The records felix reads on its start without databind ({@link LightJson#read}: profiles' rules, tags and labels,
 * tiers, policies; endpoints and pools are fuzzed in {@link RecordFuzzTest} and {@link LightJsonTest}) give databind's record, or databind's refusal in its words, for any document; and the documents
 * this project writes are read without databind (the plain path, counted: a reader that left everything to databind
 * would agree trivially). Documents are built field by field: absent, plain, a JSON null, another type, a value the
 * constructor refuses, a field repeated, unknown fields.
 */
class PlainReadTest {
    @Property(tries = 3000)
    void profileRulesAgreeWithDatabind(@ForAll("profileRules") String doc) {
        agrees(doc, ProfileRules::read, ProfileRules.class, ProfileRules::plain);
    }

    @Property(tries = 3000)
    void policiesAgreeWithDatabind(@ForAll("policies") String doc) {
        agrees(doc, Policy::read, Policy.class, Policy::plain);
    }

    @Property(tries = 1000)
    void tiersAgreeWithDatabind(@ForAll("tiers") String doc) {
        agrees(doc, TierMetadata::read, TierMetadata.class, TierMetadata::plain);
    }

    @Property(tries = 1000)
    void tagsAndLabelsAgreeWithDatabind(@ForAll("tagsAndLabels") String doc) {
        agrees(doc, KeyPath.TagList::read, KeyPath.TagList.class, KeyPath.TagList::plain);
        agrees(doc, KeyPath.LabelMap::read, KeyPath.LabelMap.class, KeyPath.LabelMap::plain);
    }

    @Test
    void writtenRecordsAreReadWithoutDatabind() {
        Rule.Builder b = Rule.builder();
        b.action = "deny";
        b.protocol = "tcp";
        b.srcNet = Cidr.parse("10.0.0.0/8");
        b.notDstPorts = List.of(new PortRange(80, 80), new PortRange(1000, 2000));
        b.srcSelector = "role == 'db'";
        b.notSrcTag = "t";
        ProfileRules rules =
                new ProfileRules(List.of(b.build()), List.of(Rule.builder().build()));
        Policy policy = new Policy("has(x)", 2.5, List.of(b.build()), List.of());
        String rulesJson = Json.write(rules);
        assertThat(ProfileRules.plain(LightJson.root(rulesJson))).isEqualTo(rules);
        assertThat(ProfileRules.read(rulesJson)).isEqualTo(rules);
        assertThat(Policy.plain(LightJson.root(Json.write(policy)))).isEqualTo(policy);
        assertThat(TierMetadata.plain(LightJson.root("{\"order\":10}"))).isEqualTo(new TierMetadata(10.0));
        WorkloadEndpoint endpoint = new WorkloadEndpoint(
                "active",
                "cali1",
                "ee:ee:ee:ee:ee:ee",
                List.of("p"),
                List.of(Cidr.parse("10.1.0.1/32")),
                List.of(Cidr.parse("fd00::1/128")),
                Map.of("role", "db"));
        assertThat(WorkloadEndpoint.plain(LightJson.root(Json.write(endpoint)))).isEqualTo(endpoint);
        IpPool pool = new IpPool(Cidr.parse("10.1.0.0/16"), true, EncapMode.CROSS_SUBNET, null, true, false, 26);
        assertThat(IpPool.plain(LightJson.root(Json.write(pool)))).isEqualTo(pool);
        assertThat(new KeyPath.ProfileTags("p").decode("[\"a\",\"b\"]")).containsExactly("a", "b");
        assertThat(new KeyPath.ProfileLabels("p").decode("{\"a\":\"b\"}")).isEqualTo(Map.of("a", "b"));
    }

    private static <T> void agrees(String doc, Function<String, T> read, Class<T> type, Function<Object, T> plain) {
        assertThat(outcome(() -> read.apply(doc))).as(doc).isEqualTo(outcome(() -> Json.read(doc, type)));
        boolean plainPath;
        try {
            Object root = LightJson.root(doc);
            plainPath = root != LightJson.UNREAD && plain.apply(root) != null;
        } catch (RuntimeException e) {
            plainPath = false;
        }
        Statistics.label(type.getSimpleName() + " read without databind")
                .collect(plainPath)
                .coverage(c -> c.check(true).percentage(p -> p >= 10));
    }

    private static Object outcome(Supplier<?> read) {
        try {
            return read.get();
        } catch (IllegalArgumentException e) {
            return "refused: " + e.getMessage();
        }
    }

    private static final List<Map.Entry<String, List<String>>> RULE_FIELDS = List.of(
            Map.entry("action", List.of("\"allow\"", "\"deny\"", "\"Deny\"", "\"next-tier\"", "\"drop\"", "null", "1")),
            Map.entry(
                    "protocol",
                    List.of(
                            "\"tcp\"",
                            "\"tcp\"",
                            "\"udp\"",
                            "\"icmp\"",
                            "\"icmpv6\"",
                            "\"6\"",
                            "\"TCP\"",
                            "\"256\"",
                            "null",
                            "6")),
            Map.entry("!protocol", List.of("\"udp\"", "\"sctp\"", "\"x\"", "[]")),
            Map.entry("src_net", nets()),
            Map.entry("dst_net", nets()),
            Map.entry("!src_net", nets()),
            Map.entry("!dst_net", nets()),
            Map.entry("src_ports", ports()),
            Map.entry("dst_ports", ports()),
            Map.entry("!src_ports", ports()),
            Map.entry("!dst_ports", ports()),
            Map.entry("icmp_type", List.of("8", "0", "254", "255", "\"8\"", "8.0", "null", "-1", "99999999999")),
            Map.entry("icmp_code", List.of("0", "255", "256", "true")),
            Map.entry("!icmp_type", List.of("3", "\"3\"")),
            Map.entry("!icmp_code", List.of("1")),
            Map.entry("src_selector", selectors()),
            Map.entry("dst_selector", selectors()),
            Map.entry("!src_selector", selectors()),
            Map.entry("!dst_selector", selectors()),
            Map.entry("src_tag", tags()),
            Map.entry("dst_tag", tags()),
            Map.entry("!src_tag", tags()),
            Map.entry("!dst_tag", tags()),
            Map.entry("srcNet", List.of("\"10.0.0.0/8\"", "1")),
            Map.entry("Action", List.of("\"deny\"")),
            Map.entry("future", List.of("{\"a\":[1,{\"b\":null}]}", "\"x\"")));

    private static List<String> nets() {
        return List.of(
                "\"10.0.0.0/8\"", "\"10.1.2.3\"", "\"fd00::/64\"", "\"10.0.0.1/8\"", "\"x\"", "null", "[]", "17");
    }

    private static List<String> ports() {
        return List.of(
                "[80]",
                "[\"1000:2000\"]",
                "[80,\"443\"]",
                "[]",
                "[70000]",
                "[\"2000:1000\"]",
                "[\"x\"]",
                "[null]",
                "80",
                "[8.0]",
                "[99999999999]",
                "[\" 80 \"]",
                "[true]",
                "[" + "1,".repeat(100) + "2]");
    }

    private static List<String> selectors() {
        return List.of("\"a == 'b'\"", "\"has(x)\"", "\"has(\"", "null", "1");
    }

    private static List<String> tags() {
        return List.of("\"t\"", "\"bad tag\"", "null");
    }

    /** A rule: up to five fields, each with one of its values; sometimes a field twice. */
    private static Arbitrary<String> rule() {
        Arbitrary<String> field = Arbitraries.of(RULE_FIELDS)
                .flatMap(f -> Arbitraries.of(f.getValue()).map(v -> "\"" + f.getKey() + "\":" + v));
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(4, Arbitraries.just("\"protocol\":\"tcp\"")),
                        net.jqwik.api.Tuple.of(2, Arbitraries.just("\"protocol\":\"icmp\"")),
                        net.jqwik.api.Tuple.of(4, Arbitraries.just("")))
                .flatMap(protocol -> field.list().ofMaxSize(5).map(fields -> {
                    List<String> all = new ArrayList<>(fields);
                    if (!protocol.isEmpty()) {
                        all.add(0, protocol);
                    }
                    return "{" + String.join(",", all) + "}";
                }));
    }

    private static Arbitrary<String> rules() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, rule().list().ofMaxSize(3).map(l -> "[" + String.join(",", l) + "]")),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("[]", "null", "[null]", "{}", "\"x\"", "[[]]")));
    }

    /** {@code "name":value}, or nothing (the field absent) one time in three. */
    private static Arbitrary<String> field(String name, Arbitrary<String> value) {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, Arbitraries.just("")),
                net.jqwik.api.Tuple.of(2, value.map(v -> "\"" + name + "\":" + v)));
    }

    private static Arbitrary<String> object(List<Arbitrary<String>> fields) {
        return net.jqwik.api.Combinators.combine(fields)
                .as(l -> l.stream().filter(f -> !f.isEmpty()).toList())
                .flatMap(l -> Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(8, Arbitraries.just("{" + String.join(",", l) + "}")),
                        net.jqwik.api.Tuple.of(
                                1,
                                Arbitraries.just(
                                        "{" + String.join(",", l) + (l.isEmpty() ? "" : "," + l.get(0)) + "}")),
                        net.jqwik.api.Tuple.of(1, Arbitraries.just("{" + String.join(",", l) + "} trailing")),
                        net.jqwik.api.Tuple.of(1, Arbitraries.just("{" + String.join(",", l)))));
    }

    @Provide
    Arbitrary<String> profileRules() {
        return Arbitraries.oneOf(
                object(List.of(field("inbound_rules", rules()), field("outbound_rules", rules()))),
                Arbitraries.of("null", "[]", "", "\"x\"", "{\"inbound_rules\":[{\"action\":\"allow\"}]"));
    }

    @Provide
    Arbitrary<String> policies() {
        Arbitrary<String> selector = Arbitraries.of("\"all()\"", "\"role == 'db'\"", "\"bad ((\"", "null", "5");
        return object(List.of(
                field("selector", selector),
                field("order", orders()),
                field("inbound_rules", rules()),
                field("outbound_rules", rules())));
    }

    private static Arbitrary<String> orders() {
        return Arbitraries.of("10", "1.5", "-0", "-0.0", "1e999", "\"10\"", "null", "99999999999", "1e2", "true", "{}");
    }

    @Provide
    Arbitrary<String> tiers() {
        return Arbitraries.oneOf(
                object(List.of(field("order", orders()), field("future", Arbitraries.of("1", "[null]")))),
                Arbitraries.of("null", "[]", "", "7"));
    }

    @Provide
    Arbitrary<String> tagsAndLabels() {
        return Arbitraries.of(
                "[\"a\",\"b\"]",
                "[]",
                "[\"bad tag\"]",
                "[1]",
                "[null]",
                "[\"a\",null]",
                "\"a\"",
                "null",
                "{}",
                "[" + "\"t\",".repeat(256) + "\"t\"]",
                "{\"a\":\"b\"}",
                "{\"a\":\"b\",\"c\":\"d\"}",
                "{\"a\":1}",
                "{\"a\":null}",
                "{\"bad key!\":\"b\"}",
                "{\"a\":\"x\",\"a\":\"b\"}",
                "{\"a\":[\"b\"]}",
                "[\"a\"] trailing",
                "");
    }
}
