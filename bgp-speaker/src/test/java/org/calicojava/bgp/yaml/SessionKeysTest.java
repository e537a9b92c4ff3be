package org.calicojava.bgp.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.calicojava.bgp.codec.AddPathMode;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.config.ConfigException;
import org.calicojava.bgp.config.MaxPrefixes;
import org.calicojava.bgp.config.NeighborConfig;
import org.calicojava.bgp.config.SpeakerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SessionKeysTest {
    static final String FULL = """
            routerId: 127.0.0.10
            asNumber: 65010
            listen: {address: 127.0.0.10, port: 179}
            holdTime: 90
            neighbors:
              - address: 127.0.0.11
                asNumber: 65011
                passive: false
                password: s3cret
                holdTime: 30
                ttlSecurity: 1
                addPath: receive
                gracefulRestart: {restartTime: 120}
              - {address: "2001:db8::2", asNumber: "1.10", passive: true}
            originate: [10.20.0.0/24, "2001:db8:20::/64"]
            """;

    @Test
    void theIssuesExampleLoads() {
        SpeakerConfig c = SpeakerYamlLoader.parse(FULL).speaker();
        assertThat(c.routerId()).isEqualTo(Ip.v4Int("127.0.0.10"));
        assertThat(c.asNumber()).isEqualTo(65010);
        assertThat(c.listenPort()).isEqualTo(179);
        NeighborConfig n = c.neighbors().get(0);
        assertThat(n.password()).isEqualTo("s3cret");
        assertThat(n.holdTime()).isEqualTo(30);
        assertThat(n.ttlSecurity()).isEqualTo(1);
        assertThat(n.addPath()).isEqualTo(AddPathMode.RECEIVE);
        assertThat(n.restartTime()).isEqualTo(120);
        assertThat(n.port()).isEqualTo(179);
        NeighborConfig m = c.neighbors().get(1);
        assertThat(m.asNumber()).isEqualTo(65546); // asdot 1.10
        assertThat(m.holdTime()).isEqualTo(90); // the global default
        assertThat(m.passive()).isTrue();
        assertThat(m.restartTime()).isEqualTo(-1);
        assertThat(c.originate()).containsExactly(Prefix.parse("10.20.0.0/24"), Prefix.parse("2001:db8:20::/64"));
    }

    @Test
    void unquotedAsdotKeepsItsTrailingZero() {
        assertThat(SpeakerYamlLoader.parse("routerId: 1.2.3.4\nasNumber: 1.10\n")
                        .speaker()
                        .asNumber())
                .isEqualTo(65546);
    }

    @Test
    void noListenMeansActiveOnly() {
        SpeakerConfig c =
                SpeakerYamlLoader.parse("routerId: 1.2.3.4\nasNumber: 1\n").speaker();
        assertThat(c.listenPort()).isZero();
        assertThat(c.neighbors()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "holdTime: 2|holdTime: 2 (expected: 0 or 3..65535)",
                "asNumber: 0|asNumber: 0 (expected: 1..4294967295)",
                "asNumber: 4294967296|asNumber: 4294967296 (expected: 1..4294967295)",
                "asNumber: 1.70000|asNumber: 1.70000 (expected: an AS number, asplain like 65010 or asdot like 1.10)",
                "routerId: 2001:db8::1|routerId: 2001:db8::1 (expected: an IPv4 address)",
                "routerId: banana|routerId: banana (expected: an IPv4 or IPv6 literal)",
                "listen: {address: 127.0.0.1, port: 70000}|listen.port: 70000 (expected: 0..65535)",
                "originate: [10.0.0.0/33]|originate[0]: 10.0.0.0/33 (expected: length 0..32)",
                "holdTimer: 30|holdTimer: unknown key (expected one of: alwaysCompareMed, asNumber, connectRetryTime, controlSocket, holdTime, idleHoldTime, kernel, listen, maxStaleRoutesTime, metrics, multipath, neighbors, nextHop, originate, policies, routeReflector, routerId)",
            })
    void invalidTopLevelValuesNameTheirKey(String line, String message) {
        String yaml = "routerId: 127.0.0.10\nasNumber: 65010\n" + line + "\n";
        String key = line.substring(0, line.indexOf(':'));
        String cleaned = yaml.lines()
                .filter(l -> !l.startsWith(key + ":") || l.equals(line))
                .reduce("", (a, b) -> a + b + "\n");
        assertThatThrownBy(() -> SpeakerYamlLoader.parse(cleaned).speaker())
                .isInstanceOf(ConfigException.class)
                .hasMessage(message);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{address: 127.0.0.11, asNumber: 65011, holdTime: 1}|neighbors[0].holdTime: 1 (expected: 0 or 3..65535)",
                "{asNumber: 65011}|neighbors[0].address: missing",
                "{address: 127.0.0.11}|neighbors[0].asNumber: missing",
                "{address: 127.0.0.11, asNumber: 65011, addPath: sometimes}|neighbors[0].addPath: sometimes (expected: receive, send or both)",
                "{address: 127.0.0.11, asNumber: 65011, passive: maybe}|neighbors[0].passive: maybe (expected: true or false)",
                "{address: 127.0.0.11, asNumber: 65011, ttlSecurity: 255}|neighbors[0].ttlSecurity: 255 (expected: 1..254)",
                "{address: 127.0.0.11, asNumber: 65011, gracefulRestart: {restartTime: 5000}}|neighbors[0].gracefulRestart.restartTime: 5000 (expected: 0..4095)",
                "{address: 127.0.0.11, asNumber: 65011, gracefulRestart: {notification: maybe}}|neighbors[0].gracefulRestart.notification: maybe (expected: true or false)",
                "{address: 127.0.0.11, asNumber: 65011, gracefulRestart: {nbit: true}}|neighbors[0].gracefulRestart.nbit: unknown key (expected one of: notification, restartTime)",
                "{address: 127.0.0.11, asNumber: 65011, colour: red}|neighbors[0].colour: unknown key (expected one of: addPath, address, allowOwnAs, asNumber, bfd, export, gracefulRestart, holdTime, import, maxPrefixes, nextHop, passive, password, port, rrClient, ttlSecurity)",
                "{address: 127.0.0.11, asNumber: 65011, maxPrefixes: {action: stop}}|neighbors[0].maxPrefixes.limit: missing",
                "{address: 127.0.0.11, asNumber: 65011, maxPrefixes: {limit: 0}}|neighbors[0].maxPrefixes.limit: 0 (expected: 1..100000000)",
                "{address: 127.0.0.11, asNumber: 65011, maxPrefixes: {limit: many}}|neighbors[0].maxPrefixes.limit: many (expected: an integer 1..100000000)",
                "{address: 127.0.0.11, asNumber: 65011, maxPrefixes: {limit: 5, action: panic}}|neighbors[0].maxPrefixes.action: panic (expected: stop, warn or drop)",
                "{address: 127.0.0.11, asNumber: 65011, maxPrefixes: {limit: 5, restartAfter: soon}}|neighbors[0].maxPrefixes.restartAfter: soon (expected: a duration like 60s, 2m or 1h)",
                "{address: 127.0.0.11, asNumber: 65011, maxPrefixes: {limit: 5, restartAfter: 2d}}|neighbors[0].maxPrefixes.restartAfter: 2d (expected: a duration like 60s, 2m or 1h)",
                "{address: 127.0.0.11, asNumber: 65011, maxPrefixes: {limit: 5, restartAfter: 25h}}|neighbors[0].maxPrefixes.restartAfter: 90000s (expected: 0s..86400s)",
                "{address: 127.0.0.11, asNumber: 65011, maxPrefixes: {limit: 5, shout: true}}|neighbors[0].maxPrefixes.shout: unknown key (expected one of: action, limit, restartAfter)",
                "{address: 127.0.0.300, asNumber: 65011}|neighbors[0].address: 127.0.0.300 (expected: an IPv4 or IPv6 literal)",
            })
    void invalidNeighborsNameTheirKey(String neighbor, String message) {
        String yaml = "routerId: 127.0.0.10\nasNumber: 65010\nneighbors:\n  - " + neighbor + "\n";
        assertThatThrownBy(() -> SpeakerYamlLoader.parse(yaml).speaker())
                .isInstanceOf(ConfigException.class)
                .hasMessage(message);
    }

    /** RFC 8538's N bit: off unless {@code notification: true} (a hold-timer expiry keeps flushing at once). */
    @Test
    void gracefulRestartNotificationDefaultsToOff() {
        String yaml = "routerId: 127.0.0.10\nasNumber: 65010\nneighbors:\n"
                + "  - {address: 127.0.0.11, asNumber: 65011, gracefulRestart: {restartTime: 90}}\n"
                + "  - {address: 127.0.0.12, asNumber: 65011, gracefulRestart: {restartTime: 120, notification: true}}\n";
        SpeakerConfig c = SpeakerYamlLoader.parse(yaml).speaker();
        assertThat(c.neighbors().get(0).grNotification()).isFalse();
        assertThat(c.neighbors().get(1).grNotification()).isTrue();
        assertThat(c.neighbors().get(1).restartTime()).isEqualTo(120);
    }

    @Test
    void maxPrefixesDefaultsToStopAfter60s() {
        String yaml =
                "routerId: 127.0.0.10\nasNumber: 65010\nneighbors:\n  - {address: 127.0.0.11, asNumber: 65011, maxPrefixes: {limit: 1000}}\n"
                        + "  - {address: 127.0.0.12, asNumber: 65011, maxPrefixes: {limit: 5, action: drop, restartAfter: 2m}}\n";
        SpeakerConfig c = SpeakerYamlLoader.parse(yaml).speaker();
        assertThat(c.neighbors().get(0).maxPrefixes()).isEqualTo(new MaxPrefixes(1000, MaxPrefixes.Action.STOP, 60));
        assertThat(c.neighbors().get(1).maxPrefixes()).isEqualTo(new MaxPrefixes(5, MaxPrefixes.Action.DROP, 120));
    }

    @Test
    void passiveNeighbourNeedsAListenPort() {
        String yaml =
                "routerId: 127.0.0.10\nasNumber: 65010\nneighbors:\n  - {address: 10.0.0.1, asNumber: 1, passive: true}\n";
        assertThatThrownBy(() -> SpeakerYamlLoader.parse(yaml).speaker())
                .hasMessage("neighbors[0].passive: true (expected: a listen port to accept its connection)");
    }

    @Test
    void duplicateNeighbourIsRefused() {
        String yaml =
                "routerId: 127.0.0.10\nasNumber: 65010\nneighbors:\n  - {address: 10.0.0.1, asNumber: 1}\n  - {address: 10.0.0.1, asNumber: 2}\n";
        assertThatThrownBy(() -> SpeakerYamlLoader.parse(yaml).speaker())
                .hasMessage("neighbors[1].address: 10.0.0.1 (expected: each neighbour once)");
    }

    @Test
    void brokenYamlIsOneLine() {
        assertThatThrownBy(() -> SpeakerYamlLoader.parse("routerId: [unclosed").speaker())
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("config: not valid YAML")
                .hasMessageNotContaining("\n\tat ");
    }
}
