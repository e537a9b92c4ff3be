package org.calicojava.cni;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** 20 ADDs at once on one host, then 20 DELs at once: unique addresses, then nothing left. */
class CniParallelIT {
    static final int N = 20;

    @Test
    void twentyParallelAddsThenDels() throws Exception {
        try (CniHost host = new CniHost()) {
            host.pool("10.94.0.0/16", 0);
            String conf = host.conf("1.0.0", "");
            List<Path> nss = new ArrayList<>();
            for (int i = 0; i < N; i++) {
                nss.add(host.container("p" + i));
            }
            ExecutorService pool = Executors.newFixedThreadPool(N);
            try {
                List<Future<CniHost.Call>> adds = new ArrayList<>();
                for (int i = 0; i < N; i++) {
                    int n = i;
                    adds.add(pool.submit(
                            () -> host.call("calico-java-cni", "ADD", "par" + n + host.sfx, nss.get(n), "eth0", conf)));
                }
                Set<String> addresses = new HashSet<>();
                for (Future<CniHost.Call> f : adds) {
                    CniHost.Call c = f.get();
                    assertThat(c.rc()).as(c.toString()).isZero();
                    addresses.add(c.json().get("ips").get(0).get("address").asText());
                }
                assertThat(addresses).as("unique addresses").hasSize(N);
                assertThat(host.caliLinks()).hasSize(N);
                assertThat(host.endpoints()).hasSize(N);

                List<Future<CniHost.Call>> dels = new ArrayList<>();
                for (int i = 0; i < N; i++) {
                    int n = i;
                    dels.add(pool.submit(
                            () -> host.call("calico-java-cni", "DEL", "par" + n + host.sfx, nss.get(n), "eth0", conf)));
                }
                for (Future<CniHost.Call> f : dels) {
                    CniHost.Call c = f.get();
                    assertThat(c.rc()).as(c.toString()).isZero();
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(host.caliLinks()).isEmpty();
            assertThat(host.endpoints()).isEmpty();
            assertThat(host.store.list(host.keys.ipamHandles()).kvs()).isEmpty();
        }
    }
}
