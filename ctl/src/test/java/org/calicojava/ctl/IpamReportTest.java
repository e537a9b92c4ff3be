package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.junit.jupiter.api.Test;

/** The report's reader against what a hostile or damaged file may hold: one line of refusal, never anything else. */
class IpamReportTest {
    private static final IpamReport REPORT = new IpamReport(
            Instant.parse("2026-01-02T03:04:05Z"),
            "cdf818194e3a8c32",
            "/calico",
            1234,
            5,
            3,
            List.of(
                    leaked("10.65.0.3", "10.65.0.0/26", "c2", Map.of()),
                    leaked("10.65.0.70", "10.65.0.64/26", null, Map.of("type", "ipipTunnelAddress", "node", "h2")),
                    leaked("fd00:65::5", "fd00:65::/122", "v6", Map.of("note", "x")),
                    new IpamCheck.Problem("duplicate", "10.65.0.9", "endpoint a and endpoint b all have it"),
                    new IpamCheck.Problem("handle", "c1", "its record counts {}")));

    private static IpamCheck.Problem leaked(String ip, String block, String handle, Map<String, String> attrs) {
        return new IpamCheck.Problem(
                IpamCheck.LEAKED,
                ip,
                "no endpoint has it",
                new IpamCheck.Allocation(Cidr.host(ip), Cidr.parse(block, true), handle, attrs));
    }

    @Test
    void roundTrip() {
        IpamReport back = IpamReport.parse(REPORT.toJson());
        assertThat(back).isEqualTo(REPORT);
        assertThat(back.leaked()).hasSize(3);
        assertThat(back.leaked().get(1).handle()).isNull();
    }

    /** One change to a good report, as JSON. */
    private static String tampered(Consumer<ObjectNode> change) throws Exception {
        ObjectNode root = (ObjectNode) Json.MAPPER.readTree(REPORT.toJson());
        change.accept(root);
        return Json.MAPPER.writeValueAsString(root);
    }

    private static ObjectNode allocation(ObjectNode root, int row) {
        return (ObjectNode) root.get("problems").get(row).get("allocation");
    }

    private static void refused(String text, String message) {
        assertThatThrownBy(() -> IpamReport.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "\r"));
    }

    @Test
    void eachTamperingIsRefusedWithWhereAndWhy() throws Exception {
        refused(tampered(r -> allocation(r, 0).put("block", "10.65.0.1/26")), "problems[0].allocation.block: CIDR");
        refused(tampered(r -> allocation(r, 0).put("block", "10.65.0.0-26")), "(expected: 10.65.0.0/26)");
        refused(tampered(r -> allocation(r, 0).put("block", "10.65.0.64/26")), "10.65.0.3 is not in block");
        refused(tampered(r -> allocation(r, 0).put("block", "10.0.0.0/8")), "addresses (expected: at most 4096)");
        refused(tampered(r -> allocation(r, 0).put("block", "::/0")), "problems[0].allocation.block");
        refused(tampered(r -> allocation(r, 0).put("address", "10.65.0.300")), "octet 300 > 255");
        refused(tampered(r -> allocation(r, 0).put("address", "010.65.0.3")), "(expected: 10.65.0.3)");
        refused(tampered(r -> allocation(r, 0).put("address", "10.65.0.4")), "problems[0].subject");
        refused(tampered(r -> allocation(r, 0).put("handle", "../../v1/host")), "handle name");
        refused(tampered(r -> allocation(r, 0).put("handle", "a\nb")), "handle name");
        refused(tampered(r -> allocation(r, 0).put("handle", 7)), "problems[0].allocation.handle: not text");
        refused(tampered(r -> allocation(r, 0).putObject("attributes").putArray("x")), "\"x\": not text");
        refused(tampered(r -> allocation(r, 0).remove("attributes")), "attributes: missing");
        refused(tampered(r -> allocation(r, 0).put("extra\nline", 1)), "unknown field \"extra\\nline\"");
        refused(tampered(r -> r.put("version", 2)), "version: \"2\" (expected: 1)");
        refused(tampered(r -> r.put("version", "1")), "version");
        refused(tampered(r -> r.put("version", 1.0)), "version");
        refused(tampered(r -> r.put("format", "something-else")), "format");
        refused(tampered(r -> r.put("etcdClusterId", "CDF8")), "etcdClusterId");
        refused(tampered(r -> r.put("prefix", "calico")), "prefix");
        refused(tampered(r -> r.put("prefix", "/calico/")), "prefix");
        refused(tampered(r -> r.put("revision", 0)), "revision");
        refused(tampered(r -> r.put("revision", "12")), "revision");
        refused(tampered(r -> r.put("created", "yesterday")), "created");
        refused(tampered(r -> ((ObjectNode) r.get("counts")).put("leaked", 2)), "counts: they do not match");
        refused(tampered(r -> ((ObjectNode) r.get("problems").get(3)).put("kind", "wat")), "problems[3].kind");
        refused(
                tampered(r -> ((ObjectNode) r.get("problems").get(3)).set("allocation", allocation(r, 0))),
                "problems[3]: unknown field \"allocation\"");
        refused(tampered(r -> ((ObjectNode) r.get("problems").get(0)).remove("allocation")), "allocation: missing");
        refused(tampered(r -> r.withArray("problems").add(r.get("problems").get(0))), "listed twice");
        refused(tampered(r -> r.withArray("problems").add(5)), "problems[5]: not a problem row");
        refused(tampered(r -> r.put("problems", "none")), "problems: not a list");
    }

    @Test
    void notJsonOrNotOneObject() throws Exception {
        refused("", "not JSON");
        refused("not json", "not JSON");
        refused("{\"format\":", "not JSON");
        refused("[]", "report: not an object");
        refused("null", "report: not an object");
        refused(REPORT.toJson() + "{}", "not JSON");
        String good = REPORT.toJson();
        refused(good.replaceFirst("\\{", "{\"prefix\":\"/other\","), "not JSON: \"Duplicate field");
        refused("[".repeat(5000) + "]".repeat(5000), "not JSON");
        refused(tampered(r -> r.put("revision", new java.math.BigInteger("1" + "0".repeat(40)))), "revision");
    }

    @Provide
    Arbitrary<String> mutations() {
        String good = REPORT.toJson();
        Arbitrary<String> insert = Arbitraries.of(
                "",
                "\"",
                "{",
                "}",
                "[",
                "]",
                ",",
                ":",
                "null",
                "-1",
                "1e999",
                "\"\u202e\"",
                "\\u0000",
                "\n",
                "\"x\":1");
        return Arbitraries.integers()
                .between(0, good.length())
                .flatMap(at -> Arbitraries.integers()
                        .between(0, 8)
                        .flatMap(cut -> insert.map(ins ->
                                good.substring(0, at) + ins + good.substring(Math.min(good.length(), at + cut)))));
    }

    @Property(tries = 2000)
    void anyMutationParsesOrIsRefusedWithOneLine(@ForAll("mutations") String text) {
        try {
            IpamReport r = IpamReport.parse(text);
            assertThat(r.leaked())
                    .allSatisfy(a -> assertThat(a.block().contains(a.address())).isTrue());
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).doesNotContain("\n", "\r", "\u2028", "\u202e");
        }
    }

    @Test
    void rowsAreWhatTheCheckFound() throws Exception {
        JsonNode rows = Json.MAPPER.readTree(REPORT.toJson()).get("problems");
        assertThat(rows.get(0).get("allocation").get("handle").asText()).isEqualTo("c2");
        assertThat(rows.get(1).get("allocation").get("handle").isNull()).isTrue();
        assertThat(rows.get(3).has("allocation")).isFalse();
    }
}
