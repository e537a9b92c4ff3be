package org.calicojava.felix.calc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.calicojava.model.Keys;
import org.junit.jupiter.api.Test;

/** Interface ownership: one owner per interface name, the first claimant in key order; the others are reported. */
class InterfaceOwnersTest {
    private final Keys keys = new Keys();
    private final DatastoreState state = new DatastoreState(keys, "h1");
    private final EndpointIndex index = new EndpointIndex();
    private final List<String> problems = new ArrayList<>();
    private final InterfaceOwners owners = new InterfaceOwners(problems::add);

    private EndpointIndex.Ep endpoint(String host, String wl, String iface, String st) {
        EndpointKey k = new EndpointKey(host, "k8s", wl, "eth0");
        state.apply(
                keys.endpoint(host, "k8s", wl, "eth0"),
                "{\"state\":\"" + st + "\",\"name\":\"" + iface + "\",\"ipv4_nets\":[\"10.1.0.1/32\"]}");
        EndpointIndex.Ep e = index.add(state, k, state.endpoints.get(k));
        owners.claim(e, "h1", "cali");
        return e;
    }

    @Test
    void twoEndpointsClaimingOneInterfaceTheFirstInKeyOrderOwnsItAndTheOtherIsReported() {
        EndpointIndex.Ep b = endpoint("h1", "wb", "cali1", "active");
        EndpointIndex.Ep a = endpoint("h1", "wa", "cali1", "active");
        List<InterfaceOwners.Decision> d = owners.resolve(Set.of(a.key, b.key));
        assertThat(d).containsExactly(new InterfaceOwners.Decision("cali1", null, a.key, true));
        assertThat(d.get(0).added()).isTrue();
        assertThat(owners.interfaces()).containsOnlyKeys("cali1").containsEntry("cali1", a.key);
        assertThat(problems).containsExactly("endpoint " + b.key + ": interface cali1 already used by " + a.key);

        problems.clear();
        owners.release(a); // the owner goes: the other claimant takes the interface over
        d = owners.resolve(Set.of(a.key));
        assertThat(d).containsExactly(new InterfaceOwners.Decision("cali1", a.key, b.key, true));
        assertThat(d.get(0).added() || d.get(0).removed()).isFalse();
        assertThat(owners.owner("cali1")).isEqualTo(b.key);
        assertThat(problems).isEmpty();

        owners.release(b);
        d = owners.resolve(Set.of(b.key));
        assertThat(d).containsExactly(new InterfaceOwners.Decision("cali1", b.key, null, true));
        assertThat(d.get(0).removed()).isTrue();
        assertThat(owners.interfaces()).isEmpty();
    }

    @Test
    void onlyLocalActiveEndpointsClaimAndAnUnchangedOwnerIsKept() {
        EndpointIndex.Ep remote = endpoint("h2", "wr", "cali2", "active");
        EndpointIndex.Ep idle = endpoint("h1", "wi", "cali3", "inactive");
        EndpointIndex.Ep local = endpoint("h1", "wl", "cali4", "active");
        assertThat(remote.claimed).isNull();
        assertThat(idle.claimed).isNull();
        assertThat(local.claimed).isEqualTo("cali4");
        assertThat(owners.resolve(Set.of(remote.key, idle.key, local.key)))
                .containsExactly(new InterfaceOwners.Decision("cali4", null, local.key, true));

        assertThat(owners.resolve(Set.of())).as("nothing touched").isEmpty();

        owners.release(local); // the same endpoint again (changed): replaced by itself
        EndpointIndex.Ep again = endpoint("h1", "wl", "cali4", "active");
        assertThat(owners.resolve(Set.of(again.key)))
                .containsExactly(new InterfaceOwners.Decision("cali4", local.key, local.key, true));
        assertThat(owners.interfaces()).containsEntry("cali4", local.key);
        assertThat(problems).isEmpty();
    }

    @Test
    void anInterfaceOutsideTheWorkloadPrefixIsNeverClaimedAndIsReported() {
        EndpointIndex.Ep uplink = endpoint("h1", "wu", "eth0", "active");
        EndpointIndex.Ep loopback = endpoint("h1", "wlo", "lo", "active");
        EndpointIndex.Ep remote = endpoint("h2", "wr", "eth0", "active"); // another host's: not ours to judge
        assertThat(uplink.claimed).isNull();
        assertThat(loopback.claimed).isNull();
        assertThat(owners.resolve(Set.of(uplink.key, loopback.key, remote.key))).isEmpty();
        assertThat(owners.interfaces()).isEmpty();
        assertThat(problems)
                .containsExactly(
                        "endpoint " + uplink.key
                                + ": interface eth0 is not a workload interface (InterfacePrefix cali); ignored",
                        "endpoint " + loopback.key
                                + ": interface lo is not a workload interface (InterfacePrefix cali); ignored");
        assertThat(InterfaceOwners.claims(uplink.key, uplink.ep, "h1", "cali")).isFalse();
        assertThat(InterfaceOwners.claims(uplink.key, uplink.ep, "h1", "eth")).isTrue();
    }
}
