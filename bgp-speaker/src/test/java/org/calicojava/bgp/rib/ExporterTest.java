package org.calicojava.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Set;
import org.calicojava.bgp.codec.AsPath;
import org.calicojava.bgp.codec.CodecOptions;
import org.calicojava.bgp.codec.Family;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.config.SpeakerConfig;
import org.calicojava.bgp.policy.RouteSource;
import org.calicojava.bgp.session.Negotiated;
import org.calicojava.bgp.yaml.SpeakerYamlLoader;
import org.junit.jupiter.api.Test;

/** Next hop self and AS_PATH of our originated routes toward an eBGP peer (moved from the session layer's old originator). */
class ExporterTest {
    static final String YAML = """
            routerId: 10.0.0.1
            asNumber: 65010
            neighbors:
              - {address: 10.0.0.2, asNumber: 65011, export: [all]}
            originate: ["2001:db8::/64", 10.1.0.0/16]
            policies: {all: [{action: accept}]}
            """;

    @Test
    void originatedIpv6OverIpv4SessionUsesAMappedNextHop() throws Exception {
        SpeakerConfig sc = SpeakerYamlLoader.parse(YAML).speaker();
        RoutingConfig rc = SpeakerYamlLoader.parse(YAML).routing();
        PeerInfo t = new PeerInfo(Ip.parse("10.0.0.2"));
        t.configure(rc.neighbor(t.address), rc);
        t.negotiated = new Negotiated(
                90,
                30,
                Set.of(Family.IPV4_UNICAST, Family.IPV6_UNICAST),
                CodecOptions.AS4,
                null,
                InetAddress.getByName("192.0.2.1"),
                true,
                false,
                false);
        Path local = new Path(
                null,
                RouteSource.STATIC,
                0,
                Rib.localAttrs(PathAttributes.ORIGIN_IGP),
                Rib.localAttrs(PathAttributes.ORIGIN_IGP),
                null,
                false);

        Advert v6 = Exporter.export(local, Prefix.parse("2001:db8::/64"), t, sc, rc);
        assertThat(Prefix.formatAddress(v6.nh6())).isEqualTo("::ffff:192.0.2.1");
        Advert v4 = Exporter.export(local, Prefix.parse("10.1.0.0/16"), t, sc, rc);
        assertThat(Ip.v4String(v4.attrs().nextHop())).isEqualTo("192.0.2.1");
        assertThat(v4.attrs().asPath()).isEqualTo(AsPath.sequence(65010));
    }
}
