package org.calicojava.felix.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.calicojava.model.Keys;
import org.calicojava.netlink.NetNs;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;
import org.calicojava.testing.Sh;
import org.calicojava.testing.TcpProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/felix-agent} as an operator runs it, in a fresh JVM: it maps the class-data-sharing archive the build
 * made from {@code cds/classlist}, and the classes its cold start loads come from that archive (the JVM's own
 * class-loading log says where each came from), while it programs a host namespace that packets then cross. A stale
 * archive (a jar newer than it), or one of another JVM only, is left out by the launcher, which dumps one for the
 * next start; {@code
 * FELIX_NO_CDS=1} leaves it out. Which archive the launcher gave the JVM: {@code -XX:+PrintCommandLineFlags}.
 */
class FelixLauncherIT {
    static final Path REPO = Path.of("").toAbsolutePath().getParent();
    static final String HOST = "host1";
    /** A class-loading log line: the class and where it came from. */
    static final Pattern LOADED = Pattern.compile("\\[class,load\\] (\\S+) source: (.+)$");

    TestNet net;
    JetcdStore store;
    TcpProxy relay;
    Process agent;
    Keys keys;

    @TempDir
    Path tmp;

    @AfterEach
    void tearDown() throws Exception {
        Sh.stop(agent, 30);
        Cleanup.close(relay, Cleanup.dropKeys(store, keys), net);
    }

    @Test
    void coldStartLoadsItsClassesFromTheBuildsArchive() throws Exception {
        Sh.require("ip", "nft", "ping");
        String endpoints = System.getenv("ETCD_ENDPOINTS");
        assertThat(endpoints).as("ETCD_ENDPOINTS").isNotBlank();
        assertThat(buildsArchive()).as("the build's archive").exists();
        keys = new Keys("/cj-test-" + UUID.randomUUID());
        store = new JetcdStore(EtcdConfig.of(endpoints));
        net = new TestNet("nl-");
        net.addWorkload(1);
        net.addWorkload(2);
        Records.profile(store, keys, "open", "{\"inbound_rules\":[{}],\"outbound_rules\":[{}]}");
        for (int i = 1; i <= 2; i++) {
            store.put(
                    keys.endpoint(HOST, "test", "wl" + i, "eth0"),
                    Records.endpoint(net.iface(i), "open", TestNet.ip(i), null));
        }
        URI first = EtcdConfig.parseEndpoints(endpoints).get(0);
        relay = new TcpProxy( // etcd on the namespace's loopback
                port -> NetNs.run(net.host, () -> TcpProxy.loopback(port)),
                new InetSocketAddress(first.getHost(), first.getPort()));
        Path classes = tmp.resolve("classes.log");
        Path out = tmp.resolve("agent.log");
        ProcessBuilder pb = new ProcessBuilder(
                        "ip",
                        "netns",
                        "exec",
                        net.host,
                        REPO.resolve("bin/felix-agent").toString(),
                        "--hostname",
                        HOST,
                        "--etcd-endpoints",
                        "http://127.0.0.1:" + relay.port(),
                        "--etcd-prefix",
                        keys.root())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().remove("FELIX_NO_CDS");
        pb.environment().remove("FELIX_JAVA_OPTS");
        pb.environment()
                .putAll(Map.of(
                        "FELIX_HEALTHPORT", "0",
                        "FELIX_PROMETHEUSMETRICSPORT", "0",
                        "FELIX_JAVA_EXTRA_OPTS", "-Xlog:class+load=info:file=" + classes));
        agent = pb.start();
        assertThat(Sh.waitFor(60, () -> read(out).contains("initial sync:")))
                .as("agent ready; its log:%n%s", read(out))
                .isNotNegative();
        assertThat(Sh.waitFor(15, () -> net.ping(net.workloadNs(1), TestNet.ip(2))))
                .as("w1 -> w2 through the host the launched agent programmed")
                .isNotNegative();
        Sh.stop(agent, 30);
        assertThat(read(out)).as("no class-data-sharing warning").doesNotContain("[cds");

        int ours = 0;
        int oursShared = 0;
        int all = 0;
        int allShared = 0;
        for (String line : Files.readAllLines(classes)) {
            Matcher m = LOADED.matcher(line);
            if (!m.find()) {
                continue;
            }
            boolean shared = m.group(2).equals("shared objects file");
            all++;
            allShared += shared ? 1 : 0;
            if (m.group(1).startsWith("org.calicojava.") && !m.group(1).contains("$$Lambda")) {
                ours++;
                oursShared += shared ? 1 : 0;
            }
        }
        System.out.printf(
                "bin/felix-agent cold start: %d of %d classes from the archive, %d of %d of calico-java's%n",
                allShared, all, oursShared, ours);
        assertThat(sourceOf(classes, "org.calicojava.felix.Main")).isEqualTo("shared objects file");
        assertThat(sourceOf(classes, "org.calicojava.felix.nft.NftModel")).isEqualTo("shared objects file");
        // etcd's records are read with jackson-core's streaming parser; databind is not on the start's path (the
        // status reporter loads it later, from its jar)
        assertThat(sourceOf(classes, "com.fasterxml.jackson.core.JsonFactory")).isEqualTo("shared objects file");
        assertThat(sourceOf(classes, "io.grpc.ManagedChannel")).isEqualTo("shared objects file");
        // a cold start that loads classes cds/classlist does not name: felix-agent/cds/classlist.sh writes it again
        assertThat(oursShared).as("calico-java classes from the archive").isGreaterThanOrEqualTo(ours * 8 / 10);
        assertThat(allShared).as("classes from the archive").isGreaterThanOrEqualTo(all * 8 / 10);
    }

    @Test
    void staleArchiveIsLeftOutAndDumpedAgainForTheNextStart() throws Exception {
        // a copy of the launcher's tree whose jar is newer than the archive (as after a jar copied in by hand)
        Path target = copyOfTheTree(false);
        Path jsa = target.resolve(buildsArchive().getFileName());
        Files.copy(buildsArchive(), jsa);
        FileTime stale = FileTime.fromMillis(System.currentTimeMillis() - 60_000);
        Files.setLastModifiedTime(jsa, stale);
        leftOutThenDumpedAgain(jsa, () -> modified(jsa).compareTo(stale) > 0);
    }

    @Test
    void anotherJvmsArchiveIsLeftOutAndOneDumpedForThisJvm() throws Exception {
        // jars older than the archive, but only another JVM's archive (java on the PATH switched to a JDK built
        // before the archive: its libjvm's directory is not newer, and it would refuse the other JVM's archive)
        Path target = copyOfTheTree(true);
        Path other = target.resolve("felix-agent-1.jsa");
        Files.copy(buildsArchive(), other);
        Path jsa = target.resolve(buildsArchive().getFileName());
        leftOutThenDumpedAgain(jsa, () -> Files.exists(jsa));
        assertThat(other).as("the other JVM's archive, left for it").exists();
    }

    /**
     * A copy of the launcher's tree in {@link #tmp} without an archive, the jars' times kept with {@code
     * keepJarTimes}, else modified now; its {@code felix-agent/target}.
     */
    private Path copyOfTheTree(boolean keepJarTimes) throws IOException {
        Path target = tmp.resolve("felix-agent/target");
        Files.createDirectories(target);
        Files.createDirectories(tmp.resolve("bin"));
        Files.createDirectories(tmp.resolve("felix-agent/cds"));
        Files.copy(REPO.resolve("bin/felix-agent"), tmp.resolve("bin/felix-agent"), StandardCopyOption.COPY_ATTRIBUTES);
        for (String f : List.of("classlist", "dump.sh", "jvm.sh")) {
            Files.copy(REPO.resolve("felix-agent/cds/" + f), tmp.resolve("felix-agent/cds/" + f));
        }
        try (var jars = Files.list(REPO.resolve("felix-agent/target"))) {
            for (Path j : jars.filter(p -> p.getFileName().toString().matches("felix-agent-[^-]+(-SNAPSHOT)?\\.jar"))
                    .toList()) {
                if (keepJarTimes) {
                    Files.copy(j, target.resolve(j.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
                } else {
                    Files.copy(j, target.resolve(j.getFileName())); // modified now
                }
            }
        }
        Files.createSymbolicLink(target.resolve("lib"), REPO.resolve("felix-agent/target/lib"));
        return target;
    }

    /** The copy's first start runs without {@code jsa}; a new one is dumped ({@code dumped}), and the next maps it. */
    private void leftOutThenDumpedAgain(Path jsa, java.util.function.BooleanSupplier dumped) throws Exception {
        Path launcher = tmp.resolve("bin/felix-agent");
        Version first = version(launcher, Map.of());
        assertThat(first.archive).as("the launcher's archive flag").isEmpty();
        assertThat(first.mainSource).as("where Main came from").isNotEqualTo("shared objects file");
        assertThat(Sh.waitFor(120, dumped::getAsBoolean))
                .as("a new archive dumped for the next start")
                .isNotNegative();
        Version next = version(launcher, Map.of());
        assertThat(next.archive).isEqualTo(jsa.toString());
        assertThat(next.mainSource).isEqualTo("shared objects file");
        try (var left = Files.list(jsa.getParent())) {
            assertThat(left.map(p -> p.getFileName().toString()).filter(n -> n.matches("felix-agent-.*\\.jsa\\..+")))
                    .as("no temporary archive left")
                    .isEmpty();
        }
    }

    @Test
    void theBuildsArchiveIsMappedUnlessTurnedOff() throws Exception {
        Path launcher = REPO.resolve("bin/felix-agent");
        Version on = version(launcher, Map.of());
        assertThat(on.archive).isEqualTo(buildsArchive().toString());
        assertThat(on.mainSource).isEqualTo("shared objects file");
        Version off = version(launcher, Map.of("FELIX_NO_CDS", "1"));
        assertThat(off.archive).as("FELIX_NO_CDS=1").isEmpty();
        assertThat(off.mainSource).contains("felix-agent-");
    }

    /** The build's archive for the java on the PATH, as {@code cds/jvm.sh} names it for the launcher. */
    private static Path buildsArchive() {
        String name =
                Sh.ok("sh", "-c", ". " + REPO.resolve("felix-agent/cds/jvm.sh") + " && printf %s \"$archive_name\"");
        assertThat(name).matches("felix-agent-[0-9]+\\.jsa");
        return REPO.resolve("felix-agent/target").resolve(name);
    }

    /** What {@code launcher --version} gave the JVM as its archive ("" for none), and where Main came from. */
    record Version(String archive, String mainSource) {}

    private Version version(Path launcher, Map<String, String> env) throws IOException, InterruptedException {
        Path classes = Files.createTempFile(tmp, "classes", ".log");
        Path out = Files.createTempFile(tmp, "version", ".out");
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "--version")
                .redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().remove("FELIX_NO_CDS");
        pb.environment().remove("FELIX_JAVA_OPTS");
        pb.environment().putAll(env);
        pb.environment()
                .put("FELIX_JAVA_EXTRA_OPTS", "-XX:+PrintCommandLineFlags -Xlog:class+load=info:file=" + classes);
        Process p = pb.start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("--version ends").isTrue();
        } finally {
            Sh.stop(p, 5);
        }
        List<String> lines = Files.readAllLines(out);
        assertThat(p.exitValue()).as(String.join("\n", lines)).isZero();
        assertThat(lines).as("the JVM's flags, then the version; no warning").hasSize(2);
        assertThat(lines.get(1)).startsWith("felix-agent ");
        Matcher m = Pattern.compile("-XX:SharedArchiveFile=(\\S+)").matcher(lines.get(0));
        return new Version(m.find() ? m.group(1) : "", sourceOf(classes, "org.calicojava.felix.Main"));
    }

    private static FileTime modified(Path f) {
        try {
            return Files.getLastModifiedTime(f);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static String sourceOf(Path classLog, String className) throws IOException {
        List<String> lines = Files.readAllLines(classLog);
        for (String line : lines) {
            Matcher m = LOADED.matcher(line);
            if (m.find() && m.group(1).equals(className)) {
                return m.group(2);
            }
        }
        return "(not loaded)";
    }

    private static String read(Path f) {
        try {
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
