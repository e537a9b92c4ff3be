package org.calicojava.store;

import java.util.List;

/** The keys under a prefix at one store revision (a watch resumes from {@code revision + 1}). */
public record ListResult(long revision, List<KeyValue> kvs) {
    public ListResult {
        kvs = List.copyOf(kvs);
    }
}
