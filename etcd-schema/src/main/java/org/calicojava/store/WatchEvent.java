package org.calicojava.store;

/** A change under a watched prefix: a put (value set) or a delete (value null). */
public record WatchEvent(Type type, String key, String value, long modRevision) {
    public enum Type {
        PUT,
        DELETE
    }
}
