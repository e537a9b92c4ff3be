package org.calicojava.store;

/** A transaction guard: the key is absent, or its mod revision equals a value. */
public record Compare(String key, long modRevision) {
    /** Guard that holds when the key does not exist. */
    public static Compare absent(String key) {
        return new Compare(key, 0);
    }

    /** Guard that holds when the key's mod revision is {@code modRevision} (0 means absent). */
    public static Compare modRevision(String key, long modRevision) {
        return new Compare(key, modRevision);
    }
}
