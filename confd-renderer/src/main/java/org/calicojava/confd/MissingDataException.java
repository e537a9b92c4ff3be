package org.calicojava.confd;

/** The datastore lacks something a template needs (e.g. this node's IPv4 address); not rendered until it appears. */
public final class MissingDataException extends RuntimeException {
    public MissingDataException(String message) {
        super(message, null, false, false);
    }
}
