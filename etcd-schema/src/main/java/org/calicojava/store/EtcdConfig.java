package org.calicojava.store;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * How to reach etcd: endpoints, optional TLS files (CA, client cert, key; only with https:// endpoints) and optional
 * username/password. Programs build it from their flags and environment with
 * {@link org.calicojava.store.cli.EtcdOptions} (the one merge); {@link #toString()} never shows the password.
 */
public record EtcdConfig(
        List<URI> endpoints,
        Path caFile,
        Path certFile,
        Path keyFile,
        String username,
        String password,
        Duration timeout) {
    public static final String DEFAULT_ENDPOINT = "http://127.0.0.1:2379";

    public EtcdConfig {
        if (endpoints == null || endpoints.isEmpty()) {
            throw new IllegalArgumentException("etcd endpoints: none (expected: e.g. " + DEFAULT_ENDPOINT + ")");
        }
        for (URI u : endpoints) {
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException("etcd endpoint: '" + u + "' (expected: http(s)://HOST:PORT)");
            }
        }
        for (Path p : new Path[] {caFile, certFile, keyFile}) {
            if (p != null && !Files.isReadable(p)) {
                throw new IllegalArgumentException("etcd TLS file: " + p + " is not readable");
            }
        }
        boolean https = endpoints.stream().anyMatch(u -> "https".equals(u.getScheme()));
        if (!https && (caFile != null || certFile != null || keyFile != null)) {
            throw new IllegalArgumentException("etcd TLS: CA/certificate/key files given but every endpoint is http://"
                    + " (expected: https:// endpoints, or no TLS files)");
        }
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("etcd TLS: --etcd-cert and --etcd-key go together");
        }
        if (username != null && password == null) {
            throw new IllegalArgumentException("etcd auth: username given without a password");
        }
        timeout = timeout == null ? Duration.ofSeconds(4) : timeout;
    }

    public static EtcdConfig of(String endpoints) {
        return new EtcdConfig(parseEndpoints(endpoints), null, null, null, null, null, null);
    }

    public static List<URI> parseEndpoints(String text) {
        String t = text == null || text.isBlank() ? DEFAULT_ENDPOINT : text;
        return Arrays.stream(t.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .map(s -> {
                    try {
                        return URI.create(s.contains("://") ? s : "http://" + s);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(
                                "etcd endpoint: '" + s + "' (expected: http(s)://HOST:PORT)");
                    }
                })
                .toList();
    }

    /** From the environment alone (no flags): see {@link org.calicojava.store.cli.EtcdOptions}. */
    public static EtcdConfig fromEnv(Map<String, String> env) {
        return new org.calicojava.store.cli.EtcdOptions().resolve(env).etcd();
    }

    /** Everything but the password. */
    @Override
    public String toString() {
        return "EtcdConfig[endpoints=" + describe() + ", caFile=" + caFile + ", certFile=" + certFile + ", keyFile="
                + keyFile + ", username=" + username + ", password=" + (password == null ? "null" : "(hidden)")
                + ", timeout=" + timeout + "]";
    }

    public boolean tls() {
        return endpoints.stream().anyMatch(u -> "https".equals(u.getScheme()));
    }

    public String describe() {
        return String.join(",", endpoints.stream().map(URI::toString).toList());
    }
}
