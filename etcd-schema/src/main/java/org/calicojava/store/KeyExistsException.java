package org.calicojava.store;

/** create found the key already present. */
public class KeyExistsException extends DatastoreException {
    public KeyExistsException(String message) {
        super(message);
    }

    public KeyExistsException(String message, Throwable cause) {
        super(message, cause);
    }
}
