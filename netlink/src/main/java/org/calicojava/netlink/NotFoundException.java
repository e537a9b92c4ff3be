package org.calicojava.netlink;

/** ESRCH, ENOENT or EADDRNOTAVAIL: the route or address to delete or change does not exist. */
public class NotFoundException extends KernelException {
    public NotFoundException(String request, int errno, String meaning, String kernelMessage) {
        super(request, errno, meaning, kernelMessage);
    }
}
