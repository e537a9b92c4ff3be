package org.calicojava.cni;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.calicojava.model.Keys;
import org.calicojava.model.Names;
import org.calicojava.store.GatewayStore;
import org.calicojava.store.KvStore;
import org.calicojava.store.cli.EtcdOptions;
import org.calicojava.store.cli.EtcdSettings;

/**
 * One CNI call: its environment, its network configuration, this host's name and (opened on first use) the etcd
 * store, reached through etcd's JSON gateway ({@link GatewayStore}: plain HTTP/1.1, no gRPC stack to start).
 */
final class Context implements AutoCloseable {
    final CniEnv env;
    final NetConf conf;
    final Map<String, String> processEnv;
    /** The configuration as it came, for delegated plugins. */
    final byte[] stdin;

    private KvStore store;
    private Keys keys;

    Context(CniEnv env, NetConf conf, Map<String, String> processEnv, byte[] stdin) {
        this.env = env;
        this.conf = conf;
        this.processEnv = processEnv;
        this.stdin = stdin;
    }

    /** The node name: the config's {@code nodename}, else $HOSTNAME, else the kernel's host name (as javactl does). */
    String host() {
        if (conf.nodename() != null) {
            return conf.nodename();
        }
        String h = processEnv.get("HOSTNAME");
        if (h == null || h.isBlank()) {
            try {
                h = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
            } catch (IOException e) {
                h = "localhost";
            }
        }
        return Names.check("host", h);
    }

    KvStore store() {
        if (store == null) {
            Map<String, String> merged = new HashMap<>(processEnv);
            merged.putAll(conf.etcdEnv());
            EtcdSettings s;
            try {
                s = new EtcdOptions().resolve(merged);
            } catch (IllegalArgumentException e) {
                throw NetConf.invalid(e.getMessage());
            }
            keys = new Keys(s.prefix());
            store = new GatewayStore(s.etcd());
        }
        return store;
    }

    Keys keys() {
        store();
        return keys;
    }

    @Override
    public void close() {
        if (store != null) {
            store.close();
        }
    }
}
