package org.calicojava.felix.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
 * class-loading log says where each came from), while it programs a host namespace that packets then cross. A jar
 * newer than the archive, or {@code FELIX_JAVA_CDS=off}: the JVM runs without the archive and without a warning.
 */
class FelixLauncherIT {
    static final Path REPO = Path.of("").toAbsolutePath().getParent();
    static final String HOST = "host1";
    static final String JAVA_OPTS = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:MetaspaceSize=64m";
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
    void tearDown() {
        Sh.stop(agent, 30);
        if (relay != null) {
            relay.close();
        }
        if (store != null) {
            store.deletePrefix(keys.root() + "/");
            store.close();
        }
        if (net != null) {
            net.close();
        }
    }

    @Test
    void coldStartLoadsItsClassesFromTheBuildsArchive() throws Exception {
        Sh.require("ip", "nft", "ping");
        String endpoints = System.getenv("ETCD_ENDPOINTS");
        assertThat(endpoints).as("ETCD_ENDPOINTS").isNotBlank();
        assertThat(REPO.resolve("felix-agent/target/felix-agent.jsa"))
                .as("the build's archive")
                .exists();
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
        pb.environment()
                .putAll(Map.of(
                        "FELIX_HEALTHPORT", "0",
                        "FELIX_PROMETHEUSMETRICSPORT", "0",
                        "FELIX_JAVA_OPTS", JAVA_OPTS + " -Xlog:class+load=info:file=" + classes));
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
        assertThat(sourceOf(classes, "com.fasterxml.jackson.databind.ObjectMapper"))
                .isEqualTo("shared objects file");
        assertThat(sourceOf(classes, "io.grpc.ManagedChannel")).isEqualTo("shared objects file");
        // a cold start that loads classes cds/classlist does not name: felix-agent/cds/classlist.sh writes it again
        assertThat(oursShared).as("calico-java classes from the archive").isGreaterThanOrEqualTo(ours * 8 / 10);
        assertThat(allShared).as("classes from the archive").isGreaterThanOrEqualTo(all * 8 / 10);
    }

    @Test
    void staleArchiveOrOffRunsWithoutItAndWithoutAWarning() throws Exception {
        // a copy of the launcher's tree whose jar is newer than the archive (as after a jar copied in by hand)
        Path target = tmp.resolve("felix-agent/target");
        Files.createDirectories(target);
        Files.createDirectories(tmp.resolve("bin"));
        Files.copy(REPO.resolve("bin/felix-agent"), tmp.resolve("bin/felix-agent"), StandardCopyOption.COPY_ATTRIBUTES);
        Path jsa = REPO.resolve("felix-agent/target/felix-agent.jsa");
        Files.copy(jsa, target.resolve("felix-agent.jsa"), StandardCopyOption.COPY_ATTRIBUTES);
        try (var jars = Files.list(REPO.resolve("felix-agent/target"))) {
            for (Path j : jars.filter(p -> p.getFileName().toString().matches("felix-agent-[^-]+(-SNAPSHOT)?\\.jar"))
                    .toList()) {
                Files.copy(j, target.resolve(j.getFileName())); // a new modification time
            }
        }
        Files.createSymbolicLink(target.resolve("lib"), REPO.resolve("felix-agent/target/lib"));
        Files.setLastModifiedTime(
                target.resolve("felix-agent.jsa"),
                java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));

        assertThat(versionClassSource(tmp.resolve("bin/felix-agent"), Map.of()))
                .as("stale archive")
                .isNotEqualTo("shared objects file")
                .contains("felix-agent-");
        assertThat(versionClassSource(REPO.resolve("bin/felix-agent"), Map.of("FELIX_JAVA_CDS", "off")))
                .as("FELIX_JAVA_CDS=off")
                .contains("felix-agent-");
        assertThat(versionClassSource(REPO.resolve("bin/felix-agent"), Map.of()))
                .as("the build's archive")
                .isEqualTo("shared objects file");
    }

    /** Runs {@code launcher --version}; returns where the JVM loaded felix-agent's Main from. */
    private String versionClassSource(Path launcher, Map<String, String> env) throws IOException, InterruptedException {
        Path classes = Files.createTempFile(tmp, "classes", ".log");
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "--version").redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.environment().put("FELIX_JAVA_OPTS", JAVA_OPTS + " -Xlog:class+load=info:file=" + classes);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).as("only the version, no warning").isEqualTo("felix-agent 0.1.0\n");
        return sourceOf(classes, "org.calicojava.felix.Main");
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
