package org.calicojava.ctl;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.calicojava.model.Keys;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;
import org.calicojava.store.KeyValue;

/** Runs javactl in-process against the test etcd under a fresh key root, and reads etcd directly to check. */
final class Cli implements AutoCloseable {
    record Result(int code, String out, String err) {}

    final String endpoints = System.getenv("ETCD_ENDPOINTS");
    final Keys keys = new Keys("/cj-ctl-" + UUID.randomUUID().toString().substring(0, 8));
    final JetcdStore etcd;

    Cli() {
        if (endpoints == null) {
            throw new IllegalStateException("ETCD_ENDPOINTS is not set: run through scripts/test");
        }
        etcd = new JetcdStore(EtcdConfig.of(endpoints));
    }

    Result run(String... args) {
        List<String> a = new ArrayList<>(List.of("--etcd-endpoints", endpoints, "--etcd-prefix", keys.root()));
        a.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(a.toArray(new String[0]), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    /** Runs a command that must succeed; returns stdout. */
    String ok(String... args) {
        Result r = run(args);
        if (r.code() != 0) {
            throw new AssertionError("javactl " + String.join(" ", args) + " failed (" + r.code() + "): " + r.err());
        }
        return r.out();
    }

    /** Every key under the root with value and mod revision: to prove a bad command wrote nothing. */
    List<String> snapshot() {
        return etcd.list(keys.root() + "/").kvs().stream()
                .map(kv -> kv.key() + "=" + kv.value() + "@" + kv.modRevision())
                .toList();
    }

    String get(String key) {
        return etcd.get(key).map(KeyValue::value).orElse(null);
    }

    @Override
    public void close() {
        etcd.deletePrefix(keys.root() + "/");
        etcd.close();
    }
}
