package org.calicojava.store;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A {@link WatchableStore} over jetcd (gRPC): for daemons that keep a connection and watch. Every call is bounded by
 * the configured timeout and every failure is translated by {@link EtcdErrors} into an operator-readable exception.
 * Listings are paginated ({@value #PAGE_KEYS} keys a page, every page at the first page's revision, the timeout per
 * page), so a datastore of any size lists within gRPC's message limit and never in one long call.
 */
public final class JetcdStore implements WatchableStore {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JetcdStore.class);
    /** Keys per page of a listing (a page that still exceeds the inbound limit is asked again, smaller). */
    static final int PAGE_KEYS = 1000;
    /** gRPC's inbound message limit: jetcd's default is 4 MiB. */
    static final int MAX_INBOUND_BYTES = 64 << 20;
    /** With several members, how long one attempt of a request waits before it is sent again (to a live member). */
    static final java.time.Duration MEMBER_ATTEMPT = java.time.Duration.ofMillis(1500);
    /** gRPC keepalive: a ping after this much silence on the connection; the member is dropped if no answer in ... */
    static final java.time.Duration KEEPALIVE_TIME = java.time.Duration.ofSeconds(10);
    /** ... this long (then requests and watches go to the other members). */
    static final java.time.Duration KEEPALIVE_TIMEOUT = java.time.Duration.ofSeconds(5);

    private final EtcdConfig config;
    private final Client client;
    private final KV kv;
    private final int pageKeys;

    public JetcdStore(EtcdConfig config) {
        this(config, PAGE_KEYS, MAX_INBOUND_BYTES);
    }

    /** With another page size and inbound limit (tests). */
    JetcdStore(EtcdConfig config, int pageKeys, int maxInboundBytes) {
        this.config = config;
        this.pageKeys = pageKeys;
        ClientBuilder b = Client.builder()
                .endpoints(config.endpoints().toArray(new URI[0]))
                .connectTimeout(config.timeout())
                .waitForReady(false)
                // a member cut off without a reset (link down, partition) is given up after 10 s + 5 s of
                // unanswered pings, not jetcd's 30 s + 10 s (etcd refuses pings more often than every 5 s)
                .keepaliveTime(KEEPALIVE_TIME)
                .keepaliveTimeout(KEEPALIVE_TIMEOUT)
                // pings only while a call is open (a watch, a request): etcd permits no pings on a connection without
                // streams and answers the third with GOAWAY too_many_pings (seen on an idle client: the Docker driver
                // between requests); an idle connection to a dead member is found by the next request's timeout
                .keepaliveWithoutCalls(false)
                .maxInboundMessageSize(maxInboundBytes);
        if (config.username() != null) {
            b.user(bs(config.username())).password(bs(config.password()));
        }
        if (config.tls()) {
            try {
                SslContextBuilder ssl = SslContextBuilder.forClient()
                        .applicationProtocolConfig(new ApplicationProtocolConfig(
                                ApplicationProtocolConfig.Protocol.ALPN,
                                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                                "h2"));
                if (config.caFile() != null) {
                    ssl.trustManager(config.caFile().toFile());
                }
                if (config.certFile() != null) {
                    ssl.keyManager(config.certFile().toFile(), config.keyFile().toFile());
                }
                b.sslContext(ssl.build());
            } catch (Exception e) {
                throw new IllegalArgumentException("etcd TLS files: " + e.getMessage(), e);
            }
        }
        this.client = b.build();
        this.kv = client.getKVClient();
    }

    Client client() {
        return client;
    }

    EtcdConfig config() {
        return config;
    }

    @Override
    public String endpoint() {
        return config.describe();
    }

    /**
     * Runs one request. With several members, an attempt that gets no answer within {@link #MEMBER_ATTEMPT} (a member
     * that died with the request in flight) or that a member refuses while it cannot serve (an election) is sent again,
     * until {@link GatewayStore#ELECTION_WAIT} has passed: jetcd sends the new attempt to a member that is up. A
     * compare-and-swap that was applied before its answer was lost then fails its compare, as any conflict does.
     */
    <T> T await(Supplier<CompletableFuture<T>> request) {
        return awaitStarted(request.get(), request);
    }

    /**
     * As {@link #await}, with the first attempt already in flight ({@code first}); {@code request} makes the retries.
     */
    <T> T awaitStarted(CompletableFuture<T> first, Supplier<CompletableFuture<T>> request) {
        boolean cluster = config.endpoints().size() > 1;
        long attemptMillis = cluster
                ? Math.min(MEMBER_ATTEMPT.toMillis(), config.timeout().toMillis())
                : config.timeout().toMillis();
        long deadline = System.nanoTime()
                + config.timeout().plus(GatewayStore.ELECTION_WAIT).toNanos();
        CompletableFuture<T> next = first;
        while (true) {
            CompletableFuture<T> f = next;
            next = null;
            try {
                return f.get(attemptMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DatastoreException("interrupted while talking to etcd at " + endpoint(), e);
            } catch (Exception e) {
                f.cancel(true);
                DatastoreException d = EtcdErrors.translate(e, endpoint());
                boolean busy = d instanceof EtcdUnreachableException
                        || GatewayStore.TRANSIENT.stream()
                                .anyMatch(t -> String.valueOf(d.getMessage()).contains(t));
                if (!cluster || !busy || System.nanoTime() > deadline) {
                    throw d;
                }
                LOG.debug("etcd request retried: {}", d.getMessage());
                next = request.get();
            }
        }
    }

    @Override
    public Optional<KeyValue> get(String key) {
        GetResponse r = await(() -> kv.get(bs(key)));
        return r.getKvs().isEmpty()
                ? Optional.empty()
                : Optional.of(kv(r.getKvs().get(0)));
    }

    @Override
    public String clusterId(String key) {
        GetResponse r = await(
                () -> kv.get(bs(key), GetOption.builder().withKeysOnly(true).build()));
        return Long.toHexString(r.getHeader().getClusterId());
    }

    /**
     * Every key under {@code prefix} in key order, as of one revision: the first page's; later pages are read at that
     * revision from the key after the last one read. If that revision is compacted meanwhile, the listing starts over
     * (at most 3 times). A page over the inbound limit is asked again with a quarter of the keys.
     */
    @Override
    public ListResult list(String prefix) {
        List<KeyValue> out = new ArrayList<>();
        long revision = list(prefix, new ListSink() {
            @Override
            public void restart() {
                out.clear();
            }

            @Override
            public void page(List<KeyValue> kvs) {
                out.addAll(kvs);
            }
        });
        return new ListResult(revision, out);
    }

    /**
     * As {@link #list(String)}, page by page: each page's successor is requested before {@code sink} gets the page,
     * so the caller's work on it overlaps the next page's transfer.
     */
    @Override
    public long list(String prefix, ListSink sink) {
        return CompactedListing.startingOverIfCompacted(() -> {
            sink.restart();
            return listPages(prefix, sink);
        });
    }

    private long listPages(String prefix, ListSink sink) {
        ByteSequence end = ByteSequence.from(prefixEnd(prefix.getBytes(StandardCharsets.UTF_8)));
        ByteSequence from = bs(prefix);
        long revision = 0;
        int limit = pageKeys;
        CompletableFuture<GetResponse> ahead = null; // the page after the last one, already requested
        while (true) {
            GetResponse r;
            Supplier<CompletableFuture<GetResponse>> request = pageRequest(from, end, limit, revision);
            try {
                r = ahead != null ? awaitStarted(ahead, request) : await(request);
            } catch (DatastoreException e) {
                if (limit > 1 && EtcdErrors.isTooLarge(e)) {
                    limit = Math.max(1, limit / 4);
                    ahead = null;
                    continue;
                }
                throw e;
            }
            if (revision == 0) {
                revision = r.getHeader().getRevision();
            }
            boolean last = !r.isMore() || r.getKvs().isEmpty();
            if (!last) {
                byte[] lastKey = r.getKvs().get(r.getKvs().size() - 1).getKey().getBytes();
                from = ByteSequence.from(java.util.Arrays.copyOf(lastKey, lastKey.length + 1)); // the next key after
                ahead = pageRequest(from, end, limit, revision).get();
            }
            List<KeyValue> page = new ArrayList<>(r.getKvs().size());
            r.getKvs().forEach(k -> page.add(kv(k)));
            try {
                sink.page(page);
            } catch (RuntimeException | Error e) { // the page asked for ahead is not wanted any more
                if (ahead != null) {
                    ahead.cancel(true);
                }
                throw e;
            }
            if (last) {
                return revision;
            }
        }
    }

    /** A request for up to {@code limit} keys from {@code from} (at {@code revision} unless 0), not yet sent. */
    private Supplier<CompletableFuture<GetResponse>> pageRequest(
            ByteSequence from, ByteSequence end, int limit, long revision) {
        GetOption.Builder o = GetOption.builder()
                .withRange(end)
                .withLimit(limit)
                .withSortField(GetOption.SortTarget.KEY)
                .withSortOrder(GetOption.SortOrder.ASCEND);
        if (revision != 0) {
            o.withRevision(revision);
        }
        GetOption opts = o.build();
        return () -> kv.get(from, opts);
    }

    /** etcd's range end for a prefix: the prefix with its last byte below 0xff incremented (and the rest cut). */
    static byte[] prefixEnd(byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if ((prefix[i] & 0xff) != 0xff) {
                byte[] end = java.util.Arrays.copyOf(prefix, i + 1);
                end[i]++;
                return end;
            }
        }
        return new byte[] {0}; // all 0xff: to the end of the key space
    }

    @Override
    public long create(String key, String value) {
        TxnResponse r = txnResponse(List.of(Compare.absent(key)), List.of(Op.put(key, value)));
        if (!r.isSucceeded()) {
            throw new KeyExistsException(key + " already exists");
        }
        return r.getHeader().getRevision();
    }

    @Override
    public long update(String key, String value, long modRevision) {
        TxnResponse r = txnResponse(List.of(Compare.modRevision(key, modRevision)), List.of(Op.put(key, value)));
        if (!r.isSucceeded()) {
            throw new RevisionConflictException(
                    key + " changed since it was read (expected revision " + modRevision + ")");
        }
        return r.getHeader().getRevision();
    }

    @Override
    public long put(String key, String value) {
        return await(() -> kv.put(bs(key), bs(value))).getHeader().getRevision();
    }

    @Override
    public boolean delete(String key) {
        return await(() -> kv.delete(bs(key))).getDeleted() > 0;
    }

    @Override
    public void delete(String key, long modRevision) {
        if (!txnResponse(List.of(Compare.modRevision(key, modRevision)), List.of(Op.delete(key)))
                .isSucceeded()) {
            throw new RevisionConflictException(
                    key + " changed since it was read (expected revision " + modRevision + ")");
        }
    }

    @Override
    public long deletePrefix(String prefix) {
        return await(() -> kv.delete(
                        bs(prefix), DeleteOption.builder().isPrefix(true).build()))
                .getDeleted();
    }

    @Override
    public boolean txn(List<Compare> compares, List<Op> ops) {
        return txnResponse(compares, ops).isSucceeded();
    }

    private TxnResponse txnResponse(List<Compare> compares, List<Op> ops) {
        Cmp[] cmps = compares.stream()
                .map(c -> c.modRevision() == 0
                        ? new Cmp(bs(c.key()), Cmp.Op.EQUAL, CmpTarget.createRevision(0))
                        : new Cmp(bs(c.key()), Cmp.Op.EQUAL, CmpTarget.modRevision(c.modRevision())))
                .toArray(Cmp[]::new);
        io.etcd.jetcd.op.Op[] then = ops.stream()
                .map(o -> o instanceof Op.Put p
                        ? io.etcd.jetcd.op.Op.put(bs(p.key()), bs(p.value()), PutOption.DEFAULT)
                        : io.etcd.jetcd.op.Op.delete(bs(o.key()), DeleteOption.DEFAULT))
                .toArray(io.etcd.jetcd.op.Op[]::new);
        return await(() -> kv.txn().If(cmps).Then(then).commit());
    }

    @Override
    public Watch watch(String prefix, long fromRevision, WatchListener listener) {
        return new PrefixWatch(this, prefix, fromRevision, listener);
    }

    static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    static KeyValue kv(io.etcd.jetcd.KeyValue k) {
        return new KeyValue(
                k.getKey().toString(StandardCharsets.UTF_8),
                k.getValue().toString(StandardCharsets.UTF_8),
                k.getModRevision(),
                k.getCreateRevision());
    }

    @Override
    public void close() {
        client.close();
    }
}
