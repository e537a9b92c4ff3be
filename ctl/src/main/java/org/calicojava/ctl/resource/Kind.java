package org.calicojava.ctl.resource;

import java.util.List;
import org.calicojava.model.Keys;
import org.calicojava.store.KvStore;

/**
 * One resource kind: how a v3 resource maps to keys of the v1 layout ({@link Footprint}) and back. Implementations
 * validate with etcd-schema's records and validators (the same ones the v0 commands and the daemons use).
 */
public interface Kind {
    /** The store and key layout a kind reads and writes. */
    record Ctx(KvStore store, Keys keys) {}

    /** A resource as {@code get} prints it and {@code apply} reads it. */
    record Resource(String kind, Meta metadata, Object spec) {}

    /** The v3 kind name ("IPPool"). */
    String kind();

    /** Other names {@code get} accepts (lower case). */
    List<String> aliases();

    /** The record {@code spec} binds to. */
    Class<?> specType();

    /** False for kinds that are only shown (WorkloadEndpoint). */
    default boolean writable() {
        return true;
    }

    /** The keys the resource is stored in, with their values; throws IllegalArgumentException when it is invalid. */
    Footprint footprint(Meta meta, Object spec, Ctx ctx);

    /** The keys deleting the resource removes (values all null); may refuse (a tier that still has policies). */
    Footprint deletion(Meta meta, Object spec, Ctx ctx);

    /** Every stored resource of the kind, sorted by name; bad records are skipped. */
    List<Resource> list(Ctx ctx);

    /** Column names of {@code get -o wide}; the first {@link #narrowColumns()} are the default table. */
    List<String> columns();

    default int narrowColumns() {
        return 2;
    }

    /** One table row for a resource, matching {@link #columns()}. */
    List<Object> row(Resource r);
}
