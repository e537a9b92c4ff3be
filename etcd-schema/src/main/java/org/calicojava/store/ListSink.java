package org.calicojava.store;

import java.util.List;

/**
 * Receives a listing page by page ({@link KvStore#list(String, ListSink)}), so that a caller can work on one page
 * while the store fetches the next. Pages come in key order, all at the listing's one revision.
 */
public interface ListSink {
    /** The listing starts: before the first page, and again when it starts over (its revision was compacted). */
    void restart();

    /** The next page of keys. */
    void page(List<KeyValue> kvs);
}
