package org.calicojava.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Property tests over every parser an etcd value or key goes through: whatever the text, the only exception that
 * escapes is the documented {@link IllegalArgumentException}, and its message is one line. Inputs are random text,
 * and JSON-shaped text made by mutating valid records (so the record constructors are reached, not only the parser).
 */
class RecordFuzzTest {
    private static final Keys KEYS = new Keys();
    private static final List<KeyPath> PATHS = List.of(
            new KeyPath.Endpoint("h", "o", "w", "e"),
            new KeyPath.ProfileRulesKey("p"),
            new KeyPath.ProfileTags("p"),
            new KeyPath.ProfileLabels("p"),
            new KeyPath.Tier("t"),
            new KeyPath.TierPolicy("t", "p"),
            new KeyPath.Pool(Cidr.parse("10.1.0.0/16")),
            new KeyPath.GlobalConfig("X"));
    private static final List<String> VALID = List.of(
            "{\"state\":\"active\",\"name\":\"cali1\",\"mac\":\"ee:ee:ee:ee:ee:ee\",\"profile_ids\":[\"p\"],"
                    + "\"ipv4_nets\":[\"10.1.0.1/32\"],\"ipv6_nets\":[\"fd00::1/128\"],\"labels\":{\"a\":\"b\"}}",
            "{\"inbound_rules\":[{\"action\":\"allow\",\"protocol\":\"tcp\",\"src_net\":\"10.0.0.0/8\",\"dst_ports\":"
                    + "[80,\"1000:2000\"],\"src_selector\":\"a == 'b' && has(c)\"}],\"outbound_rules\":[{\"action\":\"deny\","
                    + "\"protocol\":\"icmp\",\"icmp_type\":8,\"icmp_code\":0,\"!dst_tag\":\"t\"}]}",
            "[\"a\",\"b\"]",
            "{\"role\":\"db\"}",
            "{\"order\":10}",
            "{\"selector\":\"role in {'a','b'}\",\"order\":1.5,\"inbound_rules\":[{\"action\":\"next-tier\"}]}",
            "{\"cidr\":\"10.1.0.0/16\",\"ipip\":true,\"masquerade\":false,\"block_size\":26}");

    @Property(tries = 3000)
    void anyTextGivesARecordOrOneLineError(@ForAll("values") String value) {
        for (KeyPath path : PATHS) {
            try {
                assertThat(path.decode(value)).isNotNull();
            } catch (IllegalArgumentException e) {
                assertThat(e.getMessage()).isNotBlank().doesNotContain("\n", "\r");
            }
        }
    }

    @Property(tries = 3000)
    void anyKeyParsesOrGivesOneLineError(@ForAll("keys") String key) {
        try {
            KeyPath.parse(KEYS, key);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("\n", "\r");
        }
    }

    @Property(tries = 3000)
    void anySelectorParsesOrGivesOneLineError(@ForAll("selectors") String text) {
        try {
            Selector s = Selector.parse(text);
            assertThat(Selector.parse(s.canonical()).canonical()).isEqualTo(s.canonical());
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("\n", "\r");
        }
    }

    @Provide
    Arbitrary<String> values() {
        Arbitrary<String> random = Arbitraries.strings().all().ofMaxLength(200);
        Arbitrary<String> mutated = Arbitraries.of(VALID)
                .flatMap(v -> Arbitraries.integers()
                        .between(0, v.length() - 1)
                        .flatMap(at -> Arbitraries.of(
                                        "",
                                        "\n",
                                        "null",
                                        "\"",
                                        "{",
                                        "}",
                                        "[",
                                        "]",
                                        ",",
                                        "0",
                                        "-1",
                                        "1e999",
                                        "\"a\\nb\"",
                                        "\u0000",
                                        "/0",
                                        "99999",
                                        "[null]",
                                        "{}",
                                        "\"\\u0000\"")
                                .flatMap(ins -> Arbitraries.integers()
                                        .between(0, 5)
                                        .map(cut -> v.substring(0, at)
                                                + ins
                                                + v.substring(Math.min(v.length(), at + cut))))));
        return Arbitraries.oneOf(random, mutated, Arbitraries.of(VALID));
    }

    /** WorkloadEndpoint.read (streaming, for felix's start) gives databind's record or databind's refusal. */
    @Property(tries = 3000)
    void endpointReadAgreesWithDatabind(@ForAll("endpoints") String value) {
        assertThat(outcome(() -> WorkloadEndpoint.read(value)))
                .as(value)
                .isEqualTo(outcome(() -> Json.read(value, WorkloadEndpoint.class)));
    }

    @Property(tries = 1000)
    void endpointReadAgreesWithDatabindOnAnyText(@ForAll("values") String value) {
        assertThat(outcome(() -> WorkloadEndpoint.read(value)))
                .as(value)
                .isEqualTo(outcome(() -> Json.read(value, WorkloadEndpoint.class)));
    }

    private static Object outcome(java.util.function.Supplier<WorkloadEndpoint> read) {
        try {
            return read.get();
        } catch (IllegalArgumentException e) {
            return "refused: " + e.getMessage();
        }
    }

    /** Endpoint documents field by field: absent, plain, JSON null, another type, a refused value; extras. */
    @Provide
    Arbitrary<String> endpoints() {
        Arbitrary<String> state = field("state", "\"active\"", "\"inactive\"", "\"gone\"", "null", "1", "[]");
        Arbitrary<String> name = field(
                "name",
                "\"cali1\"",
                "\"tap.x-1_a\"",
                "\"" + "c".repeat(16) + "\"",
                "\"..\"",
                "null",
                "12",
                "\"\"",
                "{}");
        Arbitrary<String> mac = field("mac", "\"ee:ee:ee:ee:ee:ee\"", "\"ee:ee\"", "null", "true");
        Arbitrary<String> profiles = field(
                "profile_ids",
                "[\"p\"]",
                "[\"p\",\"q.r-s\"]",
                "[]",
                "[\"bad name\"]",
                "[null]",
                "[1]",
                "\"p\"",
                "null",
                "[" + "\"p\",".repeat(256) + "\"p\"]");
        Arbitrary<String> v4 = field(
                "ipv4_nets",
                "[\"10.1.0.1/32\"]",
                "[\"10.1.0.1\"]",
                "[\"10.1.0.0/24\"]",
                "[\"fd00::1/128\"]",
                "[\"x\"]",
                "[]",
                "[null]",
                "null",
                "[\"10.1.0.1/32\",\"10.1.0.2/32\"]",
                "[" + "\"10.1.0.1/32\",".repeat(256) + "\"10.1.0.1/32\"]");
        Arbitrary<String> v6 =
                field("ipv6_nets", "[\"fd00::1/128\"]", "[\"fd00::/64\"]", "[\"10.1.0.1/32\"]", "[]", "{}", "null");
        Arbitrary<String> labels = field(
                "labels",
                "{\"a\":\"b\"}",
                "{}",
                "{\"a\":1}",
                "{\"a\":null}",
                "{\"bad key!\":\"b\"}",
                "{\"a\":\"-x\"}",
                "[]",
                "null",
                "{\"a\":{},\"a\":\"b\"}",
                "{\"a\":\"x\",\"a\":\"b\"}");
        Arbitrary<String> extra = field("qos", "{}", "null", "{\"ingress_bandwidth\":1000000}")
                .flatMap(q -> field("future", "{\"a\":[1,{\"b\":null}]}", "\"x\"")
                        .map(f -> q.isEmpty() ? f : f.isEmpty() ? q : q + "," + f));
        // a field again, its value drawn on its own: databind reads (and may refuse) every occurrence
        Arbitrary<String> again = Arbitraries.oneOf(name, v4, labels, state);
        return net.jqwik.api.Combinators.combine(List.of(state, name, mac, profiles, v4, v6, labels, extra, again))
                .as(fields -> fields.stream().filter(f -> !f.isEmpty()).toList())
                .flatMap(fields -> Arbitraries.shuffle(fields)
                        .flatMap(order -> Arbitraries.of(
                                "{" + String.join(",", order) + "}",
                                "{" + String.join(",", order) + (order.isEmpty() ? "" : "," + order.get(0)) + "}",
                                "{" + String.join(",", order) + "} trailing",
                                "{" + String.join(",", order))));
    }

    /** {@code "name":value} for one of {@code values}, or nothing (the field absent). */
    private static Arbitrary<String> field(String name, String... values) {
        return Arbitraries.oneOf(Arbitraries.just(""), Arbitraries.of(values).map(v -> "\"" + name + "\":" + v));
    }

    @Provide
    Arbitrary<String> keys() {
        Arbitrary<String> segment = Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(20),
                Arbitraries.of(
                        "h1", "workload", "endpoint", "config", "policy", "metadata", "rules", "tags", "..", ""));
        Arbitrary<String> prefix = Arbitraries.of(
                "/calico/v1/host/",
                "/calico/v1/policy/profile/",
                "/calico/v1/policy/tier/",
                "/calico/v1/ipam/v4/pool/",
                "/calico/v1/ipam/v6/pool/",
                "/calico/v1/config/");
        return prefix.flatMap(p -> segment.list().ofMaxSize(6).map(s -> p + String.join("/", s)));
    }

    @Provide
    Arbitrary<String> selectors() {
        Arbitrary<String> token = Arbitraries.of(
                "a", "b.c/d", "==", "!=", "in", "not", "{", "}", "(", ")", "!", "&&", "||", "'x'", "\"y\"", ",", "has(",
                "all()", " ", "'", "\n", "\u00e9");
        return Arbitraries.oneOf(
                token.list().ofMaxSize(30).map(l -> String.join("", l)),
                Arbitraries.strings().all().ofMaxLength(60),
                Arbitraries.integers().between(0, 5000).map(n -> "(".repeat(n) + "all()" + ")".repeat(n)));
    }
}
