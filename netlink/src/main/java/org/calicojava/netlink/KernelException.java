package org.calicojava.netlink;

/**
 * The kernel refused a request. Carries the errno, its meaning for this kind of request ("route exists",
 * "no such device") and the kernel's extended-ack text when it gave one. Catch a subclass for the common cases.
 */
public class KernelException extends NetlinkException {
    private final String request;
    private final int errno;
    private final String meaning;
    private final String kernelMessage;

    public KernelException(String request, int errno, String meaning, String kernelMessage) {
        super(request + ": " + meaning + " (" + Errno.name(errno) + ")"
                + (kernelMessage == null || kernelMessage.isEmpty() ? "" : "; kernel says: " + kernelMessage));
        this.request = request;
        this.errno = errno;
        this.meaning = meaning;
        this.kernelMessage = kernelMessage;
    }

    /** The request that failed, e.g. "add route 10.0.0.0/24 [if 3] proto 3 table 254 scope 253". */
    public String request() {
        return request;
    }

    /** Positive errno, e.g. 17 for EEXIST. */
    public int errno() {
        return errno;
    }

    /** Symbolic errno name, e.g. "EEXIST". */
    public String errnoName() {
        return Errno.name(errno);
    }

    /** What the errno means for this request, e.g. "route exists". */
    public String meaning() {
        return meaning;
    }

    /** The kernel's extended-ack message, or null. */
    public String kernelMessage() {
        return kernelMessage;
    }

    /** What a request is about, for the meaning of its errors. */
    enum Kind {
        ROUTE,
        LINK,
        ADDRESS,
        NEIGHBOUR,
        OTHER
    }

    /** Maps an errno to the most specific exception type with a meaning for {@code kind}. */
    static KernelException of(Kind kind, String request, int errno, String kernelMessage) {
        String meaning = meaning(kind, errno);
        return switch (errno) {
            case 17 -> new AlreadyExistsException(request, errno, meaning, kernelMessage);
            case 19 -> new NoSuchDeviceException(request, errno, meaning, kernelMessage);
            case 2, 3, 99 -> new NotFoundException(request, errno, meaning, kernelMessage);
            case 101, 113 -> new UnreachableException(request, errno, meaning, kernelMessage);
            default -> new KernelException(request, errno, meaning, kernelMessage);
        };
    }

    private static String meaning(Kind kind, int errno) {
        String specific = switch (kind) {
            case ROUTE ->
                switch (errno) {
                    case 17 -> "route exists";
                    case 3 -> "no such route";
                    case 101 -> "gateway unreachable";
                    case 100 -> "device is down";
                    default -> null;
                };
            case LINK ->
                switch (errno) {
                    case 17 -> "device exists";
                    default -> null;
                };
            case ADDRESS ->
                switch (errno) {
                    case 17 -> "address exists";
                    case 99 -> "no such address";
                    default -> null;
                };
            case NEIGHBOUR ->
                switch (errno) {
                    case 17 -> "entry exists";
                    case 2 -> "no such entry";
                    default -> null;
                };
            case OTHER -> null;
        };
        if (specific != null) {
            return specific;
        }
        Errno e = Errno.of(errno);
        return e == null ? "errno " + errno : e.meaning;
    }
}
