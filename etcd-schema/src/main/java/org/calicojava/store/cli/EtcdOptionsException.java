package org.calicojava.store.cli;

/**
 * Bad etcd client options (flags or environment): a usage error. Every program prints its one-line message and
 * exits 2.
 */
public final class EtcdOptionsException extends IllegalArgumentException {
    public EtcdOptionsException(String message) {
        super(message);
    }
}
