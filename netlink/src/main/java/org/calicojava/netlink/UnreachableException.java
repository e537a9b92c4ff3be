package org.calicojava.netlink;

/** ENETUNREACH or EHOSTUNREACH: the gateway is not reachable through any interface. */
public class UnreachableException extends KernelException {
    public UnreachableException(String request, int errno, String meaning, String kernelMessage) {
        super(request, errno, meaning, kernelMessage);
    }
}
