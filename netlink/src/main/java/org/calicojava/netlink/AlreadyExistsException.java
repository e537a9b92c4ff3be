package org.calicojava.netlink;

/** EEXIST: the route, device or address already exists. */
public class AlreadyExistsException extends KernelException {
    public AlreadyExistsException(String request, int errno, String meaning, String kernelMessage) {
        super(request, errno, meaning, kernelMessage);
    }
}
