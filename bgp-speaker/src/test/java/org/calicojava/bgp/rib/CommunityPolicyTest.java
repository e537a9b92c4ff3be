package org.calicojava.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.calicojava.bgp.codec.AsPath;
import org.calicojava.bgp.codec.PathAttributes;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.session.Await;
import org.calicojava.testing.Ports;
import org.junit.jupiter.api.Test;

/**
 * Policies matching and setting communities (RFC 1997) and large communities (RFC 8092), end to end over TCP on
 * 127.0.62.x: a {@link WirePeer} in AS 65001 sends routes into speaker S (AS 65000), S's import and export policies match
 * and rewrite, and a second {@link WirePeer} in AS 65002 decodes what S actually sends it.
 */
class CommunityPolicyTest {
    static final Duration T = Duration.ofSeconds(30);
    final int port = Ports.free();
    final String net = "127.0.62.";

    static final String POLICIES = """
            policies:
              imp:
                - match: {largeCommunities: ["65001:2:2"]}
                  action: reject
                - match: {largeCommunities: ["65001:1:1"], communities: ["65001:10"]}
                  action: accept
                  set: {largeCommunities: {remove: ["65001:1:1"], add: ["65000:100:1"]}, communities: {remove: ["65001:9"], add: ["65000:7"]}}
                - match: {largeCommunities: ["4200000000:5:6"]}
                  action: accept
                  set: {largeCommunities: {add: ["4294967295:1:2"]}}
                - action: accept
              exp:
                - match: {largeCommunities: ["65000:100:1"]}
                  action: accept
                  set: {largeCommunities: {add: ["65000:200:2"]}}
                - match: {largeCommunities: ["4294967295:1:2", "4200000000:5:6"]}
                  action: accept
                - action: reject
            """;

    static List<String> large(PathAttributes a) {
        List<String> out = new ArrayList<>();
        int[] l = a.largeCommunities();
        if (l != null) {
            for (int i = 0; i < l.length; i += 3) {
                out.add(Integer.toUnsignedString(l[i]) + ":" + Integer.toUnsignedString(l[i + 1]) + ":"
                        + Integer.toUnsignedString(l[i + 2]));
            }
        }
        return out;
    }

    static List<String> standard(PathAttributes a) {
        List<String> out = new ArrayList<>();
        if (a.communities() != null) {
            for (int c : a.communities()) {
                out.add((c >>> 16) + ":" + (c & 0xffff));
            }
        }
        return out;
    }

    static int community(int as, int v) {
        return as << 16 | v;
    }

    @Test
    void largeAndStandardCommunitiesMatchedAndSetOnTheWire() throws Exception {
        String s = net + 1;
        String yaml = Node.yaml(
                s,
                65000,
                port,
                List.of(
                        "{address: " + net + 2 + ", asNumber: 65001, passive: true, import: [imp]}",
                        "{address: " + net + 3 + ", asNumber: 65002, passive: true, export: [exp]}"),
                POLICIES);
        try (Node speaker = new Node(s, port, yaml);
                WirePeer in = new WirePeer(net + 2, 65001, s, port, false);
                WirePeer out = new WirePeer(net + 3, 65002, s, port, false)) {
            Await.until(
                    "both sessions up",
                    T,
                    () -> in.established() && out.established() && speaker.up(net + 2) && speaker.up(net + 3));
            PathAttributes base = PathAttributes.builder()
                    .origin(0)
                    .asPath(AsPath.sequence(65001))
                    .nextHop(net + 2)
                    .build();
            in.announce(base.toBuilder().largeCommunities(65001, 2, 2).build(), "10.62.2.0/24");
            in.announce(
                    base.toBuilder()
                            .largeCommunities(65001, 1, 1, 65001, 3, 3)
                            .communities(community(65001, 9), community(65001, 10))
                            .build(),
                    "10.62.1.0/24");
            in.announce(
                    base.toBuilder().largeCommunities((int) 4200000000L, 5, 6).build(), "10.62.3.0/24");
            in.announce(base.toBuilder().largeCommunities(65001, 4, 4).build(), "10.62.4.0/24");
            in.announce(
                    base.toBuilder()
                            .largeCommunities(65001, 1, 1)
                            .communities(community(65001, 9))
                            .build(),
                    "10.62.5.0/24");

            // last, a route exported as it is: once OUT has it, S has sent everything it decided before (one TCP
            // stream, in order)
            in.announce(base.toBuilder().largeCommunities(65000, 100, 1).build(), "10.62.9.0/24");
            Await.until(
                    "OUT received the marker route",
                    T,
                    () -> out.route("10.62.9.0/24") != null,
                    () -> out.routes + speaker.rib.showRoute(null, true));
            assertThat(out.routes.keySet())
                    .extracting(Prefix::toString)
                    .containsExactlyInAnyOrder("10.62.1.0/24", "10.62.3.0/24", "10.62.9.0/24");

            // import matched 65001:1:1 and 65001:10: large community replaced, standard 65001:9 removed and 65000:7
            // added
            PathAttributes one = out.route("10.62.1.0/24").attrs();
            assertThat(large(one))
                    .containsExactlyInAnyOrder("65001:3:3", "65000:100:1", "65000:200:2"); // export added 65000:200:2
            assertThat(standard(one)).containsExactlyInAnyOrder("65001:10", "65000:7");
            assertThat(one.asPath()).isEqualTo(AsPath.sequence(65000, 65001));
            assertThat(out.route("10.62.1.0/24").nextHop()).isEqualTo(s);
            // 4-octet global administrator above 2^31: matched, and one added
            assertThat(large(out.route("10.62.3.0/24").attrs()))
                    .containsExactlyInAnyOrder("4200000000:5:6", "4294967295:1:2");
            // rejected on import by its large community: filtered at S, never sent
            assertThat(speaker.rib.showRoute(Prefix.parse("10.62.2.0/24"), true))
                    .contains("filtered from " + net + 2);
            assertThat(out.route("10.62.2.0/24")).isNull();
            // accepted on import (last term) but no export term matches its large community: best at S, not sent
            assertThat(speaker.best("10.62.4.0/24")).isNotNull();
            assertThat(out.route("10.62.4.0/24")).isNull();
            // the 65001:1:1 term also needs 65001:10: not matched, so the catch-all accepts it unchanged, and export
            // rejects it
            assertThat(large(speaker.best("10.62.5.0/24").attrs)).containsExactly("65001:1:1");
            assertThat(standard(speaker.best("10.62.5.0/24").attrs)).containsExactly("65001:9");
            assertThat(out.route("10.62.5.0/24")).isNull();

            // IN's route changes: the large community that made it exportable goes, so S withdraws it from OUT
            in.announce(
                    base.toBuilder()
                            .largeCommunities(65001, 3, 3)
                            .communities(community(65001, 10))
                            .build(),
                    "10.62.1.0/24");
            Await.until("withdrawn at OUT", T, () -> out.route("10.62.1.0/24") == null, () -> out.routes.toString());
            assertThat(out.route("10.62.3.0/24")).isNotNull();
            assertThat(out.error).isNull();
        }
    }
}
