package org.calicojava.netlink;

/** ENODEV: the interface named or indexed in the request does not exist. */
public class NoSuchDeviceException extends KernelException {
    public NoSuchDeviceException(String request, int errno, String meaning, String kernelMessage) {
        super(request, errno, meaning, kernelMessage);
    }
}
