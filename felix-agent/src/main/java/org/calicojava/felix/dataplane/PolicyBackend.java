package org.calicojava.felix.dataplane;

import org.calicojava.felix.calc.DesiredDataplane;

/**
 * How policy reaches the kernel: the sets, filter chains and nat chains of a {@link DesiredDataplane} (routes and
 * sysctls are shared, see {@link Dataplane}). Implementations: {@link IptablesBackend} (iptables-restore and ipset)
 * and {@link org.calicojava.felix.nft.NftBackend} (one nft transaction into {@code table inet calico}, two into an empty one). Owned by the
 * dataplane thread.
 */
public interface PolicyBackend {
    /** "iptables" or "nftables". */
    String name();

    /** Reads the kernel's state back; returns how many objects differ from what this backend last wrote. */
    int refresh();

    /** Writes what differs from the desired state; a failure is a {@link DataplaneException} (refresh, then retry). */
    void apply(DesiredDataplane d);

    /**
     * {@link #apply}, running {@code guarded} once the kernel drops the traffic of every workload interface whose
     * policy is not in place yet (routes to workloads may be written from then on, beside the rest of the apply).
     * Not run when the apply fails before that point. By default: after the apply.
     */
    default void apply(DesiredDataplane d, Runnable guarded) {
        apply(d);
        guarded.run();
    }

    int setCount();

    /**
     * Reads the kernel's state on any thread, for {@link #adopt} on the dataplane thread (a read-back at 10,000
     * endpoints takes seconds; the dataplane thread keeps programming meanwhile). Null: this backend reads only
     * synchronously, in {@link #refresh}.
     */
    default Snapshot read() {
        return null;
    }

    /** Takes a {@link #read} result: how many objects drifted, or -1 when it is stale (written since). */
    default int adopt(Snapshot snapshot) {
        return refresh();
    }

    /** What {@link #read} returns: the backend's own record of what it read. */
    interface Snapshot {}
}
