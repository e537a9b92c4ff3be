package org.calicojava.felix.dataplane;

import org.calicojava.felix.calc.DesiredDataplane;

/**
 * How policy reaches the kernel: the sets, filter chains and nat chains of a {@link DesiredDataplane} (routes and
 * sysctls are shared, see {@link Dataplane}). Implementations: {@link IptablesBackend} (iptables-restore and ipset)
 * and {@link org.calicojava.felix.nft.NftBackend} (one nft transaction into {@code table inet calico}). Owned by the
 * dataplane thread.
 */
public interface PolicyBackend {
    /** "iptables" or "nftables". */
    String name();

    /** Reads the kernel's state back; returns how many objects differ from what this backend last wrote. */
    int refresh();

    /** Writes what differs from the desired state; a failure is a {@link DataplaneException} (refresh, then retry). */
    void apply(DesiredDataplane d);

    int setCount();
}
