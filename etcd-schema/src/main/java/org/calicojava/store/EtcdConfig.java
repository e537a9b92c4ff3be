package org.calicojava.store;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * How to reach etcd: endpoints, optional TLS files (CA, client cert, key) and optional username/password.
 * From the environment: ETCD_ENDPOINTS (comma separated, default http://127.0.0.1:2379), ETCD_CA_CERT_FILE,
 * ETCD_CERT_FILE, ETCD_KEY_FILE, ETCD_USERNAME, ETCD_PASSWORD.
 */
public record EtcdConfig(List<URI> endpoints, Path caFile, Path certFile, Path keyFile, String username,
                         String password, Duration timeout) {
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
        for (Path p : new Path[]{caFile, certFile, keyFile}) {
            if (p != null && !Files.isReadable(p)) {
                throw new IllegalArgumentException("etcd TLS file: " + p + " is not readable");
            }
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
        return Arrays.stream(t.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(s -> {
            try {
                return URI.create(s.contains("://") ? s : "http://" + s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("etcd endpoint: '" + s + "' (expected: http(s)://HOST:PORT)");
            }
        }).toList();
    }

    public static EtcdConfig fromEnv(Map<String, String> env) {
        return new EtcdConfig(parseEndpoints(env.get("ETCD_ENDPOINTS")), path(env.get("ETCD_CA_CERT_FILE")),
                path(env.get("ETCD_CERT_FILE")), path(env.get("ETCD_KEY_FILE")), env.get("ETCD_USERNAME"),
                env.get("ETCD_PASSWORD"), null);
    }

    private static Path path(String s) {
        return s == null || s.isBlank() ? null : Path.of(s);
    }

    public boolean tls() {
        return endpoints.stream().anyMatch(u -> "https".equals(u.getScheme()));
    }

    public String describe() {
        return String.join(",", endpoints.stream().map(URI::toString).toList());
    }
}
