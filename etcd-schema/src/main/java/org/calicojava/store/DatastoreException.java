package org.calicojava.store;

/** A datastore failure with a message an operator understands; no gRPC detail in the message. */
public class DatastoreException extends RuntimeException {
    public DatastoreException(String message) {
        super(message);
    }

    public DatastoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
