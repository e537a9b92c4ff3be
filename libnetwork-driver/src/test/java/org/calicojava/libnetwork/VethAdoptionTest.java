package org.calicojava.libnetwork;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.calicojava.model.WorkloadEndpoint;
import org.junit.jupiter.api.Test;

/** Adoption of untagged veths at start, over the in-memory store and fake dataplane (VethAdoptionIT: the real ones). */
class VethAdoptionTest extends PluginFixture {
    final NetworkDriver starting = new NetworkDriver(store, keys, HOST, dataplane);

    void oldRecord(String ep) {
        store.put(
                keys.endpoint(HOST, "libnetwork", "libnetwork", ep),
                Json.write(new WorkloadEndpoint(
                        "active",
                        NetworkDriver.hostInterface(ep),
                        NetworkDriver.MAC,
                        List.of(NET),
                        List.of(Cidr.parse("10.20.0.9/32")),
                        List.of(),
                        Map.of())));
    }

    void untagged(String ep) {
        dataplane.veths.put(NetworkDriver.hostInterface(ep), NetworkDriver.tempInterface(ep));
    }

    @Test
    void onlyUntaggedVethsOfRecordsOlderThanTheMarkerAreAdopted() {
        String old = dockerId();
        String foreign = dockerId();
        String unjoined = dockerId();
        oldRecord(old);
        oldRecord(foreign);
        oldRecord(unjoined);
        untagged(old);
        untagged(foreign);
        dataplane.aliases.put(NetworkDriver.hostInterface(foreign), "someone else's");

        assertThat(starting.adoptUntaggedVeths()).isEqualTo(1);
        assertThat(dataplane.alias(NetworkDriver.hostInterface(old))).contains(NetworkDriver.tag(old));
        assertThat(dataplane.alias(NetworkDriver.hostInterface(foreign))).contains("someone else's");
        assertThat(dataplane.exists(NetworkDriver.hostInterface(unjoined))).isFalse();

        // a record written after the marker (CreateEndpoint), whose name an untagged veth happens to have
        store.put(keys.profileRules(NET), "{}");
        ok("/NetworkDriver.CreateEndpoint", NetworkDriverTest.CREATE_EP);
        untagged(EP);
        assertThat(new NetworkDriver(store, keys, HOST, dataplane).adoptUntaggedVeths())
                .as("a restart")
                .isZero();
        assertThat(dataplane.alias(NetworkDriver.hostInterface(EP))).contains("");
        ok("/NetworkDriver.Leave", NetworkDriverTest.EP_REQ);
        assertThat(dataplane.exists(NetworkDriver.hostInterface(EP))).isTrue();

        ok("/NetworkDriver.Leave", "{\"NetworkID\":\"" + NET + "\",\"EndpointID\":\"" + old + "\"}");
        assertThat(dataplane.exists(NetworkDriver.hostInterface(old))).isFalse();
    }

    @Test
    void createEndpointMakesTheMarkerFirst() {
        store.put(keys.profileRules(NET), "{}");
        ok("/NetworkDriver.CreateEndpoint", NetworkDriverTest.CREATE_EP);
        long marker = store.get(keys.libnetworkVethTags(HOST)).orElseThrow().createRevision();
        assertThat(store.get(keys.endpoint(HOST, "libnetwork", "libnetwork", EP))
                        .orElseThrow()
                        .createRevision())
                .isGreaterThan(marker);
    }
}
