package org.calicojava.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ValidationTest {
    @ParameterizedTest
    @CsvSource({"65010,65010", "1.10,65546", "4294967295,4294967295", "1,1", "0.1,1", "65535.65535,4294967295"})
    void asNumbers(String in, long expected) {
        assertThat(AsNumber.parse(in)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"0", "4294967296", "-1", "abc", "1.65536", "''"})
    void badAsNumbers(String in) {
        assertThatThrownBy(() -> AsNumber.parse(in))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("AS number: ")
                .hasMessageContaining("expected");
    }

    @Test
    void profileNames() {
        assertThat(Names.check("profile", "web-frontend_1.2")).isEqualTo("web-frontend_1.2");
        assertThatThrownBy(() -> Names.check("profile", "has space"))
                .hasMessage("profile name: \"has space\" (expected: 1-253 of letters, digits, '_', '.', '-')");
        assertThatThrownBy(() -> Names.check("profile", "a/b")).hasMessageContaining("profile name: \"a/b\"");
        assertThatThrownBy(() -> Names.check("profile", "")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void poolValidation() {
        assertThat(IpPool.of(Cidr.parse("10.1.0.0/16")).blockSize()).isEqualTo(26);
        assertThat(IpPool.of(Cidr.parse("2001:db8::/64")).blockSize()).isEqualTo(122);
        assertThatThrownBy(() -> IpPool.of(Cidr.parse("10.1.0.0/28")))
                .hasMessage("pool 10.1.0.0/28 is smaller than its block size /26");
        assertThatThrownBy(() -> new IpPool(Cidr.parse("10.1.0.0/16"), false, false, false, 19))
                .hasMessage("block size: 19 (expected: 20..32 for IPv4)");
        assertThatThrownBy(() -> new IpPool(Cidr.parse("2001:db8::/64"), true, false, false, 0))
                .hasMessageContaining("IPIP is only for IPv4");
        // a pool as wide as the default route, or over the host's own loopback / link-local / multicast addresses
        for (String bad : List.of(
                "0.0.0.0/0",
                "0.0.0.0/1",
                "128.0.0.0/1",
                "127.0.0.0/16",
                "169.254.0.0/20",
                "224.0.0.0/20",
                "::/0",
                "::/1",
                "8000::/1",
                "::/64",
                "fe80::/64",
                "ff02::/64")) {
            assertThatThrownBy(() -> IpPool.of(Cidr.parse(bad)))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("pool " + bad + " overlaps ");
        }
        assertThat(IpPool.of(Cidr.parse("240.0.0.0/4")).cidr())
                .as("class E, used as extra pod space")
                .isNotNull();
        assertThat(IpPool.of(Cidr.parse("fd00:10::/64")).cidr()).isNotNull();
        assertThat(IpPool.of(Cidr.parse("100.64.0.0/10")).cidr()).isNotNull();
    }

    @Test
    void ruleValidation() {
        Rule.Builder b = Rule.builder();
        b.dstPorts = List.of(PortRange.parse(80));
        assertThatThrownBy(b::build)
                .hasMessage("rule ports: need protocol tcp, udp, sctp or udplite (protocol is not set)");
        b.protocol = "icmp";
        assertThatThrownBy(b::build).hasMessageContaining("protocol is icmp");
        b.protocol = "TCP";
        assertThat(b.build().protocol()).isEqualTo("tcp");
        Rule.Builder i = Rule.builder();
        i.icmpType = 8;
        assertThatThrownBy(i::build).hasMessageContaining("rule icmp type/code: need protocol icmp or icmpv6");
        i.protocol = "icmp";
        i.icmpType = 300;
        assertThatThrownBy(i::build).hasMessage("rule icmp_type: 300 (expected: 0..254)");
        Rule.Builder a = Rule.builder();
        a.action = "permit";
        assertThatThrownBy(a::build).hasMessage("rule action: \"permit\" (expected: allow, deny, log or next-tier)");
        Rule.Builder p = Rule.builder();
        p.protocol = "gre2";
        assertThatThrownBy(p::build).hasMessageContaining("rule protocol: \"gre2\"");
        Rule.Builder m = Rule.builder();
        m.srcNet = Cidr.parse("10.0.0.0/8");
        m.dstNet = Cidr.parse("2001:db8::/32");
        assertThatThrownBy(m::build).hasMessage("rule nets: IPv4 and IPv6 mixed in one rule");
        Rule.Builder v = Rule.builder(); // ICMP of the other IP version than the nets: can match nothing
        v.protocol = "icmp";
        v.icmpType = 0;
        v.dstNet = Cidr.parse("2001:db8::/32");
        assertThatThrownBy(v::build).hasMessage("rule protocol icmp: the rule's nets are IPv6 (expected: icmpv6)");
        v.protocol = "58";
        v.dstNet = Cidr.parse("10.0.0.0/8");
        assertThatThrownBy(v::build).hasMessage("rule protocol 58: the rule's nets are IPv4 (expected: icmp)");
        v.protocol = "icmpv6";
        v.dstNet = Cidr.parse("2001:db8::/32");
        assertThat(v.build().ipVersion()).isEqualTo(6);
        v.protocol = "icmp"; // without a type: ip6tables and nft take it (it matches nothing), as stored data may have
        v.icmpType = null;
        assertThat(v.build().ipVersion()).isEqualTo(6);
        assertThatThrownBy(() -> PortRange.parse("90:80")).hasMessage("port range: 90:80 (expected: low:high)");
        assertThatThrownBy(() -> PortRange.parse("70000")).hasMessage("port: 70000 (expected: 0..65535)");
    }

    @Test
    void numbersThatWouldWrapOrBeTruncatedAreRefusedNotRead() {
        // 4294967318 = 2^32 + 22 and 22.9 were read as port 22
        for (String ports : List.of("[4294967318]", "[22.9]", "[1e2]", "[99999999999999999999999]")) {
            assertThatThrownBy(() -> Json.read(
                            "{\"inbound_rules\":[{\"protocol\":\"tcp\",\"dst_ports\":" + ports + "}]}",
                            ProfileRules.class))
                    .as(ports)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> Json.read(
                        "{\"inbound_rules\":[{\"protocol\":\"icmp\",\"icmp_type\":3.7}]}", ProfileRules.class))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Json.read("{\"cidr\":\"10.1.0.0/16\",\"block_size\":26.5}", IpPool.class))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Json.read(
                                "{\"inbound_rules\":[{\"protocol\":\"tcp\",\"dst_ports\":[22,\"80:90\"]}]}",
                                ProfileRules.class)
                        .inboundRules()
                        .get(0)
                        .dstPorts())
                .containsExactly(PortRange.parse(22), PortRange.parse("80:90"));
    }

    @Test
    void protocolsOnlyAsTheToolsReadThem() {
        for (String bad : List.of("0", "010", "08", "+6", "\u0666", "0006", "256", "-1", " 6")) {
            Rule.Builder b = Rule.builder();
            b.protocol = bad;
            assertThatThrownBy(b::build).as(bad).hasMessageContaining("rule protocol:");
            Rule.Builder n = Rule.builder();
            n.notProtocol = bad;
            assertThatThrownBy(n::build).as("!" + bad).hasMessageContaining("rule protocol:");
        }
        for (String good : List.of("1", "6", "47", "255", "tcp", "UDP")) {
            Rule.Builder b = Rule.builder();
            b.protocol = good;
            assertThat(b.build().protocol()).isEqualTo(good.toLowerCase(java.util.Locale.ROOT));
        }
    }

    @Test
    void aNegatedIcmpCodeNeedsANegatedType() {
        assertThatThrownBy(() -> Json.read(
                        "{\"inbound_rules\":[{\"action\":\"allow\",\"protocol\":\"icmp\",\"icmp_type\":3,"
                                + "\"!icmp_code\":4}]}",
                        ProfileRules.class))
                .hasMessageContaining("rule !icmp_code: needs !icmp_type");
        Rule.Builder b = Rule.builder();
        b.protocol = "icmp";
        b.notIcmpType = 3;
        b.notIcmpCode = 4;
        assertThat(b.build().notIcmpCode()).isEqualTo(4);
    }
}
