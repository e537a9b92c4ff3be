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

/**
 * A {@link WatchableStore} over jetcd (gRPC): for daemons that keep a connection and watch. Every call is bounded by
 * the configured timeout and every failure is translated by {@link EtcdErrors} into an operator-readable exception.
 */
public final class JetcdStore implements WatchableStore {
    private final EtcdConfig config;
    private final Client client;
    private final KV kv;

    public JetcdStore(EtcdConfig config) {
        this.config = config;
        ClientBuilder b = Client.builder().endpoints(config.endpoints().toArray(new URI[0]))
                .connectTimeout(config.timeout()).waitForReady(false);
        if (config.username() != null) {
            b.user(bs(config.username())).password(bs(config.password()));
        }
        if (config.tls()) {
            try {
                SslContextBuilder ssl = SslContextBuilder.forClient().applicationProtocolConfig(
                        new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "h2"));
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

    <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatastoreException("interrupted while talking to etcd at " + endpoint(), e);
        } catch (Exception e) {
            f.cancel(true);
            throw EtcdErrors.translate(e, endpoint());
        }
    }

    @Override
    public Optional<KeyValue> get(String key) {
        GetResponse r = await(kv.get(bs(key)));
        return r.getKvs().isEmpty() ? Optional.empty() : Optional.of(kv(r.getKvs().get(0)));
    }

    @Override
    public ListResult list(String prefix) {
        GetResponse r = await(kv.get(bs(prefix), GetOption.builder().isPrefix(true)
                .withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.ASCEND).build()));
        List<KeyValue> out = new ArrayList<>(r.getKvs().size());
        r.getKvs().forEach(k -> out.add(kv(k)));
        return new ListResult(r.getHeader().getRevision(), out);
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
            throw new RevisionConflictException(key + " changed since it was read (expected revision " + modRevision + ")");
        }
        return r.getHeader().getRevision();
    }

    @Override
    public long put(String key, String value) {
        return await(kv.put(bs(key), bs(value))).getHeader().getRevision();
    }

    @Override
    public boolean delete(String key) {
        return await(kv.delete(bs(key))).getDeleted() > 0;
    }

    @Override
    public void delete(String key, long modRevision) {
        if (!txnResponse(List.of(Compare.modRevision(key, modRevision)), List.of(Op.delete(key))).isSucceeded()) {
            throw new RevisionConflictException(key + " changed since it was read (expected revision " + modRevision + ")");
        }
    }

    @Override
    public long deletePrefix(String prefix) {
        return await(kv.delete(bs(prefix), DeleteOption.builder().isPrefix(true).build())).getDeleted();
    }

    @Override
    public boolean txn(List<Compare> compares, List<Op> ops) {
        return txnResponse(compares, ops).isSucceeded();
    }

    private TxnResponse txnResponse(List<Compare> compares, List<Op> ops) {
        Cmp[] cmps = compares.stream().map(c -> c.modRevision() == 0
                ? new Cmp(bs(c.key()), Cmp.Op.EQUAL, CmpTarget.createRevision(0))
                : new Cmp(bs(c.key()), Cmp.Op.EQUAL, CmpTarget.modRevision(c.modRevision()))).toArray(Cmp[]::new);
        io.etcd.jetcd.op.Op[] then = ops.stream().map(o -> o instanceof Op.Put p
                ? io.etcd.jetcd.op.Op.put(bs(p.key()), bs(p.value()), PutOption.DEFAULT)
                : io.etcd.jetcd.op.Op.delete(bs(o.key()), DeleteOption.DEFAULT)).toArray(io.etcd.jetcd.op.Op[]::new);
        return await(kv.txn().If(cmps).Then(then).commit());
    }

    @Override
    public Watch watch(String prefix, long fromRevision, WatchListener listener) {
        return new PrefixWatch(this, prefix, fromRevision, listener);
    }

    static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    static KeyValue kv(io.etcd.jetcd.KeyValue k) {
        return new KeyValue(k.getKey().toString(StandardCharsets.UTF_8), k.getValue().toString(StandardCharsets.UTF_8),
                k.getModRevision(), k.getCreateRevision());
    }

    @Override
    public void close() {
        client.close();
    }
}
