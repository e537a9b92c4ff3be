package org.calicojava.libnetwork;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.calicojava.model.WorkloadEndpoint;
import org.junit.jupiter.api.Test;

/** Adoption of untagged veths at start, over the in-memory store and fake dataplane (VethAdoptionIT: the real ones). */
class VethAdoptionTest extends PluginFixture {
    final NetworkDriver starting = new NetworkDriver(store, keys, HOST, dataplane);
    /** Requests to {@link #starting} (the fixture's plugin is another driver, with locks of its own). */
    final Plugin startingPlugin = new Plugin(starting, new IpamDriver(store, keys, HOST));

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

    /**
     * Runs {@code call} on a thread of its own and returns once that thread waits for {@code lock}; fails when the call
     * ends without having waited for it.
     */
    static <T> CompletableFuture<T> waitingFor(ReentrantLock lock, String what, Callable<T> call)
            throws InterruptedException {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = new Thread(
                () -> {
                    try {
                        result.complete(call.call());
                    } catch (Throwable e) {
                        result.completeExceptionally(e);
                    }
                },
                what);
        t.setDaemon(true);
        t.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!lock.hasQueuedThread(t)) {
            if (result.isDone()) {
                throw new AssertionError(what + " ended without waiting for the endpoint's lock");
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " neither waits for the endpoint's lock nor ends");
            }
            Thread.sleep(1);
        }
        return result;
    }

    CompletableFuture<Plugin.Response> request(ReentrantLock lock, String call, String ep) throws InterruptedException {
        return waitingFor(
                lock,
                call,
                () -> startingPlugin.handle(
                        "POST",
                        "/NetworkDriver." + call,
                        ("{\"NetworkID\":\"" + NET + "\",\"EndpointID\":\"" + ep + "\"}")
                                .getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aDeleteEndpointThatComesFirstRemovesTheVethAndThePassThenLeavesTheEndpointAlone() throws Exception {
        String ep = dockerId();
        String hostIf = NetworkDriver.hostInterface(ep);
        oldRecord(ep);
        untagged(ep);
        long marker = PreUpgradeVeths.ensureMarker(store, keys, HOST);
        ReentrantLock lock = starting.locks().of(ep);
        lock.lock(); // a request for the endpoint in progress
        try {
            CompletableFuture<Plugin.Response> delete = request(lock, "DeleteEndpoint", ep);
            CompletableFuture<PreUpgradeVeths.Summary> pass = waitingFor(
                    lock,
                    "adoption pass",
                    () -> PreUpgradeVeths.adopt(store, keys, HOST, dataplane, starting.locks(), marker));
            assertThat(dataplane.alias(hostIf))
                    .as("not tagged while the lock is held")
                    .contains("");
            lock.unlock(); // first come, first served: the DeleteEndpoint, then the pass
            assertThat(delete.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
            assertThat(pass.get(10, TimeUnit.SECONDS))
                    .as("the record deleted meanwhile is not considered")
                    .isEqualTo(new PreUpgradeVeths.Summary(0, 0, 0, 0, 0, 1));
        } finally {
            if (lock.isHeldByCurrentThread()) {
                lock.unlock();
            }
        }
        assertThat(dataplane.exists(hostIf))
                .as("the untagged veth, adopted by DeleteEndpoint")
                .isFalse();
        assertThat(dataplane.exists(NetworkDriver.tempInterface(ep))).isFalse();
        assertThat(dataplane.aliases).doesNotContainKey(hostIf);
        assertThat(store.get(keys.endpoint(HOST, "libnetwork", "libnetwork", ep)))
                .isEmpty();
    }

    @Test
    void thePassWaitsForARequestInProgressAndALeaveAfterItRemovesTheAdoptedVeth() throws Exception {
        String ep = dockerId();
        String hostIf = NetworkDriver.hostInterface(ep);
        oldRecord(ep);
        untagged(ep);
        ReentrantLock lock = starting.locks().of(ep);
        lock.lock();
        try {
            CompletableFuture<Integer> pass = waitingFor(lock, "adoption pass", starting::adoptUntaggedVeths);
            CompletableFuture<Plugin.Response> leave = request(lock, "Leave", ep);
            assertThat(dataplane.alias(hostIf)).contains("");
            lock.unlock(); // the pass, then the Leave
            assertThat(pass.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(leave.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        } finally {
            if (lock.isHeldByCurrentThread()) {
                lock.unlock();
            }
        }
        assertThat(dataplane.exists(hostIf)).isFalse();
        assertThat(dataplane.aliases).doesNotContainKey(hostIf);
    }

    @Test
    void aRecordDeletedWhileThePassWaitsDoesNotGetItsVethTagged() throws Exception {
        String ep = dockerId();
        String hostIf = NetworkDriver.hostInterface(ep);
        oldRecord(ep);
        untagged(ep);
        ReentrantLock lock = starting.locks().of(ep);
        lock.lock();
        try {
            CompletableFuture<Integer> pass = waitingFor(lock, "adoption pass", starting::adoptUntaggedVeths);
            store.delete(keys.endpoint(HOST, "libnetwork", "libnetwork", ep)); // the endpoint goes meanwhile
            lock.unlock();
            assertThat(pass.get(10, TimeUnit.SECONDS)).isZero();
        } finally {
            if (lock.isHeldByCurrentThread()) {
                lock.unlock();
            }
        }
        assertThat(dataplane.alias(hostIf))
                .as("a gone endpoint's tag is never set")
                .contains("");
    }
}
