package org.calicojava.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.calicojava.model.Cidr;
import org.calicojava.model.IpPool;
import org.calicojava.model.Json;
import org.calicojava.model.Keys;
import org.calicojava.store.JetcdStore;
import org.calicojava.store.KvStore;
import org.calicojava.store.TestEtcd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IpamIT {
    private final Keys keys = TestEtcd.freshKeys();
    private final KvStore store = new JetcdStore(TestEtcd.config());
    private final Ipam ipam = new Ipam(store, keys);

    @AfterEach
    void cleanUp() {
        store.deletePrefix(keys.root() + "/");
        store.close();
    }

    private void addPool(String cidr, int blockSize) {
        IpPool p = new IpPool(Cidr.parse(cidr), false, false, false, blockSize);
        store.put(keys.pool(p.cidr()), Json.write(p));
    }

    private Ipam.AutoRequest req(String host, String handle) {
        return new Ipam.AutoRequest(host, handle, Map.of("note", "test"), 4, null);
    }

    @Test
    void hostClaimsABlockThenAnotherWhenFull() {
        addPool("10.1.0.0/24", 30); // 64 blocks of 4
        List<Cidr> got = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            got.add(ipam.autoAssign(req("h1", "c" + i)));
        }
        assertThat(got)
                .extracting(Cidr::ip)
                .containsExactly("10.1.0.0", "10.1.0.1", "10.1.0.2", "10.1.0.3", "10.1.0.4", "10.1.0.5");
        assertThat(ipam.affinities("h1", 4)).containsExactly(Cidr.parse("10.1.0.0/30"), Cidr.parse("10.1.0.4/30"));
        assertThat(store.get(keys.ipamAffinity("h1", Cidr.parse("10.1.0.4/30"))))
                .isPresent();
        assertThat(store.get(keys.ipamHandle("c0")).orElseThrow().value()).contains("\"10.1.0.0/30\":1");
        Cidr other = ipam.autoAssign(req("h2", "d0"));
        assertThat(other.ip()).isEqualTo("10.1.0.8");
        Ipam.IpInfo info = ipam.info(Cidr.host("10.1.0.5"));
        assertThat(info.assigned()).isTrue();
        assertThat(info.handle()).isEqualTo("c5");
        assertThat(info.blockHost()).isEqualTo("h1");
        assertThat(info.attrs()).containsEntry("note", "test");
    }

    @Test
    void borrowsFromAnotherHostsBlockUnlessStrict() {
        addPool("10.2.0.0/29", 30); // two blocks of 4
        ipam.autoAssign(req("h1", "a"));
        ipam.autoAssign(req("h2", "b"));
        // no free block left: h3 borrows
        Cidr borrowed = ipam.autoAssign(req("h3", "c"));
        assertThat(ipam.info(borrowed).blockHost()).isIn("h1", "h2");
        assertThat(ipam.affinities("h3", 4)).isEmpty();
        store.put(keys.ipamConfig(), "{\"strict_affinity\":true}");
        assertThatThrownBy(() -> ipam.autoAssign(req("h3", "d")))
                .isInstanceOf(IpamException.class)
                .hasMessageContaining("strict affinity forbids borrowing");
        store.put(keys.ipamConfig(), "{\"strict_affinity\":false}");
        for (int i = 0; i < 5; i++) {
            ipam.autoAssign(req("h3", "e" + i));
        }
        assertThatThrownBy(() -> ipam.autoAssign(req("h3", "f")))
                .isInstanceOf(IpamException.class)
                .hasMessage("IP pool 10.2.0.0/29 exhausted");
    }

    @Test
    void maxBlocksPerHostCapsAHostsBlocksThenItBorrowsOrFailsUnderStrictAffinity() {
        addPool("10.4.0.0/28", 30); // four blocks of 4
        store.put(keys.ipamConfig(), "{\"max_blocks_per_host\":1}");
        assertThat(ipam.config().blockCap()).isEqualTo(1);
        for (int i = 0; i < 4; i++) {
            ipam.autoAssign(req("h1", "a" + i)); // fills h1's one block
        }
        ipam.autoAssign(req("h2", "b")); // h2 claims its own
        Cidr fifth = ipam.autoAssign(req("h1", "a4"));
        assertThat(ipam.affinities("h1", 4)).hasSize(1); // no second block for h1
        assertThat(ipam.info(fifth).blockHost()).isEqualTo("h2"); // it borrowed
        store.put(keys.ipamConfig(), "{\"strict_affinity\":true,\"max_blocks_per_host\":1}");
        assertThatThrownBy(() -> ipam.autoAssign(req("h1", "a5")))
                .isInstanceOf(IpamException.class)
                .hasMessage("no free address for host h1: its blocks are full, it has max_blocks_per_host (1) blocks,"
                        + " and strict affinity forbids borrowing");
        assertThat(ipam.affinities("h1", 4)).hasSize(1);
        store.put(keys.ipamConfig(), "{\"max_blocks_per_host\":2}");
        ipam.autoAssign(req("h1", "a5"));
        assertThat(ipam.affinities("h1", 4)).hasSize(2);
        store.put(keys.ipamConfig(), "{\"max_blocks_per_host\":0}"); // 0: no cap
        assertThat(ipam.config()).isEqualTo(IpamConfig.DEFAULT);
        store.put(keys.ipamConfig(), "{\"max_blocks_per_host\":-1}");
        assertThatThrownBy(() -> ipam.autoAssign(req("h1", "a6")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max_blocks_per_host: -1 (expected: 0..16777216, 0: no cap)");
    }

    @Test
    void assignSpecificReleaseByIpAndHandleAndAffinities() {
        addPool("10.3.0.0/24", 26);
        Cidr ip = Cidr.host("10.3.0.77");
        ipam.assign(ip, "ctr1", Map.of(), "h1");
        assertThatThrownBy(() -> ipam.assign(ip, "ctr2", Map.of(), "h1"))
                .isInstanceOf(IpamException.class)
                .hasMessage("10.3.0.77 is already assigned (handle ctr1)");
        assertThatThrownBy(() -> ipam.assign(Cidr.host("10.9.0.1"), "x", Map.of(), "h1"))
                .hasMessage("10.9.0.1 is not in any IP pool");
        ipam.autoAssign(req("h1", "ctr1"));
        ipam.autoAssign(req("h1", "ctr1"));
        assertThat(ipam.releaseByHandle("ctr1")).hasSize(3);
        assertThat(store.get(keys.ipamHandle("ctr1"))).isEmpty();
        Cidr one = ipam.autoAssign(req("h1", "ctr3"));
        assertThat(ipam.release(one)).isTrue();
        assertThat(ipam.release(one)).isFalse();
        assertThat(ipam.info(one).assigned()).isFalse();
        Cidr kept = ipam.autoAssign(req("h1", "ctr4"));
        assertThat(ipam.releaseHostAffinities("h1")).isEqualTo(1);
        assertThat(ipam.affinities("h1", 4)).isEmpty();
        assertThat(ipam.info(kept).assigned()).isTrue();
        assertThat(ipam.info(kept).blockHost()).isNull();
    }

    @Test
    void disabledOrMissingPoolsAreClearErrors() {
        assertThatThrownBy(() -> ipam.autoAssign(req("h1", "x"))).hasMessageContaining("no enabled IPv4 pool");
        store.put(
                keys.pool(Cidr.parse("10.4.0.0/24")),
                Json.write(new IpPool(Cidr.parse("10.4.0.0/24"), false, false, true, 26)));
        assertThatThrownBy(() -> ipam.autoAssign(req("h1", "x"))).hasMessageContaining("no enabled IPv4 pool");
        assertThatThrownBy(
                        () -> ipam.autoAssign(new Ipam.AutoRequest("h1", "x", Map.of(), 4, Cidr.parse("10.5.0.0/24"))))
                .hasMessageContaining("no IP pool 10.5.0.0/24");
    }

    @Test
    void poolsAreReadAsFelixAndConfdReadThem() {
        addPool("10.1.0.0/24", 26);
        String v4 = keys.pools(4);
        // a second spelling of the same pool's key, a record under another pool's key, and a v6 pool under v4
        store.put(v4 + "10.1.0.0-024", Json.write(new IpPool(Cidr.parse("10.1.0.0/24"), false, false, true, 26)));
        store.put(v4 + "10.2.0.0-24", Json.write(new IpPool(Cidr.parse("10.3.0.0/24"), false, false, false, 26)));
        store.put(v4 + "fd00::-64", Json.write(new IpPool(Cidr.parse("fd00::/64"), false, false, false, 122)));
        assertThat(Pools.list(store, keys, 0)).extracting(IpPool::cidr).containsExactly(Cidr.parse("10.1.0.0/24"));
        assertThat(ipam.autoAssign(req("h1", "x"))).isEqualTo(Cidr.host("10.1.0.0")); // the enabled copy only
        assertThatThrownBy(
                        () -> ipam.autoAssign(new Ipam.AutoRequest("h1", "y", Map.of(), 4, Cidr.parse("10.3.0.0/24"))))
                .hasMessageContaining("no IP pool 10.3.0.0/24");
    }

    @Test
    void aBlockStoredUnderAnotherBlocksKeyOrDamagedIsNotUsedAndNotClaimedAgain() {
        addPool("10.1.0.0/24", 30);
        assertThat(ipam.autoAssign(req("h1", "a"))).isEqualTo(Cidr.host("10.1.0.0"));
        // the same block's record, copied under the next block's key: a second copy of 10.1.0.0/30
        String copy = store.get(keys.ipamBlock(Cidr.parse("10.1.0.0/30")))
                .orElseThrow()
                .value();
        store.put(keys.ipamBlock(Cidr.parse("10.1.0.4/30")), copy);
        store.put(keys.ipamBlock(Cidr.parse("10.1.0.8/30")), "{\"cidr\":"); // damaged: its key is still taken
        assertThatThrownBy(() -> ipam.blocks(0)).hasMessageContaining("block 10.1.0.0/30 is stored under another");
        Set<Cidr> got = new HashSet<>(List.of(Cidr.host("10.1.0.0")));
        for (int i = 0; i < 6; i++) {
            assertThat(got.add(ipam.autoAssign(req(i % 2 == 0 ? "h1" : "h2", "b" + i))))
                    .isTrue();
        }
    }

    /** The release conditioned on the block as read: a stale read writes nothing; a fresh one updates both handles. */
    @Test
    void releaseIfUnchangedHoldsOnlyForTheBlockAsRead() {
        addPool("10.1.0.0/24", 28);
        Cidr a = ipam.autoAssign(req("h1", "c1"));
        Cidr b = ipam.autoAssign(req("h1", "c1"));
        Cidr c = ipam.autoAssign(req("h1", "c2"));
        Cidr block = Cidr.parse("10.1.0.0/28");
        Ipam.Versioned stale = ipam.readBlock(block).orElseThrow();
        ipam.autoAssign(req("h1", "c3")); // the block changes after the read
        String blockBefore = store.get(keys.ipamBlock(block)).orElseThrow().value();
        assertThat(ipam.releaseIfUnchanged(stale, List.of(a, c))).isFalse();
        assertThat(store.get(keys.ipamBlock(block)).orElseThrow().value()).isEqualTo(blockBefore);

        Ipam.Versioned fresh = ipam.readBlock(block).orElseThrow();
        assertThat(ipam.releaseIfUnchanged(fresh, List.of(a, c, Cidr.host("10.1.0.9"))))
                .isTrue();
        AllocationBlock after = ipam.readBlock(block).orElseThrow().block();
        assertThat(after.attributeOf(after.ordinalOf(a))).isNull();
        assertThat(after.attributeOf(after.ordinalOf(c))).isNull();
        assertThat(after.attributeOf(after.ordinalOf(b)).handleId()).isEqualTo("c1");
        assertThat(store.get(keys.ipamHandle("c1")).orElseThrow().value()).contains("\"10.1.0.0/28\":1");
        assertThat(store.get(keys.ipamHandle("c2"))).isEmpty();
    }

    @Test
    void ipv6() {
        addPool("fd00:1::/120", 122);
        Cidr a = ipam.autoAssign(new Ipam.AutoRequest("h1", "v6", Map.of(), 6, null));
        assertThat(a).isEqualTo(Cidr.host("fd00:1::"));
        assertThat(ipam.affinities("h1", 6)).containsExactly(Cidr.parse("fd00:1::/122"));
    }

    /** 32 concurrent assigners on 4 hosts: no address handed out twice, none lost. */
    @Test
    void concurrentAssignersNeverDuplicateOrLose() throws Exception {
        addPool("10.8.0.0/23", 28); // 512 addresses in 32 blocks of 16
        int threads = 32;
        int perThread = 12; // 384 requests
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        ConcurrentLinkedQueue<String> assigned = new ConcurrentLinkedQueue<>();
        List<Future<?>> fs = new ArrayList<>();
        try (KvStore s2 = new JetcdStore(TestEtcd.config())) {
            Ipam[] clients = {ipam, new Ipam(s2, keys)};
            for (int t = 0; t < threads; t++) {
                int tt = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        Cidr ip = clients[tt % 2].autoAssign(req("host" + (tt % 4), "t" + tt + "-" + i));
                        assigned.add(ip.ip() + " t" + tt + "-" + i);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(240, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> ips = assigned.stream().map(s -> s.split(" ")[0]).toList();
        assertThat(ips).hasSize(threads * perThread).doesNotHaveDuplicates();
        // none lost: every assignment is recorded in its block with its handle, and the blocks hold exactly these
        Set<String> inBlocks = new HashSet<>();
        for (AllocationBlock b : ipam.blocks(4)) {
            for (int o = 0; o < b.size(); o++) {
                if (b.isAllocated(o)) {
                    inBlocks.add(b.address(o).ip() + " " + b.attributeOf(o).handleId());
                }
            }
        }
        assertThat(inBlocks).containsExactlyInAnyOrderElementsOf(assigned);
        // each host claimed blocks of its own
        for (int h = 0; h < 4; h++) {
            assertThat(ipam.affinities("host" + h, 4)).isNotEmpty();
        }
    }
}
