package org.calicojava.store;

import java.util.function.Supplier;

/**
 * A paginated listing at one revision that starts over when that revision is compacted meanwhile, shared by
 * {@link JetcdStore} and {@link GatewayStore}. Free of jetcd classes: the gateway store runs without them on the class
 * path (the CNI plugin's one-shot process).
 */
final class CompactedListing {
    private CompactedListing() {}

    /** {@code listing}, started over while it fails because its revision was compacted, at most 3 times in all. */
    static <T> T startingOverIfCompacted(Supplier<T> listing) {
        for (int attempt = 1; ; attempt++) {
            try {
                return listing.get();
            } catch (DatastoreException e) {
                if (attempt >= 3 || !isCompacted(e)) {
                    throw e;
                }
            }
        }
    }

    /** The revision asked for was compacted away: said by the message of the failure or of one of its causes. */
    static boolean isCompacted(DatastoreException e) {
        int depth = 0;
        for (Throwable c = e; c != null && depth < 20; c = c.getCause() == c ? null : c.getCause(), depth++) {
            if (c.getMessage() != null && c.getMessage().contains("compacted")) {
                return true;
            }
        }
        return false;
    }
}
