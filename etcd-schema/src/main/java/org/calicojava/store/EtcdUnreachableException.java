package org.calicojava.store;

/** etcd could not be reached (connection refused, timed out). */
public class EtcdUnreachableException extends DatastoreException {
    public EtcdUnreachableException(String message) {
        super(message);
    }

    public EtcdUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
