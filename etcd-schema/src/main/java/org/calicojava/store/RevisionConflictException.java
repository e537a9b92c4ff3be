package org.calicojava.store;

/** compare-and-swap lost: the key changed since it was read. */
public class RevisionConflictException extends DatastoreException {
    public RevisionConflictException(String message) {
        super(message);
    }

    public RevisionConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
