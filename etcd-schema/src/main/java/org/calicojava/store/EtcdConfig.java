package org.calicojava.store;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
        if (!anyHttps(endpoints) && (caFile != null || certFile != null || keyFile != null)) {
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
        List<URI> uris = new ArrayList<>();
        for (String part : t.split(",")) {
            String s = part.trim();
            if (s.isEmpty()) {
                continue;
            }
            try {
                uris.add(URI.create(s.contains("://") ? s : "http://" + s));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("etcd endpoint: '" + s + "' (expected: http(s)://HOST:PORT)");
            }
        }
        return List.copyOf(uris);
    }

    /**
     * Whether any endpoint is https. (Loops here, no streams or lambdas: this runs in every one-shot javactl command,
     * where the first lambda costs about 15 ms of start-up for java.lang.invoke's set-up.)
     */
    private static boolean anyHttps(List<URI> endpoints) {
        for (URI u : endpoints) {
            if ("https".equals(u.getScheme())) {
                return true;
            }
        }
        return false;
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
        return anyHttps(endpoints);
    }

    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (URI u : endpoints) {
            sb.append(sb.length() == 0 ? "" : ",").append(u);
        }
        return sb.toString();
    }
}
