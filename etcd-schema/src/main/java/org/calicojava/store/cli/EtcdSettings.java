package org.calicojava.store.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.calicojava.store.EtcdConfig;

/**
 * The etcd client settings a program runs with, merged from flags, environment and defaults by {@link EtcdOptions}:
 * how to reach etcd and the root of the key layout.
 */
public record EtcdSettings(EtcdConfig etcd, String prefix) {
    public EtcdSettings {
        if (etcd == null) {
            throw new IllegalArgumentException("etcd settings: no etcd config");
        }
        if (prefix == null || !prefix.startsWith("/")) {
            throw new EtcdOptionsException("etcd prefix: '" + prefix + "' (expected: a path starting with /)");
        }
    }

    /**
     * These settings as the environment of a child process (the variables {@link EtcdOptions} reads), so that no
     * secret reaches a command line: every etcd variable is listed, the unset ones mapped to null (to be removed
     * from the child's inherited environment).
     */
    public Map<String, String> childEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : EtcdOptions.ENV_NAMES) {
            env.put(name, null);
        }
        env.put(EtcdOptions.ENV_ENDPOINTS, etcd.describe());
        env.put(EtcdOptions.ENV_PREFIX, prefix);
        if (etcd.caFile() != null) {
            env.put(EtcdOptions.ENV_CA, etcd.caFile().toString());
        }
        if (etcd.certFile() != null) {
            env.put(EtcdOptions.ENV_CERT, etcd.certFile().toString());
            env.put(EtcdOptions.ENV_KEY, etcd.keyFile().toString());
        }
        if (etcd.username() != null) {
            env.put(EtcdOptions.ENV_USERNAME, etcd.username());
            env.put(EtcdOptions.ENV_PASSWORD, etcd.password());
        }
        return env;
    }

    /** Every etcd variable mapped to null: for a child that must not see etcd settings or secrets at all. */
    public static Map<String, String> noEtcdEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : EtcdOptions.ENV_NAMES) {
            env.put(name, null);
        }
        return env;
    }
}
