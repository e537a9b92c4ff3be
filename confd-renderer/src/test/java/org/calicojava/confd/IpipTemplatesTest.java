package org.calicojava.confd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.calicojava.model.Cidr;
import org.calicojava.process.CommandRunner;
import org.calicojava.process.ProcessRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pools' IP-in-IP modes in the render context and the shipped templates (BIRD through the real {@code bird -p}). */
class IpipTemplatesTest {
    @TempDir
    Path tmp;

    static Fixtures fabric() {
        Fixtures f = new Fixtures()
                .globalAs("64512")
                .node("n1", "192.0.2.1", null)
                .node("n2", "198.51.100.2", null)
                .pool("10.70.0.0/16")
                .block("n1", "10.65.0.0/26");
        f.kv.put(f.keys.pool(Cidr.parse("10.65.0.0/16")), "{\"cidr\":\"10.65.0.0/16\",\"ipip\":true}");
        f.kv.put(
                f.keys.pool(Cidr.parse("10.66.0.0/16")),
                "{\"cidr\":\"10.66.0.0/16\",\"ipip\":true,\"ipip_mode\":\"cross-subnet\",\"disabled\":true}");
        f.kv.put(f.keys.pool(Cidr.parse("10.68.0.0/16")), "{\"cidr\":\"10.68.0.0/16\",\"vxlan_mode\":\"always\"}");
        return f;
    }

    @Test
    void contextListsTheIpipPoolsWithTheirModes() {
        Map<String, Object> ctx = new ContextBuilder(fabric().keys, "n1").build(fabric().kv);
        assertThat(ctx.get("ipipPools"))
                .isEqualTo(List.of(
                        new EncapPool("10.65.0.0/16", "always", false),
                        new EncapPool("10.66.0.0/16", "cross-subnet", true)));
        assertThatThrownBy(() -> new EncapPool("10.65.0.0/16", "sometimes", false))
                .hasMessageContaining("always or cross-subnet");
        assertThatThrownBy(() -> new EncapPool("10.65.0.0/16\"; x", "always", false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPoolIsReadOnlyUnderItsOwnKeyAsFelixReadsIt() {
        Fixtures f = fabric();
        String v4 = f.keys.pools(4);
        f.kv.put(v4 + "10.65.0.0-016", "{\"cidr\":\"10.65.0.0/16\",\"ipip\":true,\"ipip_mode\":\"cross-subnet\"}");
        f.kv.put(v4 + "10.67.0.0-16", "{\"cidr\":\"10.69.0.0/16\",\"ipip\":true}");
        ContextBuilder b = new ContextBuilder(f.keys, "n1");
        Map<String, Object> ctx = b.build(f.kv);
        assertThat(ctx.get("ipipPools"))
                .isEqualTo(List.of(
                        new EncapPool("10.65.0.0/16", "always", false),
                        new EncapPool("10.66.0.0/16", "cross-subnet", true)));
        assertThat(((List<?>) ctx.get("pools")).stream().map(p -> ((Prefix) p).cidr()))
                .containsExactly("10.65.0.0/16", "10.66.0.0/16", "10.68.0.0/16", "10.70.0.0/16");
        assertThat(b.invalid())
                .extracting(Warnings.Invalid::key)
                .containsExactlyInAnyOrder(v4 + "10.65.0.0-016", v4 + "10.67.0.0-16");
    }

    @Test
    void speakerYamlCarriesThePoolsAndTheHostAddressThroughTheSpeakersLoader() throws Exception {
        String yaml = ShippedTemplatesTest.render(fabric(), "n1", "bgp-speaker.yaml.mustache");
        assertThat(yaml).contains("""
                  ipip:
                    hostAddress: "192.0.2.1"
                    pools:
                      - {cidr: "10.65.0.0/16", mode: "always"}
                      - {cidr: "10.66.0.0/16", mode: "cross-subnet"}
                """);
        org.calicojava.bgp.kernel.IpipRoutes r = org.calicojava.bgp.yaml.SpeakerYamlLoader.parse(yaml)
                .routing()
                .kernel()
                .ipip();
        assertThat(r.hostAddress().getHostAddress()).isEqualTo("192.0.2.1");
        assertThat(r.pools())
                .extracting(p -> p.cidr().toString() + " " + p.crossSubnet())
                .containsExactly("10.65.0.0/16 false", "10.66.0.0/16 true");
        // no IP-in-IP pool: no ipip key, the speaker's loader takes it as before
        Fixtures plain = new Fixtures().node("n1", "192.0.2.1", null).pool("10.70.0.0/16");
        String none = ShippedTemplatesTest.render(plain, "n1", "bgp-speaker.yaml.mustache");
        assertThat(none).doesNotContain("ipip");
        assertThat(org.calicojava.bgp.yaml.SpeakerYamlLoader.parse(none)
                        .routing()
                        .kernel()
                        .ipip()
                        .any())
                .isFalse();
        assertThat(org.calicojava.bgp.yaml.SpeakerYamlLoader.parse(none)
                        .routing()
                        .kernel()
                        .enabled())
                .isTrue();
    }

    @Test
    void vxlanPoolsLearnedBlocksStayOutOfTheKernel() throws Exception {
        String yaml = ShippedTemplatesTest.render(fabric(), "n1", "bgp-speaker.yaml.mustache");
        org.calicojava.bgp.rib.RoutingConfig rc =
                org.calicojava.bgp.yaml.SpeakerYamlLoader.parse(yaml).routing();
        assertThat(rc.kernel().exportPolicies()).containsExactly("calico_kernel");
        var chain = rc.chain(rc.kernel().exportPolicies());
        for (String p : List.of("10.68.1.0/26", "10.68.0.5/32")) {
            assertThat(org.calicojava.bgp.policy.Policy.evaluate(
                            chain,
                            org.calicojava.bgp.codec.Prefix.parse(p),
                            org.calicojava.bgp.codec.PathAttributes.EMPTY,
                            org.calicojava.bgp.policy.RouteSource.BGP,
                            64512))
                    .as(p)
                    .isNull();
        }
        for (String p : List.of("10.65.1.0/26", "10.70.1.0/26")) {
            assertThat(org.calicojava.bgp.policy.Policy.evaluate(
                            chain,
                            org.calicojava.bgp.codec.Prefix.parse(p),
                            org.calicojava.bgp.codec.PathAttributes.EMPTY,
                            org.calicojava.bgp.policy.RouteSource.BGP,
                            64512))
                    .as(p)
                    .isNotNull();
        }
        // felix's routes to other hosts' VXLAN blocks (protocol 80, learned from the kernel) are not originated;
        // workload host routes still are
        assertThat(rc.kernel().importPolicies()).containsExactly("calico_kernel_import");
        var imp = rc.chain(rc.kernel().importPolicies());
        assertThat(org.calicojava.bgp.policy.Policy.evaluate(
                        imp,
                        org.calicojava.bgp.codec.Prefix.parse("10.68.2.0/26"),
                        org.calicojava.bgp.codec.PathAttributes.EMPTY,
                        org.calicojava.bgp.policy.RouteSource.KERNEL,
                        64512))
                .isNull();
        for (String p : List.of("10.68.0.5/32", "10.65.0.5/32", "10.70.2.0/26")) {
            assertThat(org.calicojava.bgp.policy.Policy.evaluate(
                            imp,
                            org.calicojava.bgp.codec.Prefix.parse(p),
                            org.calicojava.bgp.codec.PathAttributes.EMPTY,
                            org.calicojava.bgp.policy.RouteSource.KERNEL,
                            64512))
                    .as(p)
                    .isNotNull();
        }
        String bird = ShippedTemplatesTest.render(fabric(), "n1", "bird.conf.mustache");
        assertThat(bird)
                .contains("  if source = RTS_BGP && net ~ [ 10.68.0.0/16+ ] then reject;")
                .contains("  if source = RTS_INHERIT && net.len < 32 && net ~ [ 10.68.0.0/16+ ] then reject;");
        // no VXLAN pool: the kernel exports everything as before
        Fixtures plain = new Fixtures().node("n1", "192.0.2.1", null).pool("10.70.0.0/16");
        String none = ShippedTemplatesTest.render(plain, "n1", "bgp-speaker.yaml.mustache");
        assertThat(org.calicojava.bgp.yaml.SpeakerYamlLoader.parse(none)
                        .routing()
                        .kernel()
                        .exportPolicies())
                .isEmpty();
    }

    @Test
    void birdRoutesIpipPoolsThroughTunl0() throws Exception {
        String conf = ShippedTemplatesTest.render(fabric(), "n1", "bird.conf.mustache");
        assertThat(conf)
                .contains("  if source = RTS_BGP && net ~ [ 10.65.0.0/16+ ] then { # ipip always\n"
                        + "    onlink = true;\n    ifname = \"tunl0\";\n    gw = bgp_next_hop;\n    accept;\n  }\n");
        assertThat(conf)
                .contains(
                        "  if source = RTS_BGP && net ~ [ 10.66.0.0/16+ ] && gw != bgp_next_hop then { # ipip cross-subnet\n");
        assertThat(conf).doesNotContain("10.70.0.0/16+ ] then {").doesNotContain("10.68.0.0/16+ ] then {");
        Path f = tmp.resolve("bird.conf");
        Files.writeString(f, conf);
        CommandRunner.Result r = ProcessRunner.local().shell("bird -p -c " + f, Duration.ofSeconds(20));
        assertThat(r.ok()).as("bird -p: " + r.oneLine() + "\n" + conf).isTrue();
    }
}
