package org.calicojava.store;

/** etcd refused the credentials or the TLS handshake. */
public class AuthenticationException extends DatastoreException {
    public AuthenticationException(String message) {
        super(message);
    }

    public AuthenticationException(String message, Throwable cause) {
        super(message, cause);
    }
}
