package org.calicojava.netlink;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Some requests of a {@link Batch} failed; the others were applied. {@link #failures()} maps each error back to its
 * request (the first 1000 are kept; {@link #failedCount()} counts all).
 */
public class BatchException extends NetlinkException {
    private final long total;
    private final long failedCount;
    private final List<Failure> failures;

    /**
     * One failed request.
     *
     * @param index   position of the request in the batch, from 0
     * @param request the {@link Route} or {@link Address} that was submitted
     * @param error   the kernel's answer, e.g. an {@link AlreadyExistsException}
     * @param attribute the type of the request's top-level attribute the kernel refused (its extended ack), or -1
     */
    public record Failure(long index, Object request, KernelException error, int attribute) {
        public Failure(long index, Object request, KernelException error) {
            this(index, request, error, -1);
        }
    }

    public BatchException(long total, long failedCount, List<Failure> failures) {
        super("batch: " + failedCount + " of " + total + " requests failed: "
                + failures.stream()
                        .limit(3)
                        .map(f -> "#" + f.index() + " " + f.error().getMessage())
                        .collect(Collectors.joining("; "))
                + (failedCount > 3 ? "; ..." : ""));
        this.total = total;
        this.failedCount = failedCount;
        this.failures = List.copyOf(failures);
    }

    public long total() {
        return total;
    }

    public long failedCount() {
        return failedCount;
    }

    public List<Failure> failures() {
        return failures;
    }
}
