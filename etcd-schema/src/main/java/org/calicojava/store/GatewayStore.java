package org.calicojava.store;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.calicojava.model.LightJson;

/**
 * A {@link KvStore} over etcd's v3 JSON gateway ({@code POST /v3/kv/range|put|deleterange|txn}): plain HTTP/1.1,
 * no gRPC stack, so a one-shot command starts and finishes quickly. Tries each endpoint in turn. TLS with CA and
 * client certificate; username/password through {@code /v3/auth/authenticate} (token in the Authorization header).
 * Not thread-safe for authentication refresh; one instance per command. Its JSON is jackson-core's streaming API
 * ({@link LightJson}), not databind: a one-shot command's start-up.
 */
public final class GatewayStore implements KvStore {
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private final EtcdConfig config;
    /** etcd's answers while it cannot serve for a moment: another member, or the same after a pause, will. */
    static final List<String> TRANSIENT = List.of(
            "etcdserver: leader changed",
            "etcdserver: no leader",
            "etcdserver: request timed out",
            "etcdserver: too many requests",
            "etcdserver: server stopped",
            "etcdserver: not capable",
            "etcdserver: request timed out, possibly due to connection lost");
    /**
     * How long requests keep being retried while members answer {@link #TRANSIENT}: an election takes about a second,
     * but on a loaded host the members can go through several rounds (5 s was seen to run out on two busy cores).
     */
    static final Duration ELECTION_WAIT = Duration.ofSeconds(10);

    static final Duration MEMBER_CONNECT = Duration.ofMillis(500);

    private final int pageKeys;
    private final HttpClient http; // https only
    private final PlainHttp plain; // http: a bare socket, quick to start
    private URI current;
    private String token;
    /** https members whose TCP port answered (probe()); cleared for one that then fails. */
    private final java.util.Set<URI> probed = new java.util.HashSet<>();

    public GatewayStore(EtcdConfig config) {
        this(config, JetcdStore.PAGE_KEYS);
    }

    /** With another page size (tests). */
    GatewayStore(EtcdConfig config, int pageKeys) {
        this.pageKeys = pageKeys;
        this.config = config;
        if (config.tls()) {
            // java.net.http's connect timeout covers the TLS handshake too, which a cold JVM on a busy machine can take
            // longer than MEMBER_CONNECT for: the whole timeout here, the quick member check is probe()'s
            this.http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(config.timeout())
                    .sslContext(Pem.sslContext(config.caFile(), config.certFile(), config.keyFile()))
                    .build();
        } else {
            this.http = null;
        }
        this.plain = new PlainHttp(
                (int) config.timeout().toMillis(), (int) connectTimeout(config).toMillis());
        this.current = config.endpoints().get(0);
    }

    @Override
    public String endpoint() {
        return config.describe();
    }

    @Override
    public Optional<KeyValue> get(String key) {
        List<Object> kvs = LightJson.array(
                call("/v3/kv/range", range(b64(key), null, 0, 0)).get("kvs"));
        return kvs.isEmpty() ? Optional.empty() : Optional.of(kv(kvs.get(0)));
    }

    @Override
    public String clusterId(String key) {
        Object id =
                LightJson.path(call("/v3/kv/range", range(b64(key), null, 1, 0)).get("header"), "cluster_id");
        String text = LightJson.asText(id, "");
        try {
            return Long.toHexString(Long.parseUnsignedLong(text)); // the gateway writes uint64 as a decimal string
        } catch (NumberFormatException e) {
            throw new DatastoreException("etcd at " + endpoint() + " answered no cluster id ("
                    + org.calicojava.model.LogText.quote(text) + ")");
        }
    }

    /**
     * Every key under {@code prefix} in key order, as of one revision, in pages of {@link JetcdStore#PAGE_KEYS} (as
     * {@link JetcdStore#list}): later pages are read at the first page's revision from the key after the last one read;
     * a compaction meanwhile starts the listing over (at most 3 times).
     */
    @Override
    public ListResult list(String prefix) {
        // an anonymous class, not a lambda: a one-shot command's first lambda costs about 15 ms (java.lang.invoke)
        return CompactedListing.startingOverIfCompacted(new java.util.function.Supplier<ListResult>() {
            @Override
            public ListResult get() {
                return listPages(prefix);
            }
        });
    }

    private ListResult listPages(String prefix) {
        byte[] end = rangeEnd(prefix);
        String from = b64(prefix);
        List<KeyValue> out = new ArrayList<>();
        long revision = 0;
        while (true) {
            Map<String, Object> resp = call("/v3/kv/range", range(from, b64(end), pageKeys, revision));
            if (revision == 0) {
                revision = LightJson.asLong(LightJson.path(resp.get("header"), "revision"));
            }
            List<Object> kvs = LightJson.array(resp.get("kvs"));
            for (Object n : kvs) {
                out.add(kv(n));
            }
            if (!LightJson.asBoolean(resp.get("more")) || kvs.isEmpty()) {
                return new ListResult(revision, out);
            }
            byte[] last = B64D.decode(LightJson.asText(LightJson.path(kvs.get(kvs.size() - 1), "key"), ""));
            from = b64(java.util.Arrays.copyOf(last, last.length + 1)); // the smallest key after the last one
        }
    }

    @Override
    public long create(String key, String value) {
        if (!txnRevision(List.of(Compare.absent(key)), List.of(Op.put(key, value)))) {
            throw new KeyExistsException(key + " already exists");
        }
        return lastRevision;
    }

    @Override
    public long update(String key, String value, long modRevision) {
        if (!txnRevision(List.of(Compare.modRevision(key, modRevision)), List.of(Op.put(key, value)))) {
            throw new RevisionConflictException(
                    key + " changed since it was read (expected revision " + modRevision + ")");
        }
        return lastRevision;
    }

    @Override
    public long put(String key, String value) {
        Map<String, Object> resp = call("/v3/kv/put", g -> {
            g.writeStringField("key", b64(key));
            g.writeStringField("value", b64(value));
        });
        return LightJson.asLong(LightJson.path(resp.get("header"), "revision"));
    }

    @Override
    public boolean delete(String key) {
        return LightJson.asLong(call("/v3/kv/deleterange", g -> g.writeStringField("key", b64(key)))
                        .get("deleted"))
                > 0;
    }

    @Override
    public void delete(String key, long modRevision) {
        if (!txnRevision(List.of(Compare.modRevision(key, modRevision)), List.of(Op.delete(key)))) {
            throw new RevisionConflictException(
                    key + " changed since it was read (expected revision " + modRevision + ")");
        }
    }

    @Override
    public long deletePrefix(String prefix) {
        return LightJson.asLong(call("/v3/kv/deleterange", g -> {
                    g.writeStringField("key", b64(prefix));
                    g.writeStringField("range_end", b64(rangeEnd(prefix)));
                })
                .get("deleted"));
    }

    @Override
    public boolean txn(List<Compare> compares, List<Op> ops) {
        return txnRevision(compares, ops);
    }

    private long lastRevision;

    private boolean txnRevision(List<Compare> compares, List<Op> ops) {
        Map<String, Object> resp = call("/v3/kv/txn", g -> {
            g.writeArrayFieldStart("compare");
            for (Compare c : compares) {
                g.writeStartObject();
                g.writeStringField("key", b64(c.key()));
                g.writeStringField("result", "EQUAL");
                if (c.modRevision() == 0) {
                    g.writeStringField("target", "CREATE");
                    g.writeStringField("create_revision", "0");
                } else {
                    g.writeStringField("target", "MOD");
                    g.writeStringField("mod_revision", Long.toString(c.modRevision()));
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("success");
            for (Op op : ops) {
                g.writeStartObject();
                g.writeObjectFieldStart(op instanceof Op.Put ? "request_put" : "request_delete_range");
                g.writeStringField("key", b64(op.key()));
                if (op instanceof Op.Put p) {
                    g.writeStringField("value", b64(p.value()));
                }
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
        });
        lastRevision = LightJson.asLong(LightJson.path(resp.get("header"), "revision"));
        return LightJson.asBoolean(resp.get("succeeded"));
    }

    /**
     * A range request: base64 keys (JSON-safe as they are) and numbers, so a plain string (no generator, no lambda:
     * the one request of a one-shot read command).
     */
    static String range(String key, String rangeEnd, int limit, long revision) {
        StringBuilder sb =
                new StringBuilder(160).append("{\"key\":\"").append(key).append('"');
        if (rangeEnd != null) {
            sb.append(",\"range_end\":\"")
                    .append(rangeEnd)
                    .append("\",\"sort_order\":\"ASCEND\",\"sort_target\":\"KEY\"");
        }
        if (limit > 0) {
            sb.append(",\"limit\":").append(limit);
        }
        if (revision != 0) {
            sb.append(",\"revision\":").append(revision);
        }
        return sb.append('}').toString();
    }

    private Map<String, Object> call(String path, LightJson.Body body) {
        return call(path, LightJson.write(body));
    }

    private Map<String, Object> call(String path, String json) {
        if (config.username() != null && token == null) {
            authenticate();
        }
        long deadline = System.nanoTime() + ELECTION_WAIT.toNanos();
        for (int round = 0; ; round++) {
            List<URI> order = new ArrayList<>(config.endpoints());
            order.remove(current);
            order.add(0, current);
            DatastoreException last = null;
            DatastoreException handshake = null;
            boolean busy = false;
            for (URI endpoint : order) {
                try {
                    Map<String, Object> resp = post(endpoint, path, json);
                    current = endpoint;
                    return resp;
                } catch (EtcdBusyException e) {
                    last = e;
                    busy = true;
                } catch (EtcdUnreachableException e) {
                    last = e;
                } catch (AuthenticationException e) {
                    // a TLS handshake that failed: a bad certificate (every member will say so: that is the error to
                    // report), or a member that died in the middle of it (another one serves)
                    if (!(e.getCause() instanceof javax.net.ssl.SSLException)
                            || config.endpoints().size() < 2) {
                        throw e;
                    }
                    handshake = e;
                }
            }
            if (handshake != null) {
                last = handshake;
            }
            // a member answered but could not serve (an election, a member catching up): wait and ask again;
            // none answered at all: say so now
            if (!busy || System.nanoTime() > deadline) {
                throw last;
            }
            try {
                Thread.sleep(Math.min(400, 50L << Math.min(round, 3)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw last;
            }
        }
    }

    /** Several members: a connect that takes longer than this goes to the next one. */
    static Duration connectTimeout(EtcdConfig config) {
        return config.endpoints().size() > 1 && config.timeout().compareTo(MEMBER_CONNECT) > 0
                ? MEMBER_CONNECT
                : config.timeout();
    }

    /**
     * With several https members, a member not yet reached is first checked with a bare TCP connect bounded by
     * {@link #connectTimeout} (500 ms), so a dead or cut-off member costs at most that, while the TLS handshake that
     * follows gets the whole timeout (java.net.http counts it in its connect timeout).
     */
    private void probe(URI endpoint) {
        if (config.endpoints().size() < 2 || probed.contains(endpoint)) {
            return;
        }
        int ms = (int) connectTimeout(config).toMillis();
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(
                    new java.net.InetSocketAddress(
                            endpoint.getHost(), endpoint.getPort() < 0 ? 443 : endpoint.getPort()),
                    ms);
        } catch (java.net.SocketTimeoutException e) {
            throw new EtcdUnreachableException(
                    "etcd at " + endpoint + " is unreachable (no connection within " + ms + " ms)", e);
        } catch (ConnectException e) {
            throw new EtcdUnreachableException("etcd at " + endpoint + " is unreachable (connection refused)", e);
        } catch (IOException e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new EtcdUnreachableException("etcd at " + endpoint + " is unreachable (" + m + ")", e);
        }
        probed.add(endpoint);
    }

    private void authenticate() {
        String req = LightJson.write(g -> {
            g.writeStringField("name", config.username());
            g.writeStringField("password", config.password());
        });
        Map<String, Object> resp = null;
        DatastoreException last = null;
        for (URI endpoint : config.endpoints()) {
            try {
                resp = post(endpoint, "/v3/auth/authenticate", req);
                break;
            } catch (EtcdUnreachableException e) {
                last = e;
            }
        }
        if (resp == null) {
            throw last;
        }
        token = LightJson.asText(resp.get("token"), null);
        if (token == null) {
            throw new AuthenticationException("etcd at " + endpoint() + " refused user '" + config.username() + "'");
        }
    }

    private Map<String, Object> post(URI endpoint, String path, String body) {
        if (!"https".equals(endpoint.getScheme())) {
            try {
                PlainHttp.Response r = plain.post(endpoint, path, body, token);
                return answer(endpoint, r.status(), r.body());
            } catch (java.net.SocketTimeoutException e) {
                throw new EtcdUnreachableException(
                        "etcd at " + endpoint + " is unreachable (no answer within "
                                + config.timeout().toSeconds() + " s)",
                        e);
            } catch (ConnectException e) {
                throw new EtcdUnreachableException("etcd at " + endpoint + " is unreachable (connection refused)", e);
            } catch (IOException e) {
                throw new EtcdUnreachableException(
                        "etcd at " + endpoint + " is unreachable (" + e.getMessage() + ")", e);
            }
        }
        probe(endpoint);
        HttpRequest.Builder rb = HttpRequest.newBuilder(endpoint.resolve(path))
                .timeout(config.timeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (token != null) {
            rb.header("Authorization", token);
        }
        HttpResponse<String> resp;
        try {
            resp = http.send(rb.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpTimeoutException e) {
            probed.remove(endpoint);
            throw new EtcdUnreachableException(
                    "etcd at " + endpoint + " is unreachable (no answer within "
                            + config.timeout().toSeconds() + " s)",
                    e);
        } catch (ConnectException e) {
            probed.remove(endpoint);
            throw new EtcdUnreachableException("etcd at " + endpoint + " is unreachable (connection refused)", e);
        } catch (IOException e) {
            probed.remove(endpoint);
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (e instanceof javax.net.ssl.SSLException) {
                throw new AuthenticationException("etcd at " + endpoint + ": TLS handshake failed (" + m + ")", e);
            }
            throw new EtcdUnreachableException("etcd at " + endpoint + " is unreachable (" + m + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatastoreException("interrupted while talking to etcd at " + endpoint, e);
        }
        return answer(endpoint, resp.statusCode(), resp.body());
    }

    private Map<String, Object> answer(URI endpoint, int status, String body) {
        Map<String, Object> json;
        try {
            json = LightJson.parse(body);
        } catch (IOException e) {
            throw new DatastoreException("etcd at " + endpoint + " answered HTTP " + status
                    + " with something that is not JSON (is this etcd's client port?)");
        }
        if (status != 200) {
            String msg = LightJson.asText(json.get("message"), LightJson.asText(json.get("error"), "HTTP " + status));
            if (msg.contains("authentication")
                    || msg.contains("permission denied")
                    || msg.contains("token")
                    || msg.contains("user name")) {
                throw new AuthenticationException("etcd at " + endpoint + ": " + msg);
            }
            if (TRANSIENT.stream().anyMatch(msg::contains)) {
                throw new EtcdBusyException("etcd at " + endpoint + ": " + msg);
            }
            throw new DatastoreException("etcd at " + endpoint + ": " + msg);
        }
        return json;
    }

    private static KeyValue kv(Object n) {
        return new KeyValue(
                unb64(LightJson.asText(LightJson.path(n, "key"), "")),
                unb64(LightJson.asText(LightJson.path(n, "value"), "")),
                LightJson.asLong(LightJson.path(n, "mod_revision")),
                LightJson.asLong(LightJson.path(n, "create_revision")));
    }

    static String b64(String s) {
        return B64.encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String b64(byte[] b) {
        return B64.encodeToString(b);
    }

    private static String unb64(String s) {
        return new String(B64D.decode(s), StandardCharsets.UTF_8);
    }

    /** etcd's range end for a prefix: the prefix with its last byte incremented. */
    static byte[] rangeEnd(String prefix) {
        byte[] b = prefix.getBytes(StandardCharsets.UTF_8);
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] != (byte) 0xff) {
                byte[] end = java.util.Arrays.copyOf(b, i + 1);
                end[i]++;
                return end;
            }
        }
        return new byte[] {0};
    }

    @Override
    public void close() {
        plain.close(); // (HttpClient in Java 17 has no close; its threads are daemons)
    }
}
