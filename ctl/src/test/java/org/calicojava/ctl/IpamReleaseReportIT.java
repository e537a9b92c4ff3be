package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.RandomAccessFile;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.calicojava.ipam.AllocationBlock;
import org.calicojava.ipam.Ipam;
import org.calicojava.ipam.TunnelAddress;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.calicojava.store.EtcdUnreachableException;
import org.calicojava.store.KvStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ipam check -o FILE} then {@code ipam release --from-report FILE} against a real etcd: what is still leaked is
 * released; what gained a user or another handle since the report is left as it is (exit 1); a bad report, or one of
 * another cluster or datastore, is refused with one line and nothing written.
 */
class IpamReleaseReportIT {
    private final Cli cli = new Cli();

    @TempDir
    Path dir;

    private Path report;
    private final Cidr block = Cidr.parse("10.65.0.0/26");

    @BeforeEach
    void setUp() {
        report = dir.resolve("report.json");
        cli.ok("pool", "add", "10.65.0.0/16");
        cli.ok("node", "add", "--name", "h1", "--ip", "192.0.2.1");
        cli.ok("node", "add", "--name", "h2", "--ip", "192.0.2.2");
    }

    @AfterEach
    void close() {
        cli.close();
    }

    /** An address as the CNI network plugin allocates one (it then writes the endpoint record naming its user). */
    private String assign(String handle) {
        return assign(handle, cniAttributes(handle));
    }

    private String assign(String handle, Map<String, String> attributes) {
        return new Ipam(cli.etcd, cli.keys)
                .autoAssign(new Ipam.AutoRequest("h1", handle, attributes, 4, null))
                .ip();
    }

    private static Map<String, String> cniAttributes(String handle) {
        return Map.of(
                "orchestrator",
                "cni",
                "containerID",
                handle,
                "ifname",
                "eth0",
                "plugin",
                AddressOwners.CNI_NETWORK_PLUGIN);
    }

    private void endpoint(String workload, String ip) {
        cli.etcd.put(
                cli.keys.endpoint("h1", "cni", workload, "eth0"),
                "{\"state\":\"active\",\"name\":\"cali" + workload + "\",\"ipv4_nets\":[\"" + ip + "/32\"]}");
    }

    private String tunnel(String node) {
        return new Ipam(cli.etcd, cli.keys)
                .autoAssign(new Ipam.AutoRequest(
                        node, TunnelAddress.IPIP.handle(node), TunnelAddress.IPIP.attributes(node), 4, null))
                .ip();
    }

    /** The /26 block of {@code ip} (the pool's default block size). */
    private static Cidr blockOf(String ip) {
        return Cidr.of(Cidr.host(ip).address(), 26);
    }

    /** The allocation of {@code ip} in its block now: its handle, or null when free. */
    private String handleOf(String ip) {
        String key = cli.keys.ipamBlock(blockOf(ip));
        AllocationBlock b = AllocationBlock.read(cli.keys, key, cli.get(key));
        AllocationBlock.Attribute a = b.attributeOf(b.ordinalOf(Cidr.host(ip)));
        return a == null ? null : a.handleId() == null ? "(none)" : a.handleId();
    }

    private Cli.Result check() {
        Cli.Result r = cli.run("ipam", "check", "-o", report.toString());
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
        return r;
    }

    @Test
    void leakedAddressesStillLeakedAreReleased() {
        String used = assign("c2");
        endpoint("w1", used);
        String leaked = assign("c2"); // c2: one in use, one leaked
        String alone = assign("c3"); // c3's only address
        String freedMeanwhile = assign("c4");
        String lostTunnel = tunnel("h2"); // felix on h2 never recorded it
        check();
        cli.ok("ipam", "release", "--ip", freedMeanwhile);

        Cli.Result r = cli.run("ipam", "release", "--from-report", report.toString(), "--min-age", "0");

        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out())
                .contains("released " + leaked + " (handle c2, block 10.65.0.0/26)")
                .contains("released " + alone + " (handle c3, block 10.65.0.0/26)")
                .contains("released " + lostTunnel + " (handle ipip-tunnel-addr-h2, block " + blockOf(lostTunnel) + ")")
                .contains("already free " + freedMeanwhile)
                .contains("3 released, 1 already free, 0 skipped of 4 leaked addresses");
        assertThat(handleOf(leaked)).isNull();
        assertThat(handleOf(alone)).isNull();
        assertThat(handleOf(lostTunnel)).isNull();
        assertThat(handleOf(used)).isEqualTo("c2");
        assertThat(cli.get(cli.keys.ipamHandle("c2"))).contains("\"10.65.0.0/26\":1");
        assertThat(cli.get(cli.keys.ipamHandle("c3"))).isNull();
        assertThat(cli.get(cli.keys.ipamHandle("ipip-tunnel-addr-h2"))).isNull();
        assertThat(cli.run("ipam", "check").code()).isZero();
    }

    @Test
    void anAddressThatGainedAUserIsNotReleased() {
        String toEndpoint = assign("c2");
        String toTunnel = tunnel("h2");
        check();
        endpoint("w9", toEndpoint); // the workload's endpoint is written after the report
        cli.etcd.put(cli.keys.hostConfig("h2", TunnelAddress.IPIP.configKey()), toTunnel); // and felix's record
        List<String> before = cli.snapshot(); // every key: value and mod revision

        Cli.Result r = cli.run("ipam", "release", "--from-report", report.toString(), "--min-age", "0");

        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out())
                .contains("skipped " + toEndpoint + ": now in use by endpoint h1/cni/w9/eth0")
                .contains("skipped " + toTunnel + ": now in use by node h2's IpInIpTunnelAddr")
                .contains("0 released, 0 already free, 2 skipped (2 in use) of 2 leaked addresses");
        assertThat(cli.snapshot()).isEqualTo(before);
        assertThat(handleOf(toEndpoint)).isEqualTo("c2");
        assertThat(handleOf(toTunnel)).isEqualTo("ipip-tunnel-addr-h2");
    }

    @Test
    void anAddressReleasedAndReassignedToAnotherHandleIsNotReleased() {
        String ip = assign("c2");
        String stays = assign("c3");
        check();
        cli.ok("ipam", "release", "--ip", ip);
        cli.ok("ipam", "assign", "--ip", ip, "--host", "h1", "--handle", "other");
        cli.ok("ipam", "release", "--ip", stays);
        new Ipam(cli.etcd, cli.keys).assign(Cidr.host(stays), "c3", cniAttributes("c3"), "h1"); // the same again

        Cli.Result r = cli.run("ipam", "release", "--from-report", report.toString(), "--min-age", "0");

        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out())
                .contains("skipped " + ip + ": reallocated to handle other (the report has handle c2)")
                .contains("released " + stays)
                .contains("1 released, 0 already free, 1 skipped (1 reallocated) of 2 leaked addresses");
        assertThat(handleOf(ip)).isEqualTo("other");
        assertThat(cli.get(cli.keys.ipamHandle("other"))).contains("\"10.65.0.0/26\":1");
    }

    /**
     * The real store, with a real concurrent writer: before each of the first {@code interfere} transactions, another
     * address of h1 is assigned (so the block's mod revision moves between the release's read and its write).
     */
    private KvStore racing(int interfere) {
        Ipam other = new Ipam(cli.etcd, cli.keys);
        int[] n = {0};
        return (KvStore) Proxy.newProxyInstance(
                KvStore.class.getClassLoader(), new Class<?>[] {KvStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("txn") && n[0]++ < interfere) {
                        other.autoAssign(new Ipam.AutoRequest("h1", "racer" + n[0], Map.of(), 4, null));
                    }
                    try {
                        return method.invoke(cli.etcd, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** The real store, counting in {@code listings} the listings of the hosts' keys (where the users are read). */
    private KvStore countingHostListings(KvStore store, int[] listings) {
        return (KvStore) Proxy.newProxyInstance(
                KvStore.class.getClassLoader(), new Class<?>[] {KvStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("list") && cli.keys.hosts().equals(args[0])) {
                        listings[0]++;
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private List<ReportRelease.Result> releaseWith(KvStore store) {
        List<ReportRelease.Result> out = new ArrayList<>();
        IpamReport parsed = IpamReport.parse(readReport());
        new ReportRelease(store, cli.keys, parsed.revision()).run(parsed.leaked(), out::add);
        return out;
    }

    private String readReport() {
        return ReportFile.read(report, IpamReport.MAX_BYTES);
    }

    @Test
    void aLostCompareAndSwapIsReadAgainThenGivenUp() {
        String leaked = assign("c2");
        check();

        int[] listings = {0};
        List<ReportRelease.Result> gaveUp = releaseWith(countingHostListings(racing(ReportRelease.ATTEMPTS), listings));
        assertThat(listings[0]).as("the users read again on each attempt").isEqualTo(ReportRelease.ATTEMPTS);
        assertThat(gaveUp).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(ReportRelease.Outcome.CHANGED);
            assertThat(r.line()).contains("changed concurrently on each of " + ReportRelease.ATTEMPTS + " attempts");
        });
        assertThat(handleOf(leaked)).isEqualTo("c2");

        List<ReportRelease.Result> second = releaseWith(racing(1));
        assertThat(second)
                .singleElement()
                .extracting(ReportRelease.Result::outcome)
                .isEqualTo(ReportRelease.Outcome.RELEASED);
        assertThat(handleOf(leaked)).isNull();
        assertThat(cli.get(cli.keys.ipamHandle("c2"))).isNull();
    }

    private static final List<String> FIVE_BLOCKS =
            List.of("10.65.0.1", "10.65.1.1", "10.65.2.1", "10.65.3.1", "10.65.4.1");

    /** One leaked address in each of 5 blocks, the 4th of which gains a user after the report. */
    private void fiveBlocks() {
        for (int i = 0; i < FIVE_BLOCKS.size(); i++) {
            new Ipam(cli.etcd, cli.keys).assign(Cidr.host(FIVE_BLOCKS.get(i)), "c" + i, cniAttributes("c" + i), "h1");
        }
        check();
        endpoint("w3", FIVE_BLOCKS.get(3));
    }

    /** What {@link #fiveBlocks} ends as, in address order. */
    private void fiveBlocksReleased(List<ReportRelease.Result> out) {
        assertThat(out)
                .extracting(r -> r.allocation().address().ip())
                .as("in address order")
                .containsExactlyElementsOf(FIVE_BLOCKS);
        assertThat(out)
                .extracting(ReportRelease.Result::outcome)
                .containsExactly(
                        ReportRelease.Outcome.RELEASED,
                        ReportRelease.Outcome.RELEASED,
                        ReportRelease.Outcome.RELEASED,
                        ReportRelease.Outcome.IN_USE,
                        ReportRelease.Outcome.RELEASED);
        assertThat(out.get(3).line()).contains("now in use by endpoint h1/cni/w3/eth0");
        for (int i = 0; i < FIVE_BLOCKS.size(); i++) {
            assertThat(handleOf(FIVE_BLOCKS.get(i))).isEqualTo(i == 3 ? "c3" : null);
        }
    }

    @Test
    void theHostsAreListedOncePerAttemptNotOncePerBlock() {
        fiveBlocks();
        int[] listings = {0};
        List<ReportRelease.Result> out = releaseWith(countingHostListings(cli.etcd, listings));
        assertThat(listings[0]).as("listings of the hosts' keys").isEqualTo(1);
        fiveBlocksReleased(out);
    }

    @Test
    void aBlockWhoseCompareAndSwapLostIsReadAgainWithTheUsersListedOnceMore() {
        fiveBlocks();
        int[] listings = {0};
        List<ReportRelease.Result> out = releaseWith(countingHostListings(racing(1), listings));
        assertThat(listings[0]).as("one listing per attempt, two attempts").isEqualTo(2);
        fiveBlocksReleased(out);
    }

    @Test
    void anEtcdFailureAfterAReleaseStillTellsTheRelease() {
        fiveBlocks();
        int[] txns = {0};
        KvStore failing = (KvStore) Proxy.newProxyInstance(
                KvStore.class.getClassLoader(), new Class<?>[] {KvStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("txn") && ++txns[0] == 2) {
                        throw new EtcdUnreachableException("etcd went away");
                    }
                    try {
                        return method.invoke(cli.etcd, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        List<ReportRelease.Result> out = new ArrayList<>();
        IpamReport parsed = IpamReport.parse(readReport());
        assertThatThrownBy(() -> new ReportRelease(failing, cli.keys, parsed.revision()).run(parsed.leaked(), out::add))
                .isInstanceOf(EtcdUnreachableException.class);
        assertThat(handleOf(FIVE_BLOCKS.get(0)))
                .as("released by the first transaction")
                .isNull();
        assertThat(out)
                .filteredOn(r -> r.outcome() == ReportRelease.Outcome.RELEASED)
                .extracting(r -> r.allocation().address().ip())
                .containsExactly(FIVE_BLOCKS.get(0));
    }

    /** A report changed by {@code change}, written over the report file. */
    private void tamper(Consumer<ObjectNode> change) throws Exception {
        ObjectNode root = (ObjectNode) Json.MAPPER.readTree(Files.readString(report));
        change.accept(root);
        Files.writeString(report, Json.MAPPER.writeValueAsString(root));
    }

    private static ObjectNode allocation(ObjectNode root) {
        return (ObjectNode) root.get("problems").get(0).get("allocation");
    }

    private void refused(String message) {
        List<String> before = cli.snapshot();
        Cli.Result r = cli.run("ipam", "release", "--from-report", report.toString(), "--min-age", "0");
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().strip()).contains(message).doesNotContain("\n");
        assertThat(cli.snapshot()).isEqualTo(before);
    }

    @Test
    void addressesWhoseOwnerRecordsNoUserAreNeverReleased() {
        String byHand =
                cli.ok("ipam", "assign", "--host", "h1", "--handle", "manual").strip();
        String standAlone = assign(
                "cni.sa.eth0",
                Map.of("orchestrator", "cni", "containerID", "sa", "ifname", "eth0", "plugin", "calico-java-ipam"));
        String old = assign("cni.old.eth0", Map.of("orchestrator", "cni", "containerID", "old", "ifname", "eth0"));
        String cni = assign("cni.new.eth0");
        check();

        Cli.Result r = cli.run("ipam", "release", "--from-report", report.toString(), "--min-age", "0");

        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out())
                .contains("skipped " + byHand + ": made by ipam assign")
                .contains("skipped " + standAlone + ": made by the stand-alone IPAM plugin")
                .contains("skipped " + old + ": made by ipam assign, or an owner that did not name itself")
                .contains("released " + cni)
                .contains("1 released, 0 already free, 3 skipped (3 no record of its user) of 4 leaked addresses");
        assertThat(handleOf(byHand)).isEqualTo("manual");
        assertThat(handleOf(standAlone)).isEqualTo("cni.sa.eth0");
        assertThat(handleOf(old)).isEqualTo("cni.old.eth0");
        assertThat(handleOf(cni)).isNull();
    }

    @Test
    void aDockerAddressWithoutHandleIsReleasedOnlyFromABlockUnchangedSinceTheReport() {
        Map<String, String> docker = Map.of("orchestrator", "libnetwork", "host", "h1");
        String first = assign(null, docker);
        check();
        Cli.Result unchanged = cli.run("ipam", "release", "--from-report", report.toString(), "--min-age", "0");
        assertThat(unchanged.out()).as(unchanged.err()).contains("released " + first);

        String again = assign(null, docker); // a new Docker endpoint on its way: same attributes, no handle
        check();
        assign("c9"); // the block changes after the report
        Cli.Result changed = cli.run("ipam", "release", "--from-report", report.toString(), "--min-age", "0");
        assertThat(changed.code()).isEqualTo(1);
        assertThat(changed.out())
                .contains("skipped " + again + ": block 10.65.0.0/26 changed since the report")
                .contains("has no handle");
        assertThat(handleOf(again)).isEqualTo("(none)");
    }

    @Test
    void aReportYoungerThanMinAgeIsRefused() throws Exception {
        assign("c2");
        check();
        List<String> before = cli.snapshot();
        Cli.Result r = cli.run("ipam", "release", "--from-report", report.toString()); // default 30 s
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip())
                .contains("s old, under --min-age 30 s")
                .contains("refused: nothing released")
                .doesNotContain("\n");
        assertThat(cli.snapshot()).isEqualTo(before);
        tamper(root ->
                root.put("created", java.time.Instant.now().minusSeconds(31).toString()));
        assertThat(cli.run("ipam", "release", "--from-report", report.toString())
                        .code())
                .isZero();
    }

    @Test
    void aTamperedReportIsRefusedWholeAndNothingIsWritten() throws Exception {
        assign("c2");
        assign("c3");
        check();
        String good = Files.readString(report);
        String cluster = cli.etcd.clusterId(cli.keys.ipamConfig());

        tamper(r -> allocation(r).put("block", "10.65.0.0/33"));
        refused("problems[0].allocation.block: CIDR");
        Files.writeString(report, good);
        tamper(r -> allocation(r).put("block", "10.65.1.0/26"));
        refused("is not in block 10.65.1.0/26");
        Files.writeString(report, good);
        tamper(r -> allocation(r).put("handle", "c2/../../../v1"));
        refused("handle name");
        Files.writeString(report, good);
        tamper(r -> r.put("version", 99));
        refused("version");
        Files.writeString(report, good);
        String other = cluster.equals("1") ? "2" : "1";
        tamper(r -> r.put("etcdClusterId", other));
        refused("was made against etcd cluster " + other + ", this is " + cluster + " (refused: nothing released)");
        Files.writeString(report, good);
        tamper(r -> r.put("prefix", "/calico-elsewhere"));
        refused("was made for the datastore under /calico-elsewhere");
        Files.writeString(report, "not JSON at all\n");
        refused("not JSON");
        try (RandomAccessFile f = new RandomAccessFile(report.toFile(), "rw")) {
            f.setLength(IpamReport.MAX_BYTES + 1); // sparse
        }
        refused("larger than " + IpamReport.MAX_BYTES + " bytes");
        Files.delete(report);
        Files.createDirectory(report);
        refused("not a regular file");
    }

    @Test
    void theReportFileIsOwnerOnlyAtomicAndParsesBack() throws Exception {
        String leaked = assign("c2");
        Files.writeString(report, "old\n");
        Files.setPosixFilePermissions(report, PosixFilePermissions.fromString("rw-r--r--"));

        Cli.Result r = check();

        assertThat(r.out()).contains("leaked", leaked, "Report saved to " + report);
        assertThat(Files.getPosixFilePermissions(report)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        IpamReport back = IpamReport.parse(Files.readString(report));
        assertThat(back.clusterId()).isEqualTo(cli.etcd.clusterId(cli.keys.ipamConfig()));
        assertThat(back.prefix()).isEqualTo(cli.keys.root());
        assertThat(r.out()).contains("at revision " + back.revision() + ": 1 problem");
        assertThat(back.allocated()).isEqualTo(1);
        assertThat(back.leaked())
                .containsExactly(new IpamCheck.Allocation(Cidr.host(leaked), block, "c2", cniAttributes("c2")));
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(report); // no temporary file left
        }
        // a name that is not a regular file is not replaced
        Path link = dir.resolve("link.json");
        Files.createSymbolicLink(link, report);
        String before = Files.readString(report);
        Cli.Result refused = cli.run("ipam", "check", "-o", link.toString());
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("exists and is not a regular file: not replaced");
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readString(report)).isEqualTo(before);
        // the formats are still formats, in any case, as picocli takes them for the other commands
        assertThat(cli.run("ipam", "check", "-o", "JSON").out()).startsWith("[");
        assertThat(Path.of("JSON")).doesNotExist(); // not a file in the working directory
    }
}
