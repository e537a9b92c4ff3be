package org.calicojava.felix.dataplane;

import org.calicojava.netlink.NfTables;
import org.calicojava.netlink.NftTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nftables of the agent's namespace over netlink ({@link NfTables}, a socket opened inside it on first use): the
 * generation, for skipping read-backs ({@link DriftGate}), and one table's contents, for reading it back without
 * running {@code nft}. Thread-safe.
 */
public final class NftKernel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NftKernel.class);
    private static final int NFPROTO_INET = 1;
    private final Namespace ns;
    private NfTables nf;
    private boolean warned;

    public NftKernel(Namespace ns) {
        this.ns = ns;
    }

    /** The generation, or -1 when it cannot be read (no nf_tables here): then every refresh reads back. */
    public synchronized long generation() {
        try {
            return socket().generation();
        } catch (RuntimeException e) {
            if (!warned) {
                warned = true;
                LOG.warn("nftables generation unavailable in {} ({}): every refresh reads the rules back",
                        ns.describe(), e.getMessage());
            }
            close();
            return -1;
        }
    }

    /** Table {@code name} of family inet, null when it does not exist. */
    public synchronized NftTable inetTable(String name) {
        try {
            return socket().table(NFPROTO_INET, name);
        } catch (RuntimeException e) {
            close();
            throw new DataplaneException("read nftables table inet " + name + ": " + e.getMessage());
        }
    }

    private NfTables socket() {
        if (nf == null) {
            nf = ns.run(NfTables::open);
        }
        return nf;
    }

    @Override
    public synchronized void close() {
        if (nf != null) {
            nf.close();
            nf = null;
        }
    }
}
