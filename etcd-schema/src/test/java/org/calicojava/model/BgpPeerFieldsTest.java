package org.calicojava.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The optional BGP peer fields of issue 22: password, accept_default, max_prefixes; the mesh password. */
class BgpPeerFieldsTest {
    @Test
    void optionalFieldsRoundTripAndAreOmittedWhenUnset() {
        assertThat(Json.write(new BgpPeer("192.0.2.254", "65000")))
                .isEqualTo("{\"ip\":\"192.0.2.254\",\"as_num\":\"65000\"}");
        BgpPeer p = new BgpPeer("192.0.2.254", "65000", "s3cret pw", true, new BgpMaxPrefixes(1000, "drop", 30));
        String json = Json.write(p);
        assertThat(json)
                .isEqualTo(
                        "{\"ip\":\"192.0.2.254\",\"as_num\":\"65000\",\"password\":\"s3cret pw\","
                                + "\"accept_default\":true,\"max_prefixes\":{\"limit\":1000,\"action\":\"drop\",\"restart_after_s\":30}}");
        assertThat(Json.read(json, BgpPeer.class)).isEqualTo(p);
        assertThat(p.toString()).doesNotContain("s3cret").contains("password=set");
        assertThat(new BgpPeer("192.0.2.254", "65000", null, false, null).acceptDefault())
                .isNull();
    }

    @Test
    void gracefulRestartNotificationIsWrittenOnlyWhenOn() {
        BgpPeer on = new BgpPeer("192.0.2.254", "65000", null, null, null, true);
        assertThat(Json.write(on))
                .isEqualTo("{\"ip\":\"192.0.2.254\",\"as_num\":\"65000\",\"graceful_restart_notification\":true}");
        assertThat(Json.read(Json.write(on), BgpPeer.class)).isEqualTo(on);
        assertThat(on.keepsRoutesThroughNotification()).isTrue();
        assertThat(on.toString()).contains("gracefulRestartNotification=true");
        BgpPeer off = Json.read(
                "{\"ip\":\"192.0.2.254\",\"as_num\":\"65000\",\"graceful_restart_notification\":false}", BgpPeer.class);
        assertThat(off).isEqualTo(new BgpPeer("192.0.2.254", "65000"));
        assertThat(Json.write(off)).doesNotContain("graceful");
        assertThatThrownBy(() -> Json.read(
                        "{\"ip\":\"10.0.0.1\",\"as_num\":\"65000\",\"graceful_restart_notification\":\"maybe\"}",
                        BgpPeer.class))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void maxPrefixesAsANumberOrAnObject() {
        BgpPeer n = Json.read("{\"ip\":\"10.0.0.1\",\"as_num\":\"65000\",\"max_prefixes\":500}", BgpPeer.class);
        assertThat(n.maxPrefixes()).isEqualTo(new BgpMaxPrefixes(500, "stop", 60));
        BgpPeer o =
                Json.read("{\"ip\":\"10.0.0.1\",\"as_num\":\"65000\",\"max_prefixes\":{\"limit\":7}}", BgpPeer.class);
        assertThat(o.maxPrefixes()).isEqualTo(new BgpMaxPrefixes(7, "stop", 60));
        assertThatThrownBy(
                        () -> Json.read("{\"ip\":\"10.0.0.1\",\"as_num\":\"65000\",\"max_prefixes\":0}", BgpPeer.class))
                .hasMessageContaining("max_prefixes limit: 0 (expected: 1..100000000)");
        assertThatThrownBy(() -> Json.read(
                        "{\"ip\":\"10.0.0.1\",\"as_num\":\"65000\",\"max_prefixes\":{\"limit\":5,"
                                + "\"action\":\"explode\"}}",
                        BgpPeer.class))
                .hasMessageContaining("max_prefixes action: ");
        assertThatThrownBy(() -> new BgpMaxPrefixes(5, "stop", 86_401))
                .hasMessage("max_prefixes restart_after_s: 86401 (expected: 0..86400)");
    }

    @Test
    void passwordsThatBirdOrYamlCannotCarryAreRefusedWithoutEchoingThem() {
        assertThatThrownBy(() -> new BgpPeer("10.0.0.1", "65000", "ab\"cd", null, null))
                .hasMessage("password: contains '\"' at position 3 (expected: printable ASCII without \" and \\)");
        assertThatThrownBy(() -> new BgpPeer("10.0.0.1", "65000", "ab\\cd", null, null))
                .hasMessageContaining("contains '\\' at position 3");
        assertThatThrownBy(() -> new BgpPeer("10.0.0.1", "65000", "ab\ncd", null, null))
                .hasMessage(
                        "password: contains character U+000A at position 3 (expected: printable ASCII without \" and \\)");
        assertThatThrownBy(() -> new BgpPeer("10.0.0.1", "65000", "x".repeat(81), null, null))
                .hasMessage("password: 81 characters (expected: 1..80)");
        assertThatThrownBy(() -> Json.read("{\"enabled\":true,\"password\":\"\"}", NodeMesh.class))
                .hasMessageContaining("password: 0 characters");
        NodeMesh m = Json.read("{\"enabled\":true,\"password\":\"mesh-pw\"}", NodeMesh.class);
        assertThat(m.password()).isEqualTo("mesh-pw");
        assertThat(m.toString()).doesNotContain("mesh-pw");
        assertThat(Json.write(new NodeMesh(false))).isEqualTo("{\"enabled\":false}");
    }
}
