package org.calicojava.netlink;

import java.util.List;
import java.util.stream.Collectors;

/**
 * An nftables transaction was refused: the kernel applied none of it. {@link #failures()} names each message the
 * kernel refused (its index in the {@code NftBatch}, what it was, the errno and the kernel's reason); a failure with
 * index -1 is the commit itself.
 */
public class NftTransactionException extends NetlinkException {
    private final int messages;
    private final List<BatchException.Failure> failures;

    public NftTransactionException(int messages, List<BatchException.Failure> failures) {
        super("nftables transaction of " + messages + " messages aborted, nothing applied: "
                + failures.stream()
                        .limit(3)
                        .map(f -> "#" + f.index() + " " + f.error().getMessage())
                        .collect(Collectors.joining("; "))
                + (failures.size() > 3 ? "; ..." : ""));
        this.messages = messages;
        this.failures = List.copyOf(failures);
    }

    public int messages() {
        return messages;
    }

    public List<BatchException.Failure> failures() {
        return failures;
    }
}
