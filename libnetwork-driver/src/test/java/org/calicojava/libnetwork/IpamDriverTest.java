package org.calicojava.libnetwork;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.calicojava.ipam.Ipam;
import org.calicojava.model.Cidr;
import org.junit.jupiter.api.Test;

class IpamDriverTest extends PluginFixture {
    @Test
    void capabilitiesAndAddressSpaces() {
        assertThat(ok("/IpamDriver.GetCapabilities", "")
                        .get("RequiresMACAddress")
                        .asBoolean())
                .isFalse();
        JsonNode spaces = ok("/IpamDriver.GetDefaultAddressSpaces", "null");
        assertThat(spaces.get("GlobalDefaultAddressSpace").asText()).isEqualTo("CalicoGlobalAddressSpace");
        assertThat(spaces.get("LocalDefaultAddressSpace").asText()).isEqualTo("CalicoLocalAddressSpace");
    }

    @Test
    void poolWithoutSubnetIsTheCalicoPseudoPoolWithADummyGateway() {
        pool("10.20.0.0/16", 26);
        JsonNode r = ok("/IpamDriver.RequestPool", "{\"AddressSpace\":\"CalicoGlobalAddressSpace\",\"V6\":false}");
        assertThat(r.get("PoolID").asText()).isEqualTo("CalicoPoolIPv4");
        assertThat(r.get("Pool").asText()).isEqualTo("0.0.0.0/0");
        assertThat(r.get("Data").get("com.docker.network.gateway").asText()).isEqualTo("0.0.0.0/0");
        assertThat(err(500, "/IpamDriver.RequestPool", "{\"V6\":true}")).contains("no enabled IPv6 pool");
        pool("fd00:20::/64", 122);
        JsonNode r6 = ok("/IpamDriver.RequestPool", "{\"V6\":true}");
        assertThat(r6.get("PoolID").asText()).isEqualTo("CalicoPoolIPv6");
        assertThat(r6.get("Data").get("com.docker.network.gateway").asText()).isEqualTo("::/0");
    }

    @Test
    void poolRequestsAreRefusedWithoutAMatchingPool() {
        assertThat(err(500, "/IpamDriver.RequestPool", "{}"))
                .contains("no enabled IPv4 pool")
                .contains("javactl pool add");
        pool("10.20.0.0/16", 26);
        assertThat(err(500, "/IpamDriver.RequestPool", "{\"Pool\":\"10.99.0.0/16\"}"))
                .isEqualTo("subnet 10.99.0.0/16 does not match any calico-java IP pool (pools: 10.20.0.0/16); "
                        + "--subnet must be a pool's exact CIDR, or add the pool: javactl pool add 10.99.0.0/16");
        assertThat(err(500, "/IpamDriver.RequestPool", "{\"Pool\":\"10.20.0.0/16\",\"SubPool\":\"10.20.1.0/24\"}"))
                .contains("--ip-range");
        assertThat(err(500, "/IpamDriver.RequestPool", "{\"Pool\":\"nonsense\"}"))
                .isEqualTo("subnet: IP address: \"nonsense\" is not an IPv4 or IPv6 address");
        store.put(keys.pools(4) + "10.30.0.0-16", "{\"cidr\":\"10.30.0.0/16\",\"disabled\":true}");
        assertThat(err(500, "/IpamDriver.RequestPool", "{\"Pool\":\"10.30.0.0/16\"}"))
                .isEqualTo("IP pool 10.30.0.0/16 is disabled");
    }

    @Test
    void subnetSelectsItsPoolAndAddressesAreHostsFromBlocksAffineToThisHost() {
        pool("10.20.0.0/16", 26);
        pool("10.40.0.0/16", 26);
        JsonNode p = ok("/IpamDriver.RequestPool", "{\"Pool\":\"10.40.0.0/16\"}");
        assertThat(p.get("PoolID").asText()).isEqualTo("10.40.0.0/16");
        assertThat(p.get("Pool").asText()).isEqualTo("10.40.0.0/16");
        String a = ok("/IpamDriver.RequestAddress", "{\"PoolID\":\"10.40.0.0/16\",\"Address\":\"\"}")
                .get("Address")
                .asText();
        String b = ok("/IpamDriver.RequestAddress", "{\"PoolID\":\"10.40.0.0/16\"}")
                .get("Address")
                .asText();
        assertThat(a).endsWith("/32").startsWith("10.40.");
        assertThat(b).endsWith("/32").startsWith("10.40.").isNotEqualTo(a);
        Ipam ipam = new Ipam(store, keys);
        assertThat(ipam.affinities(HOST, 4)).hasSize(1).allMatch(blk -> blk.contains(Cidr.parse(a)));
        assertThat(ipam.info(Cidr.parse(a)).assigned()).isTrue();
        assertThat(ipam.info(Cidr.parse(a)).attrs()).containsEntry("host", HOST);
    }

    @Test
    void aRequestedAddressIsAssignedOrRefused() {
        pool("10.20.0.0/16", 26);
        assertThat(ok("/IpamDriver.RequestAddress", "{\"PoolID\":\"CalicoPoolIPv4\",\"Address\":\"10.20.3.7\"}")
                        .get("Address")
                        .asText())
                .isEqualTo("10.20.3.7/32");
        assertThat(err(500, "/IpamDriver.RequestAddress", "{\"PoolID\":\"CalicoPoolIPv4\",\"Address\":\"10.20.3.7\"}"))
                .isEqualTo("10.20.3.7 is already assigned");
        assertThat(err(
                        500,
                        "/IpamDriver.RequestAddress",
                        "{\"PoolID\":\"CalicoPoolIPv4\",\"Address\":\"192.168.1.1\"}"))
                .isEqualTo("192.168.1.1 is not in any IP pool");
        assertThat(err(500, "/IpamDriver.RequestAddress", "{\"PoolID\":\"10.20.0.0/16\",\"Address\":\"10.21.0.1\"}"))
                .isEqualTo("address 10.21.0.1 is not in the network's pool 10.20.0.0/16");
        assertThat(err(
                        500,
                        "/IpamDriver.RequestAddress",
                        "{\"PoolID\":\"CalicoPoolIPv4\",\"Options\":"
                                + "{\"RequestAddressType\":\"com.docker.network.gateway\"}}"))
                .contains("drop --gateway");
    }

    @Test
    void anExhaustedPoolSaysSo() {
        pool("10.50.0.0/30", 30);
        for (int i = 0; i < 4; i++) {
            ok("/IpamDriver.RequestAddress", "{\"PoolID\":\"10.50.0.0/30\"}");
        }
        assertThat(err(500, "/IpamDriver.RequestAddress", "{\"PoolID\":\"10.50.0.0/30\"}"))
                .isEqualTo("IP pool 10.50.0.0/30 exhausted");
    }

    @Test
    void releaseFreesTheAddressAndIsIdempotent() {
        pool("10.20.0.0/16", 26);
        String a = ok("/IpamDriver.RequestAddress", "{\"PoolID\":\"CalicoPoolIPv4\"}")
                .get("Address")
                .asText();
        String ip = a.substring(0, a.indexOf('/'));
        ok("/IpamDriver.ReleaseAddress", "{\"PoolID\":\"CalicoPoolIPv4\",\"Address\":\"" + ip + "\"}");
        assertThat(new Ipam(store, keys).info(Cidr.host(ip)).assigned()).isFalse();
        ok("/IpamDriver.ReleaseAddress", "{\"PoolID\":\"CalicoPoolIPv4\",\"Address\":\"" + ip + "\"}");
        ok("/IpamDriver.ReleaseAddress", "{\"PoolID\":\"CalicoPoolIPv4\",\"Address\":\"0.0.0.0\"}");
        ok("/IpamDriver.ReleaseAddress", "{\"PoolID\":\"CalicoPoolIPv4\",\"Address\":\"192.168.9.9\"}");
        ok("/IpamDriver.ReleasePool", "{\"PoolID\":\"CalicoPoolIPv4\"}");
        assertThat(err(400, "/IpamDriver.ReleaseAddress", "{\"PoolID\":\"CalicoPoolIPv4\"}"))
                .isEqualTo("missing field Address");
    }

    @Test
    void ipv6AddressesAre128s() {
        pool("fd00:20::/64", 122);
        ok("/IpamDriver.RequestPool", "{\"V6\":true}");
        String a = ok("/IpamDriver.RequestAddress", "{\"PoolID\":\"CalicoPoolIPv6\"}")
                .get("Address")
                .asText();
        assertThat(a).startsWith("fd00:20::").endsWith("/128");
    }

    @Test
    void anUnreachableEtcdIsNamed() {
        pool("10.20.0.0/16", 26);
        store.down = true;
        assertThat(err(500, "/IpamDriver.RequestAddress", "{\"PoolID\":\"CalicoPoolIPv4\"}"))
                .startsWith("calico-java cannot reach etcd: ")
                .contains("unreachable");
    }

    @Test
    void releaseLeavesAnAllocationThisDriverDidNotMake() {
        pool("10.20.0.0/16", 26);
        Ipam ipam = new Ipam(store, keys);
        Cidr pod = ipam.assign(Cidr.host("10.20.0.5"), "cni.abc.eth0", Map.of("orchestrator", "cni"), HOST);
        Cidr ctl = ipam.assign(Cidr.host("10.20.0.6"), "javactl.web", Map.of(), HOST);
        Cidr otherHost = ipam.assign(
                Cidr.host("10.20.0.7"), null, Map.of("orchestrator", "libnetwork", "host", "host-b"), "host-b");
        for (Cidr ip : List.of(pod, ctl)) {
            JsonNode r =
                    ok("/IpamDriver.ReleaseAddress", "{\"PoolID\":\"CalicoPoolIPv4\",\"Address\":\"" + ip.ip() + "\"}");
            assertThat(r.size()).isZero();
            assertThat(ipam.info(ip).assigned()).as(ip + " still assigned").isTrue();
        }
        assertThat(ipam.info(pod).handle()).isEqualTo("cni.abc.eth0");
        assertThat(store.get(keys.ipamHandle("cni.abc.eth0"))).isPresent();
        assertThat(store.get(keys.ipamHandle("javactl.web"))).isPresent();
        String mine = ok("/IpamDriver.RequestAddress", "{\"PoolID\":\"CalicoPoolIPv4\"}")
                .get("Address")
                .asText();
        Cidr own = Cidr.host(mine.substring(0, mine.indexOf('/')));
        ok("/IpamDriver.ReleaseAddress", "{\"PoolID\":\"CalicoPoolIPv4\",\"Address\":\"" + own.ip() + "\"}");
        assertThat(ipam.info(own).assigned()).isFalse();
        // a Docker driver's address made under another host name (a renamed host, a global-scope network) is Docker's
        ok("/IpamDriver.ReleaseAddress", "{\"PoolID\":\"CalicoPoolIPv4\",\"Address\":\"" + otherHost.ip() + "\"}");
        assertThat(ipam.info(otherHost).assigned()).isFalse();
    }
}
