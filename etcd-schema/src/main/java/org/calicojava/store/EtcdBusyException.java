package org.calicojava.store;

/** A member answered but cannot serve right now (leader election, overload): retried, on another member too. */
public class EtcdBusyException extends EtcdUnreachableException {
    public EtcdBusyException(String message) {
        super(message);
    }
}
