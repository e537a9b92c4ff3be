package org.calicojava.store;

import java.util.List;
import java.util.Optional;

/**
 * The datastore: etcd v3 key-value operations used by every module. Implementations: {@link JetcdStore} (gRPC, with
 * watches, for daemons) and {@link GatewayStore} (etcd's JSON gateway over HTTP, light and quick to start, for
 * one-shot CLI commands). All failures are {@link DatastoreException}s with an operator-readable message.
 */
public interface KvStore extends AutoCloseable {
    Optional<KeyValue> get(String key);

    /** Every key under {@code prefix}, sorted by key, with the store revision they were read at. */
    ListResult list(String prefix);

    /**
     * As {@link #list(String)}, handed to {@code sink} page by page; returns the revision. A store that pages may
     * fetch the next page while {@code sink} works on the current one; this default hands over one page at the end.
     */
    default long list(String prefix, ListSink sink) {
        ListResult all = list(prefix);
        sink.restart();
        sink.page(all.kvs());
        return all.revision();
    }

    /** Creates a key; {@link KeyExistsException} if it exists. Returns the new revision. */
    long create(String key, String value);

    /** Replaces a key if its mod revision is still {@code modRevision}; {@link RevisionConflictException} otherwise. */
    long update(String key, String value, long modRevision);

    /** Writes a key unconditionally. Returns the new revision. */
    long put(String key, String value);

    /** Deletes a key; false if it was not there. */
    boolean delete(String key);

    /** Deletes a key if its mod revision is still {@code modRevision}; {@link RevisionConflictException} otherwise. */
    void delete(String key, long modRevision);

    /** Deletes every key under {@code prefix}; returns how many. */
    long deletePrefix(String prefix);

    /** Applies {@code ops} atomically if every compare holds; returns whether it did. */
    boolean txn(List<Compare> compares, List<Op> ops);

    /**
     * The id of the etcd cluster this store talks to, as etcd writes it (lower-case hex, e.g. {@code cdf818194e3a8c32}),
     * from the header of a read of {@code key} (one the caller may read: with etcd's RBAC, a key under its prefix): tells
     * one cluster from another (a report made against one is not applied to another). Stores that are not etcd's
     * cannot tell.
     */
    default String clusterId(String key) {
        throw new DatastoreException(getClass().getSimpleName() + " cannot tell an etcd cluster id");
    }

    /** The endpoint(s) this store talks to, for messages. */
    String endpoint();

    @Override
    void close();
}
