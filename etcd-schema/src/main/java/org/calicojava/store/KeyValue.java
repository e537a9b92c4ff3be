package org.calicojava.store;

/** One key in etcd with its value and revisions. */
public record KeyValue(String key, String value, long modRevision, long createRevision) {}
