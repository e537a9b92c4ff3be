package org.calicojava.ipam;

/** An IPAM request that cannot be met (pool exhausted, address taken, no pool), with a message for the user. */
public class IpamException extends RuntimeException {
    public IpamException(String message) {
        super(message);
    }
}
