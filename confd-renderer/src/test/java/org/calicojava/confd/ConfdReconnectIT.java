package org.calicojava.confd;

import org.calicojava.model.Keys;
import org.calicojava.store.DatastoreException;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.calicojava.confd.ConfdHarness.read;
import static org.calicojava.confd.ConfdHarness.waitUntil;

/** The daemon keeps following etcd across an etcd restart (its own etcd, stopped and started by PID). */
class ConfdReconnectIT {
    @TempDir
    Path tmp;

    @Test
    void followsChangesAfterEtcdRestarts() throws Exception {
        Keys keys = new Keys();
        try (PrivateEtcd etcd = new PrivateEtcd().start();
             JetcdStore store = new JetcdStore(EtcdConfig.of(etcd.endpoint()))) {
            Path confdir = ConfdHarness.createConfdir(tmp);
            Path speaker = tmp.resolve("out/etc/calico-java/bgp-speaker.yaml");
            store.put(keys.bgpHostIp("me", 4), "10.0.0.1");
            List<TemplateResource> rs = new ResourceLoader(confdir, "me", keys.root(), tmp.resolve("out")).load();
            ResourceProcessor p = new ResourceProcessor(keys, "me", new TemplateRenderer(confdir.resolve("templates")),
                    new ShellCommandRunner(), Duration.ofSeconds(20));
            try (ConfdDaemon d = new ConfdDaemon(store, rs, p, Duration.ofMillis(50), Duration.ofMillis(200))) {
                assertThat(d.start()).isTrue();
                store.put(keys.bgpHostIp("b", 4), "10.0.0.2");
                waitUntil(Duration.ofSeconds(10), "b", () -> read(speaker).contains("\"10.0.0.2\""));
                etcd.stop();
                Thread.sleep(500);
                etcd.start();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (true) {
                    try {
                        store.put(keys.bgpHostIp("c", 4), "10.0.0.3");
                        break;
                    } catch (DatastoreException e) {
                        if (System.nanoTime() > deadline) {
                            throw e;
                        }
                        Thread.sleep(200);
                    }
                }
                store.delete(keys.bgpHostIp("b", 4));
                waitUntil(Duration.ofSeconds(40), "c added and b gone after the restart", () -> {
                    String s = read(speaker);
                    return s.contains("\"10.0.0.3\"") && !s.contains("\"10.0.0.2\"");
                });
            }
        }
    }
}
