package org.calicojava.libnetwork;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.calicojava.ipam.Ipam;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.calicojava.model.Keys;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;
import org.calicojava.store.KvStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * ReleaseAddress against a real etcd: a release that fails leaves the address assigned and must be an Err for Docker,
 * not a {@code {}} that makes Docker forget it; an address in no pool has nothing to release and is {@code {}}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReleaseAddressIT {
    static final String HOST = "rel-host";
    final Keys keys = new Keys("/cj-test-" + UUID.randomUUID());
    JetcdStore store;

    @BeforeAll
    void setUp() {
        String etcd = System.getenv("ETCD_ENDPOINTS");
        assertThat(etcd)
                .as("ETCD_ENDPOINTS (start etcd with scripts/lib/etcd.sh)")
                .isNotBlank();
        store = new JetcdStore(EtcdConfig.of(etcd));
        store.put(keys.pool(Cidr.parse("10.86.0.0/16")), "{\"cidr\":\"10.86.0.0/16\"}");
    }

    @AfterAll
    void tearDown() {
        if (store != null) {
            store.deletePrefix(keys.root() + "/");
            store.close();
        }
    }

    static Plugin.Response call(Plugin p, String path, String body) {
        return p.handle("POST", path, body.getBytes(StandardCharsets.UTF_8));
    }

    static String release(String ip) {
        return "{\"PoolID\":\"CalicoPoolIPv4\",\"Address\":\"" + ip + "\"}";
    }

    /**
     * The store the driver uses, with a second writer that always wins: before each of the driver's transactions it
     * rewrites the block (a real put in etcd, so the block's mod revision moves on and the driver's compare fails).
     */
    KvStore contended(String blockKey, AtomicInteger lost) {
        return (KvStore) Proxy.newProxyInstance(
                KvStore.class.getClassLoader(), new Class<?>[] {KvStore.class}, (proxy, m, args) -> {
                    if (m.getName().equals("txn")) {
                        store.put(blockKey, store.get(blockKey).orElseThrow().value());
                        lost.incrementAndGet();
                    }
                    try {
                        return m.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void aReleaseThatFailsIsAnErrAndTheAddressStaysAssigned() {
        Plugin plain = new Plugin(
                new NetworkDriver(store, keys, HOST, new FakeDataplane()), new IpamDriver(store, keys, HOST));
        Plugin.Response got = call(plain, "/IpamDriver.RequestAddress", "{\"PoolID\":\"CalicoPoolIPv4\"}");
        assertThat(got.status()).as(got.body()).isEqualTo(200);
        Cidr ip =
                Cidr.parse(Json.read(got.body(), JsonNode.class).get("Address").asText());
        Ipam ipam = new Ipam(store, keys);
        String blockKey = keys.ipamBlock(ipam.info(ip).block());

        AtomicInteger lost = new AtomicInteger();
        KvStore busy = contended(blockKey, lost);
        Plugin contended =
                new Plugin(new NetworkDriver(busy, keys, HOST, new FakeDataplane()), new IpamDriver(busy, keys, HOST));
        Plugin.Response r = call(contended, "/IpamDriver.ReleaseAddress", release(ip.ip()));
        assertThat(lost.get()).as("transactions lost to the other writer").isGreaterThanOrEqualTo(100);
        assertThat(r.status()).as(r.body()).isEqualTo(500);
        assertThat(Json.read(r.body(), JsonNode.class).get("Err").asText())
                .isEqualTo("address " + ip.ip() + " not released, it is still assigned: could not release " + ip.ip()
                        + " (heavy contention)");
        assertThat(ipam.info(ip).assigned()).as("still assigned in etcd").isTrue();

        Plugin.Response again = call(plain, "/IpamDriver.ReleaseAddress", release(ip.ip()));
        assertThat(again.status())
                .as("Docker's retry, without the contention: " + again.body())
                .isEqualTo(200);
        assertThat(ipam.info(ip).assigned()).isFalse();
    }

    @Test
    void anAddressInNoPoolHasNothingToRelease() {
        Plugin plain = new Plugin(
                new NetworkDriver(store, keys, HOST, new FakeDataplane()), new IpamDriver(store, keys, HOST));
        Plugin.Response r = call(plain, "/IpamDriver.ReleaseAddress", release("192.0.2.7"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{}");
    }
}
