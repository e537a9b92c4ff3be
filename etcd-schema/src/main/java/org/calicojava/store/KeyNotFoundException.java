package org.calicojava.store;

/** the key does not exist. */
public class KeyNotFoundException extends DatastoreException {
    public KeyNotFoundException(String message) {
        super(message);
    }

    public KeyNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
