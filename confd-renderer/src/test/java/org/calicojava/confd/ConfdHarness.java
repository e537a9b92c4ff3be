package org.calicojava.confd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.calicojava.model.Keys;
import org.calicojava.process.ProcessRunner;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;

/**
 * A confdir in a temp directory with the shipped templates and two resources (speaker YAML, BIRD with the real
 * `bird -p` check) whose reload commands append a line to a count file, and an etcd with a fresh key root.
 */
final class ConfdHarness implements AutoCloseable {
    final Path dir;
    final Path confdir;
    final Keys keys;
    final JetcdStore store;

    ConfdHarness(Path dir) throws IOException {
        this.dir = dir;
        this.confdir = createConfdir(dir);
        this.keys = new Keys("/cj-test-" + UUID.randomUUID().toString().substring(0, 8));
        this.store = new JetcdStore(EtcdConfig.of(endpoints()));
    }

    /** DIR/confd with the shipped templates and the two resources; reload commands count into DIR/reload-*.count. */
    static Path createConfdir(Path dir) throws IOException {
        Path confdir = dir.resolve("confd");
        Files.createDirectories(confdir.resolve("conf.d"));
        Files.createDirectories(confdir.resolve("templates"));
        try (var s = Files.list(ShippedTemplatesTest.CONFDIR.resolve("templates"))) {
            for (Path t : s.toList()) {
                Files.copy(t, confdir.resolve("templates").resolve(t.getFileName()));
            }
        }
        String keysToml = "keys = [\"/bgp/v1/host\", \"/bgp/v1/global\", \"/v1/ipam\", \"/ipam/v2/host/NODENAME\"]\n";
        Files.writeString(
                confdir.resolve("conf.d/bgp-speaker.toml"),
                "[template]\nsrc = \"bgp-speaker.yaml.mustache\"\n"
                        + "dest = \"/etc/calico-java/bgp-speaker.yaml\"\nmode = \"0640\"\n" + keysToml
                        + "reload_cmd = \"echo x >> " + dir.resolve("reload-speaker.count") + "\"\n");
        Files.writeString(
                confdir.resolve("conf.d/bird.toml"),
                "[template]\nsrc = \"bird.conf.mustache\"\n"
                        + "dest = \"/etc/bird/bird.conf\"\n" + keysToml + "check_cmd = \"bird -p -c {{.src}}\"\n"
                        + "reload_cmd = \"echo x >> " + dir.resolve("reload-bird.count") + "\"\n");
        return confdir;
    }

    /**
     * DIR/confd with one small resource: template peers.mustache (each peer's address) to {@code /peers}, its TOML
     * ending in {@code tomlTail} (its keys line, and a reload_cmd or not).
     */
    static Path peersConfdir(Path dir, String tomlTail) throws IOException {
        Path confdir = dir.resolve("confd");
        Files.createDirectories(confdir.resolve("conf.d"));
        Files.createDirectories(confdir.resolve("templates"));
        Files.writeString(confdir.resolve("templates/peers.mustache"), "{{#peers}}{{address}} {{/peers}}\n");
        Files.writeString(
                confdir.resolve("conf.d/peers.toml"),
                "[template]\nsrc = \"peers.mustache\"\ndest = \"/peers\"\n" + tomlTail);
        return confdir;
    }

    static String endpoints() {
        String e = System.getenv("ETCD_ENDPOINTS");
        if (e == null || e.isBlank()) {
            throw new IllegalStateException("ETCD_ENDPOINTS is not set: run the integration tests through scripts/test"
                    + " (or source scripts/lib/etcd.sh and etcd_start), which starts etcd");
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/bird"))) {
            throw new IllegalStateException("/usr/sbin/bird missing: install the bird2 package");
        }
        return e;
    }

    Path destRoot(String node) {
        return dir.resolve("out-" + node);
    }

    /** The command line of {@code bin/confd-renderer} or {@code Main.run} for {@code node} against this harness. */
    String[] args(String node, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of(
                "--node",
                node,
                "--confdir",
                confdir.toString(),
                "--dest-root",
                destRoot(node).toString(),
                "--etcd-endpoints",
                endpoints(),
                "--etcd-prefix",
                keys.root()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    /** Only the speaker's template resource, with {@code reloadCmd} (BIRD's is removed). */
    void speakerOnly(String reloadCmd) throws java.io.IOException {
        java.nio.file.Files.delete(confdir.resolve("conf.d/bird.toml"));
        java.nio.file.Files.writeString(
                confdir.resolve("conf.d/bgp-speaker.toml"),
                "[template]\nsrc = \"bgp-speaker.yaml.mustache\"\n"
                        + "dest = \"/etc/calico-java/bgp-speaker.yaml\"\nmode = \"0600\"\n"
                        + "keys = [\"/bgp/v1/host\", \"/bgp/v1/global\", \"/v1/ipam\", \"/ipam/v2/host/NODENAME\"]\n"
                        + "reload_cmd = \"" + reloadCmd + "\"\n");
    }

    Path speakerFile(String node) {
        return destRoot(node).resolve("etc/calico-java/bgp-speaker.yaml");
    }

    Path birdFile(String node) {
        return destRoot(node).resolve("etc/bird/bird.conf");
    }

    List<TemplateResource> resources(String node) {
        return new ResourceLoader(confdir, node, keys.root(), destRoot(node)).load();
    }

    ResourceProcessor processor(String node) {
        return new ResourceProcessor(
                keys,
                node,
                new TemplateRenderer(confdir.resolve("templates")),
                ProcessRunner.local(),
                Duration.ofSeconds(20));
    }

    ConfdDaemon daemon(String node, Duration quiet, Duration max) {
        return new ConfdDaemon(store, resources(node), processor(node), quiet, max);
    }

    int reloads(String which) throws IOException {
        Path f = dir.resolve("reload-" + which + ".count");
        return Files.exists(f) ? Files.readAllLines(f).size() : 0;
    }

    void put(String key, String value) {
        store.put(key, value);
    }

    void node(String name, String v4, String v6) {
        if (v4 != null) {
            put(keys.bgpHostIp(name, 4), v4);
        }
        if (v6 != null) {
            put(keys.bgpHostIp(name, 6), v6);
        }
    }

    static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** File identity: inode and mtime. */
    static String identity(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        return a.fileKey() + "@" + a.lastModifiedTime().toMillis() + "/" + a.lastModifiedTime();
    }

    /** Polls every 2 ms until the condition holds; returns the elapsed milliseconds, fails after {@code timeout}. */
    static double waitUntil(Duration timeout, String what, BooleanSupplier cond) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
        return (System.nanoTime() - start) / 1e6;
    }

    @Override
    public void close() {
        try {
            store.deletePrefix(keys.root() + "/");
        } finally {
            store.close();
        }
    }
}
