package org.calicojava.store.cli;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.calicojava.store.EtcdConfig;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The etcd client options of every program (felix-agent, confd-renderer, the Docker driver, javactl), as a picocli
 * mixin, and their one merge: a flag wins over its environment variable, which wins over the default.
 * <pre>
 * --etcd-endpoints URLS       ETCD_ENDPOINTS       default http://127.0.0.1:2379
 * --etcd-ca-cert FILE         ETCD_CA_CERT_FILE    (TLS; only with https:// endpoints)
 * --etcd-cert FILE            ETCD_CERT_FILE       (TLS client certificate, with --etcd-key)
 * --etcd-key FILE             ETCD_KEY_FILE
 * --etcd-username USER        ETCD_USERNAME
 * --etcd-password-file FILE   ETCD_PASSWORD_FILE   (mode 0600 or stricter)
 * --etcd-password PASS        ETCD_PASSWORD        (the flag is visible in ps: prefer the file or the variable)
 * --etcd-prefix PATH          CALICO_ETCD_PREFIX   default /calico
 * </pre>
 * TLS options with only {@code http://} endpoints, a password given twice at one level, or a password file that
 * group or others can read are refused with an {@link EtcdOptionsException} (exit 2).
 * The options are inherited by subcommands (javactl takes them before or after its command words).
 */
public final class EtcdOptions {
    public static final String ENV_ENDPOINTS = "ETCD_ENDPOINTS";
    public static final String ENV_CA = "ETCD_CA_CERT_FILE";
    public static final String ENV_CERT = "ETCD_CERT_FILE";
    public static final String ENV_KEY = "ETCD_KEY_FILE";
    public static final String ENV_USERNAME = "ETCD_USERNAME";
    public static final String ENV_PASSWORD = "ETCD_PASSWORD";
    public static final String ENV_PASSWORD_FILE = "ETCD_PASSWORD_FILE";
    public static final String ENV_PREFIX = "CALICO_ETCD_PREFIX";
    public static final String DEFAULT_PREFIX = "/calico";
    /** Every variable read here. */
    public static final List<String> ENV_NAMES = List.of(
            ENV_ENDPOINTS, ENV_CA, ENV_CERT, ENV_KEY, ENV_USERNAME, ENV_PASSWORD, ENV_PASSWORD_FILE, ENV_PREFIX);
    /** Every option here (each takes a value): to find a command word after them without building a parser. */
    public static final List<String> OPTION_NAMES = List.of(
            "--etcd-endpoints",
            "--etcd-ca-cert",
            "--etcd-cert",
            "--etcd-key",
            "--etcd-username",
            "--etcd-password",
            "--etcd-password-file",
            "--etcd-prefix");

    @Option(
            names = "--etcd-endpoints",
            paramLabel = "URLS",
            scope = ScopeType.INHERIT,
            description = "etcd endpoints, comma separated (env ETCD_ENDPOINTS; default http://127.0.0.1:2379)")
    public String endpoints;

    @Option(
            names = "--etcd-ca-cert",
            paramLabel = "FILE",
            scope = ScopeType.INHERIT,
            description = "CA certificate for etcd TLS, https:// endpoints only (env ETCD_CA_CERT_FILE)")
    public Path ca;

    @Option(
            names = "--etcd-cert",
            paramLabel = "FILE",
            scope = ScopeType.INHERIT,
            description = "client certificate for etcd TLS, with --etcd-key (env ETCD_CERT_FILE)")
    public Path cert;

    @Option(
            names = "--etcd-key",
            paramLabel = "FILE",
            scope = ScopeType.INHERIT,
            description = "client key (PKCS#8 PEM) for etcd TLS (env ETCD_KEY_FILE)")
    public Path key;

    @Option(
            names = "--etcd-username",
            paramLabel = "USER",
            scope = ScopeType.INHERIT,
            description = "etcd user (env ETCD_USERNAME)")
    public String username;

    @Option(
            names = "--etcd-password-file",
            paramLabel = "FILE",
            scope = ScopeType.INHERIT,
            description = "file holding the etcd password, mode 0600 (env ETCD_PASSWORD_FILE)")
    public Path passwordFile;

    @Option(
            names = "--etcd-password",
            paramLabel = "PASS",
            scope = ScopeType.INHERIT,
            description = "etcd password; visible to every local user in ps, prefer --etcd-password-file "
                    + "(env ETCD_PASSWORD)")
    public String password;

    @Option(
            names = "--etcd-prefix",
            paramLabel = "PATH",
            scope = ScopeType.INHERIT,
            hidden = true,
            description = "root of the keys in etcd (env CALICO_ETCD_PREFIX; default /calico)")
    public String prefix;

    /** Flags over {@code env} over defaults; validated. */
    public EtcdSettings resolve(Map<String, String> env) {
        String eps = pick(endpoints, env, ENV_ENDPOINTS);
        List<URI> uris;
        try {
            uris = EtcdConfig.parseEndpoints(eps);
        } catch (IllegalArgumentException e) {
            throw new EtcdOptionsException(e.getMessage());
        }
        Path caFile = path(ca, env, ENV_CA);
        Path certFile = path(cert, env, ENV_CERT);
        Path keyFile = path(key, env, ENV_KEY);
        boolean https = false; // (a loop, not a stream: see EtcdConfig.anyHttps)
        boolean http = false;
        for (URI u : uris) {
            https |= "https".equals(u.getScheme());
            http |= "http".equals(u.getScheme());
        }
        if (!https) {
            List<String> tls = new ArrayList<>();
            addIfSet(tls, caFile, ca, "--etcd-ca-cert", ENV_CA);
            addIfSet(tls, certFile, cert, "--etcd-cert", ENV_CERT);
            addIfSet(tls, keyFile, key, "--etcd-key", ENV_KEY);
            if (!tls.isEmpty()) {
                throw new EtcdOptionsException("etcd TLS options " + String.join(", ", tls) + " given but every etcd "
                        + "endpoint is http:// ("
                        + uris.stream()
                                .map(URI::toString)
                                .reduce((a, b) -> a + "," + b)
                                .orElse("") + "; expected: https:// endpoints, or no TLS options)");
            }
        } else if (http) {
            throw new EtcdOptionsException("etcd endpoints: "
                    + String.join(",", uris.stream().map(URI::toString).toList())
                    + " mix http:// and https:// (expected: one scheme)");
        }
        String user = pick(username, env, ENV_USERNAME);
        String pass = password(env);
        if (pass != null && user == null) {
            throw new EtcdOptionsException("etcd auth: a password given without a user (expected: --etcd-username or "
                    + ENV_USERNAME + " too)");
        }
        String root = pick(prefix, env, ENV_PREFIX);
        try {
            return new EtcdSettings(
                    new EtcdConfig(uris, caFile, certFile, keyFile, user, pass, Duration.ofSeconds(4)),
                    root == null ? DEFAULT_PREFIX : root.trim());
        } catch (EtcdOptionsException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new EtcdOptionsException(e.getMessage());
        }
    }

    private String password(Map<String, String> env) {
        if (password != null && passwordFile != null) {
            throw new EtcdOptionsException("--etcd-password and --etcd-password-file: both given (expected: one)");
        }
        if (password != null) {
            return password;
        }
        if (passwordFile != null) {
            return PasswordFile.read("--etcd-password-file", passwordFile);
        }
        String envPass = value(env, ENV_PASSWORD);
        String envFile = value(env, ENV_PASSWORD_FILE);
        if (envPass != null && envFile != null) {
            throw new EtcdOptionsException(ENV_PASSWORD + " and " + ENV_PASSWORD_FILE + ": both set (expected: one)");
        }
        return envFile != null ? PasswordFile.read(ENV_PASSWORD_FILE, Path.of(envFile)) : envPass;
    }

    private static void addIfSet(List<String> names, Path value, Path flag, String flagName, String envName) {
        if (value != null) {
            names.add(flag != null ? flagName : envName);
        }
    }

    private static String pick(String flag, Map<String, String> env, String name) {
        if (flag != null && !flag.isBlank()) {
            return flag;
        }
        return value(env, name);
    }

    private static Path path(Path flag, Map<String, String> env, String name) {
        if (flag != null) {
            return flag;
        }
        String v = value(env, name);
        return v == null ? null : Path.of(v);
    }

    private static String value(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v;
    }
}
