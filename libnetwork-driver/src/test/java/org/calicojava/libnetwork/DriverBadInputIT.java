package org.calicojava.libnetwork;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.calicojava.model.Keys;
import org.calicojava.netlink.NetNs;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Docker driver reading bad records from a real etcd (issue 14): a bad pool is skipped and the good ones still
 * serve; a bad IPAM block or endpoint record makes that one request answer {@code {"Err": "..."}} with the reason
 * (never a crash, never a half-done write), and the next good request still works.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DriverBadInputIT {
    static final String HOST = "bad-host";
    final String ns = "cj-lnx-"
            + Integer.toHexString(0x10000 + ThreadLocalRandom.current().nextInt(0xeffff));
    final Keys keys = new Keys("/cj-test-" + UUID.randomUUID());
    JetcdStore store;
    NetlinkDataplane dataplane;
    Plugin plugin;

    @BeforeAll
    void setUp() {
        String etcd = System.getenv("ETCD_ENDPOINTS");
        assertThat(etcd)
                .as("ETCD_ENDPOINTS (start etcd with scripts/lib/etcd.sh)")
                .isNotBlank();
        store = new JetcdStore(EtcdConfig.of(etcd));
        store.put(keys.pool(Cidr.parse("10.89.0.0/16")), "{\"cidr\":\"10.89.0.0/16\"}");
        NetNs.create(ns);
        dataplane = new NetlinkDataplane(ns);
        plugin = new Plugin(new NetworkDriver(store, keys, HOST, dataplane), new IpamDriver(store, keys, HOST));
    }

    @AfterAll
    void tearDown() {
        try {
            if (dataplane != null) {
                dataplane.close();
            }
        } finally {
            if (NetNs.exists(ns)) {
                NetNs.delete(ns);
            }
            if (store != null) {
                store.deletePrefix(keys.root() + "/");
                store.close();
            }
        }
    }

    Plugin.Response call(String path, String body) {
        return plugin.handle("POST", path, body.getBytes(StandardCharsets.UTF_8));
    }

    String address() {
        Plugin.Response r = call("/IpamDriver.RequestAddress", "{\"PoolID\":\"CalicoPoolIPv4\",\"Address\":\"\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return Json.read(r.body(), JsonNode.class).get("Address").asText();
    }

    @Test
    void badPoolsAreSkippedAndTheGoodOneServes() {
        List<String> bad = List.of(
                "null",
                "{",
                "[]",
                "\"x\"",
                "{\"cidr\":\"10.31.0.0/16\",\"block_size\":99}",
                "{\"cidr\":\"10.31.0.0/16;\\n}\"}",
                "{\"cidr\":\"0.0.0.0/0\",\"ipip\":\"yes please\"}",
                "\u0000\u00ff\u00fe");
        for (String value : bad) {
            store.put(keys.pools(4) + "10.31.0.0-16", value);
            Plugin.Response pool =
                    call("/IpamDriver.RequestPool", "{\"AddressSpace\":\"CalicoGlobalAddressSpace\",\"V6\":false}");
            assertThat(pool.status()).as(value + ": " + pool.body()).isEqualTo(200);
            assertThat(Cidr.parse(address()))
                    .as(value)
                    .matches(a -> Cidr.parse("10.89.0.0/16").contains(a));
        }
    }

    @Test
    void aCorruptBlockIsAnErrForThatRequestOnly() {
        String a = address();
        Cidr ip = Cidr.parse(a);
        Cidr block = Cidr.parse(ip.ip() + "/26", false);
        String key = keys.ipamBlock(block);
        String good = store.get(key).orElseThrow().value();
        for (String value : List.of(
                "null",
                "{\"cidr\":\"" + block + "\",\"allocations\":[0],\"attributes\":[]}",
                "{\"cidr\":\"" + block + "\",\"affinity\":\"host:a\\nb\"}",
                "{\"cidr\":\"10.89.0.0/8\"}")) {
            store.put(key, value);
            Plugin.Response r = call(
                    "/IpamDriver.ReleaseAddress", "{\"PoolID\":\"CalicoPoolIPv4\",\"Address\":\"" + ip.ip() + "\"}");
            assertThat(r.status()).as(value + ": " + r.body()).isGreaterThanOrEqualTo(400);
            assertThat(r.body()).startsWith("{\"Err\":").doesNotContain("\\n");
            assertThat(store.get(key).orElseThrow().value())
                    .as("nothing written over the bad block")
                    .isEqualTo(value);
        }
        store.put(key, good);
        Plugin.Response released =
                call("/IpamDriver.ReleaseAddress", "{\"PoolID\":\"CalicoPoolIPv4\",\"Address\":\"" + ip.ip() + "\"}");
        assertThat(released.status()).as(released.body()).isEqualTo(200);
    }

    @Test
    void aBadEndpointRecordIsAnErrOnJoin() {
        String ep = PluginFixture.dockerId();
        String key = keys.endpoint(HOST, "libnetwork", "libnetwork", ep);
        for (String value :
                List.of("null", "{\"name\":\"cali;x\"}", "{\"name\":\"cali1\",\"ipv4_nets\":[\"0.0.0.0/0\"]}")) {
            store.put(key, value);
            Plugin.Response r = call(
                    "/NetworkDriver.Join",
                    "{\"NetworkID\":\"" + PluginFixture.NET + "\",\"EndpointID\":\"" + ep
                            + "\",\"SandboxKey\":\"/x\",\"Options\":{}}");
            assertThat(r.status()).as(value + ": " + r.body()).isGreaterThanOrEqualTo(400);
            assertThat(r.body()).startsWith("{\"Err\":");
        }
        assertThat(dataplane.exists(NetworkDriver.hostInterface(ep)))
                .as("no veth made for a refused endpoint")
                .isFalse();
    }

    @Test
    void releaseAddressLeavesAnotherOrchestratorsAddressAssigned() {
        org.calicojava.ipam.Ipam ipam = new org.calicojava.ipam.Ipam(store, keys);
        Cidr pod =
                ipam.assign(Cidr.host("10.89.200.5"), "cni.pod1.eth0", java.util.Map.of("orchestrator", "cni"), HOST);
        Cidr ctl = ipam.assign(Cidr.host("10.89.200.6"), "javactl.web", java.util.Map.of(), HOST);
        for (Cidr ip : List.of(pod, ctl)) {
            Plugin.Response r = call(
                    "/IpamDriver.ReleaseAddress", "{\"PoolID\":\"CalicoPoolIPv4\",\"Address\":\"" + ip.ip() + "\"}");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(ipam.info(ip).assigned())
                    .as(ip + " still assigned in etcd")
                    .isTrue();
        }
        assertThat(store.get(keys.ipamHandle("cni.pod1.eth0"))).isPresent();
        ipam.releaseByHandle("cni.pod1.eth0");
        ipam.releaseByHandle("javactl.web");
    }

    @Test
    void aJoinWithABadSandboxKeyMakesNoVeth() {
        String ep = PluginFixture.dockerId();
        String a = address();
        String net = "netbad" + ep.substring(0, 8);
        store.put(
                keys.endpoint(HOST, "libnetwork", "libnetwork", ep),
                "{\"state\":\"active\",\"name\":\"" + NetworkDriver.hostInterface(ep)
                        + "\",\"mac\":\"ee:ee:ee:ee:ee:ee\",\"profile_ids\":[\"" + net + "\"],\"ipv4_nets\":[\"" + a
                        + "\"],\"ipv6_nets\":[]}");
        Plugin.Response r = call("/NetworkDriver.Join", "{\"EndpointID\":\"" + ep + "\",\"SandboxKey\":42}");
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.body()).startsWith("{\"Err\":");
        assertThat(dataplane.exists(NetworkDriver.hostInterface(ep)))
                .as("no veth left")
                .isFalse();
        assertThat(dataplane.exists(NetworkDriver.tempInterface(ep))).isFalse();
    }
}
