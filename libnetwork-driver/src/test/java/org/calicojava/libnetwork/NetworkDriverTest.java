package org.calicojava.libnetwork;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.calicojava.model.Json;
import org.calicojava.model.ProfileRules;
import org.calicojava.model.WorkloadEndpoint;
import org.calicojava.netlink.NoSuchDeviceException;
import org.junit.jupiter.api.Test;

class NetworkDriverTest extends PluginFixture {
    static final String CREATE_NET = "{\"NetworkID\":\"" + NET + "\",\"Options\":{\"com.docker.network.generic\":{}},"
            + "\"IPv4Data\":[{\"AddressSpace\":\"CalicoGlobalAddressSpace\",\"Pool\":\"0.0.0.0/0\",\"Gateway\":\"0.0.0.0/0\"}]}";
    static final String CREATE_EP = "{\"NetworkID\":\"" + NET + "\",\"EndpointID\":\"" + EP + "\","
            + "\"Interface\":{\"Address\":\"10.20.0.5/32\",\"AddressIPv6\":\"\",\"MacAddress\":\"\"},\"Options\":{}}";
    static final String EP_REQ = "{\"NetworkID\":\"" + NET + "\",\"EndpointID\":\"" + EP + "\"}";

    String endpointKey() {
        return keys.endpoint(HOST, "libnetwork", "libnetwork", EP);
    }

    @Test
    void activationAndCapabilities() {
        assertThat(ok("/Plugin.Activate", "").get("Implements").toString())
                .isEqualTo("[\"NetworkDriver\",\"IpamDriver\"]");
        assertThat(ok("/NetworkDriver.GetCapabilities", "{}").get("Scope").asText())
                .isEqualTo("local");
        for (String p : List.of(
                "DiscoverNew",
                "DiscoverDelete",
                "ProgramExternalConnectivity",
                "RevokeExternalConnectivity",
                "FreeNetwork",
                "AllocateNetwork")) {
            assertThat(raw("/NetworkDriver." + p, "{}").status()).isEqualTo(200);
        }
    }

    @Test
    void aNetworkIsAProfileWhoseMembersTalkToEachOther() {
        ok("/NetworkDriver.CreateNetwork", CREATE_NET);
        ProfileRules rules =
                Json.read(store.get(keys.profileRules(NET)).orElseThrow().value(), ProfileRules.class);
        assertThat(rules).isEqualTo(ProfileRules.defaultFor(NET));
        assertThat(rules.inboundRules().get(0).srcTag()).isEqualTo(NET);
        assertThat(store.get(keys.profileTags(NET)).orElseThrow().value()).isEqualTo("[\"" + NET + "\"]");
        ok("/NetworkDriver.DeleteNetwork", "{\"NetworkID\":\"" + NET + "\"}");
        assertThat(store.keys(keys.profile(NET))).isEmpty();
        ok("/NetworkDriver.DeleteNetwork", "{\"NetworkID\":\"" + NET + "\"}");
    }

    @Test
    void aNetworkWithAnotherIpamDriverIsRefused() {
        String body = CREATE_NET
                .replace("CalicoGlobalAddressSpace", "GlobalDefault")
                .replace("\"0.0.0.0/0\"}", "\"172.18.0.1/16\"}");
        assertThat(err(500, "/NetworkDriver.CreateNetwork", body)).contains("--ipam-driver calico-java");
        assertThat(store.keys(keys.profiles())).isEmpty();
    }

    @Test
    void endpointLifecycle() {
        ok("/NetworkDriver.CreateNetwork", CREATE_NET);
        assertThat(ok("/NetworkDriver.CreateEndpoint", CREATE_EP).has("Interface"))
                .isFalse();
        WorkloadEndpoint w = Json.read(store.get(endpointKey()).orElseThrow().value(), WorkloadEndpoint.class);
        assertThat(w.name()).isEqualTo("caliabcdef01234");
        assertThat(w.mac()).isEqualTo("ee:ee:ee:ee:ee:ee");
        assertThat(w.profileIds()).containsExactly(NET);
        assertThat(w.ipv4Nets()).hasToString("[10.20.0.5/32]");
        assertThat(w.state()).isEqualTo("active");
        assertThat(ok("/NetworkDriver.EndpointOperInfo", EP_REQ).get("Value").isObject())
                .isTrue();

        JsonNode join = ok("/NetworkDriver.Join", EP_REQ.replace("}", ",\"SandboxKey\":\"/var/run/docker/netns/x\"}"));
        assertThat(join.get("InterfaceName").get("SrcName").asText()).isEqualTo("tempabcdef01234");
        assertThat(join.get("InterfaceName").get("DstPrefix").asText()).isEqualTo("eth");
        assertThat(join.get("Gateway").asText()).isEqualTo("169.254.1.1");
        assertThat(join.get("StaticRoutes").toString())
                .isEqualTo("[{\"Destination\":\"169.254.1.1/32\",\"RouteType\":1}]");
        assertThat(join.has("GatewayIPv6")).isFalse();
        assertThat(dataplane.veths).containsEntry("caliabcdef01234", "tempabcdef01234");

        ok("/NetworkDriver.Leave", EP_REQ);
        assertThat(dataplane.veths).isEmpty();
        ok("/NetworkDriver.DeleteEndpoint", EP_REQ);
        assertThat(store.get(endpointKey())).isEmpty();
        ok("/NetworkDriver.DeleteEndpoint", EP_REQ);
    }

    @Test
    void deleteEndpointRemovesAVethLeftBehind() {
        ok("/NetworkDriver.CreateNetwork", CREATE_NET);
        ok("/NetworkDriver.CreateEndpoint", CREATE_EP);
        ok("/NetworkDriver.Join", EP_REQ);
        ok("/NetworkDriver.DeleteEndpoint", EP_REQ);
        assertThat(dataplane.veths).isEmpty();
        assertThat(store.get(endpointKey())).isEmpty();
    }

    @Test
    void ipv6EndpointsGetTheHostVethsLinkLocalGateway() {
        ok("/NetworkDriver.CreateNetwork", CREATE_NET);
        ok(
                "/NetworkDriver.CreateEndpoint",
                CREATE_EP.replace("\"AddressIPv6\":\"\"", "\"AddressIPv6\":\"fd00::5/128\""));
        WorkloadEndpoint w = Json.read(store.get(endpointKey()).orElseThrow().value(), WorkloadEndpoint.class);
        assertThat(w.ipv6Nets())
                .hasToString("[fd00:0:0:0:0:0:0:5/128]"
                        .replace("fd00:0:0:0:0:0:0:5", w.ipv6Nets().get(0).ip()));
        JsonNode join = ok("/NetworkDriver.Join", EP_REQ);
        assertThat(join.get("GatewayIPv6").asText()).isEqualTo("fe80::ecee:eeff:feee:eeee");
        assertThat(join.get("StaticRoutes").get(1).get("Destination").asText())
                .isEqualTo("fe80::ecee:eeff:feee:eeee/128");
    }

    @Test
    void errorsADockerUserUnderstands() {
        assertThat(err(500, "/NetworkDriver.CreateEndpoint", CREATE_EP)).startsWith("unknown network c10000000000:");
        ok("/NetworkDriver.CreateNetwork", CREATE_NET);
        assertThat(err(500, "/NetworkDriver.CreateEndpoint", CREATE_EP.replace("10.20.0.5/32", "")))
                .contains("--ipam-driver calico-java");
        assertThat(err(500, "/NetworkDriver.Join", EP_REQ)).startsWith("unknown endpoint abcdef012345 on host host-a");
        ok("/NetworkDriver.CreateEndpoint", CREATE_EP);
        assertThat(err(500, "/NetworkDriver.CreateEndpoint", CREATE_EP)).contains("exists already");
        dataplane.failNext = new NoSuchDeviceException("create veth", 19, "no such device", null);
        assertThat(err(500, "/NetworkDriver.Join", EP_REQ)).startsWith("calico-java kernel error: ");
        assertThat(dataplane.veths).isEmpty();
        store.down = true;
        assertThat(err(500, "/NetworkDriver.CreateNetwork", CREATE_NET)).startsWith("calico-java cannot reach etcd");
    }

    @Test
    void malformedRequestsAre400() {
        assertThat(err(400, "/NetworkDriver.CreateNetwork", "{\"NetworkID\":"))
                .startsWith("malformed JSON in /NetworkDriver.CreateNetwork");
        assertThat(err(400, "/NetworkDriver.CreateNetwork", "[1,2]")).contains("expected a JSON object");
        assertThat(err(400, "/NetworkDriver.CreateNetwork", "{}")).isEqualTo("missing field NetworkID");
        assertThat(err(400, "/NetworkDriver.CreateNetwork", "{\"NetworkID\":5}"))
                .contains("expected: a string");
        assertThat(err(400, "/NetworkDriver.CreateEndpoint", "{\"NetworkID\":\"a/b\",\"EndpointID\":\"x\"}"))
                .startsWith("NetworkID: \"a/b\" is not a Docker network id");
        assertThat(err(400, "/NetworkDriver.CreateEndpoint", CREATE_EP.replace("10.20.0.5/32", "10.20.0.999")))
                .startsWith("Interface.Address:");
        assertThat(err(404, "/NetworkDriver.Frobnicate", "{}")).contains("no such call");
        assertThat(plugin.handle("GET", "/Plugin.Activate", new byte[0]).status())
                .isEqualTo(405);
    }

    @Test
    void onlyDockersIdsAreAccepted() {
        ok("/NetworkDriver.CreateNetwork", CREATE_NET);
        ok("/NetworkDriver.CreateEndpoint", CREATE_EP);
        ok("/NetworkDriver.Join", EP_REQ);
        for (String bad :
                List.of("0123456789a", EP.toUpperCase(), EP.substring(1), EP + "0", "../" + EP.substring(3))) {
            String req = "{\"NetworkID\":\"" + NET + "\",\"EndpointID\":\"" + bad + "\"}";
            for (String call : List.of("Leave", "DeleteEndpoint", "Join", "EndpointOperInfo", "CreateEndpoint")) {
                assertThat(err(400, "/NetworkDriver." + call, req))
                        .as(call + " " + bad)
                        .contains("is not a Docker endpoint id");
            }
        }
        assertThat(dataplane.veths).as("the endpoint's veth untouched").containsKey(NetworkDriver.hostInterface(EP));
        assertThat(store.get(endpointKey())).isPresent();
        for (String bad : List.of("n1", NET.toUpperCase(), NET.substring(1), "abc-def", "0123456789abcdefghijklmnoP")) {
            assertThat(err(400, "/NetworkDriver.CreateNetwork", "{\"NetworkID\":\"" + bad + "\"}"))
                    .as(bad)
                    .contains("is not a Docker network id");
        }
        String swarm = "0123456789abcdefghijklmno"; // swarmkit's identity.NewID: 25 of [0-9a-z]
        ok("/NetworkDriver.CreateNetwork", "{\"NetworkID\":\"" + swarm + "\"}");
        assertThat(store.get(keys.profileRules(swarm))).isPresent();
    }

    @Test
    void aJoinWithAnIllTypedFieldIsRefusedBeforeAnyVethIsMade() {
        ok("/NetworkDriver.CreateNetwork", CREATE_NET);
        ok("/NetworkDriver.CreateEndpoint", CREATE_EP);
        for (String bad : List.of(
                "{\"EndpointID\":\"" + EP + "\",\"SandboxKey\":42}",
                "{\"EndpointID\":\"" + EP + "\",\"SandboxKey\":\"/x\",\"NetworkID\":[1]}",
                "{\"EndpointID\":\"" + EP + "\",\"SandboxKey\":\"/x\",\"Options\":\"x\"}")) {
            assertThat(err(400, "/NetworkDriver.Join", bad)).as(bad).isNotBlank();
            assertThat(dataplane.veths).as("no veth after " + bad).isEmpty();
        }
        ok("/NetworkDriver.Join", "{\"EndpointID\":\"" + EP + "\",\"SandboxKey\":\"/x\",\"Options\":{}}");
        assertThat(dataplane.veths).hasSize(1);
    }
}
