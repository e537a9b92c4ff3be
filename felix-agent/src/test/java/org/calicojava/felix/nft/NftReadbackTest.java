package org.calicojava.felix.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code nft -j list table} output (as nft 1.0.6 prints it) to the state drift is computed against. */
class NftReadbackTest {
    static final String JSON = """
            {"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}},
             {"table": {"family": "inet", "name": "calico", "handle": 1}},
             {"set": {"family": "inet", "name": "cali4-t-a", "table": "calico", "type": "ipv4_addr", "handle": 1,
               "flags": ["interval"], "elem": ["10.0.0.1", {"prefix": {"addr": "10.1.0.0", "len": 16}},
               {"range": ["10.2.0.1", "10.2.0.9"]}]}},
             {"set": {"family": "inet", "name": "cali4-s-empty", "table": "calico", "type": "ipv4_addr", "handle": 2}},
             {"map": {"family": "inet", "name": "cali-from-wl-map", "table": "calico", "type": "ifname", "handle": 3,
               "map": "verdict", "elem": [["cali1", {"goto": {"target": "cali-fw-cali1"}}],
               ["cali2", {"jump": {"target": "cali-fw-cali2"}}]]}},
             {"chain": {"family": "inet", "table": "calico", "name": "cali-fw-cali1", "handle": 3}},
             {"chain": {"family": "inet", "table": "calico", "name": "cali-empty", "handle": 4}},
             {"rule": {"family": "inet", "table": "calico", "chain": "cali-fw-cali1", "handle": 6, "comment": "cali:abc",
               "expr": [{"accept": null}]}},
             {"rule": {"family": "inet", "table": "calico", "chain": "cali-fw-cali1", "handle": 7,
               "expr": [{"drop": null}]}},
             {"rule": {"family": "inet", "table": "calico", "chain": "cali-fw-cali1", "handle": 8, "comment": "cali:def",
               "expr": [{"drop": null}]}}]}
            """;

    @Test
    void readsChainsHashesSetsAndMaps() {
        NftState st = NftReadback.parse(JSON);
        assertThat(st.chains())
                .containsEntry("cali-fw-cali1", List.of("abc", "", "def"))
                .containsEntry("cali-empty", List.of());
        assertThat(st.handles().get("cali-fw-cali1"))
                .as("rule handles, in rule order")
                .containsExactly(6, 7, 8);
        assertThat(st.sets())
                .containsEntry("cali4-t-a", Set.of("10.0.0.1", "10.1.0.0/16", "10.2.0.1-10.2.0.9"))
                .containsEntry("cali4-s-empty", Set.of());
        assertThat(st.maps().get("cali-from-wl-map"))
                .containsEntry("cali1", "cali-fw-cali1")
                .doesNotContainEntry("cali2", "cali-fw-cali2");
    }

    @Test
    void aNetlinkReadBackKeepsOnlyHandlesTheKernelCouldHaveGiven() {
        NftState st = NftReadback.from(new org.calicojava.netlink.NftTable(
                "calico",
                Map.of("cali-a", List.of("cali:a1", "cali:a2"), "cali-b", List.of("cali:b1", "cali:b2")),
                Map.of(),
                Map.of("cali-a", new long[] {4, 5}, "cali-b", new long[] {6, 0})));
        assertThat(st.chains())
                .containsEntry("cali-a", List.of("a1", "a2"))
                .containsEntry("cali-b", List.of("b1", "b2"));
        assertThat(st.handles().get("cali-a")).containsExactly(4, 5);
        assertThat(st.handles()).as("a handle of 0: that chain's are unknown").doesNotContainKey("cali-b");
    }

    @Test
    void driftNamesWhatChangedOrWentMissing() {
        NftState mine = NftReadback.parse(JSON);
        NftState read = NftReadback.parse(JSON.replace("\"comment\": \"cali:def\",", "")
                .replace(
                        "{\"chain\": {\"family\": \"inet\", \"table\": \"calico\", \"name\": \"cali-empty\", \"handle\": 4}},",
                        ""));
        assertThat(NftBackend.drift(mine, read))
                .containsExactlyInAnyOrder("chain cali-fw-cali1", "chain cali-empty (deleted)");
        assertThat(NftBackend.drift(mine, NftReadback.parse(JSON))).isEmpty();
    }

    @Test
    void badOutputIsAOneLineError() {
        assertThatThrownBy(() -> NftReadback.parse("Error: nope"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("nft -j output: not JSON:")
                .hasMessageNotContaining("\n");
    }
}
