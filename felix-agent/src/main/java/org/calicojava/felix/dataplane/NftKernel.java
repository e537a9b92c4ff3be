package org.calicojava.felix.dataplane;

import org.calicojava.netlink.NfTables;
import org.calicojava.netlink.NftCommit;
import org.calicojava.netlink.NftTable;
import org.calicojava.netlink.NftTransactionException;
import org.calicojava.netlink.nft.NftBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nftables of the agent's namespace over netlink ({@link NfTables}, sockets opened inside it on first use): the
 * generation, for skipping read-backs ({@link DriftGate}), and one table's contents, for reading it back without
 * running {@code nft}. Thread-safe; the two have a socket each, so the dataplane thread reading the generation
 * around a write never waits for a read-back in progress on another thread.
 */
public final class NftKernel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NftKernel.class);
    private static final int NFPROTO_INET = 1;
    private final Namespace ns;
    private final Object genLock = new Object();
    private final Object tableLock = new Object();
    private NfTables gen;
    private NfTables tables;
    private final Object writeLock = new Object();
    private NfTables writes;
    private volatile boolean netlinkWriter = true;
    private boolean warned;

    public NftKernel(Namespace ns) {
        this.ns = ns;
    }

    /** The generation, or -1 when it cannot be read (no nf_tables here): then every refresh reads back. */
    public long generation() {
        synchronized (genLock) {
            try {
                if (gen == null) {
                    gen = ns.run(NfTables::open);
                }
                return gen.generation();
            } catch (RuntimeException e) {
                if (!warned) {
                    warned = true;
                    LOG.warn(
                            "nftables generation unavailable in {} ({}): every refresh reads the rules back",
                            ns.describe(),
                            e.getMessage());
                }
                gen = close(gen);
                return -1;
            }
        }
    }

    /** Table {@code name} of family inet, null when it does not exist. */
    public NftTable inetTable(String name) {
        synchronized (tableLock) {
            try {
                if (tables == null) {
                    tables = ns.run(NfTables::open);
                }
                return tables.table(NFPROTO_INET, name);
            } catch (RuntimeException e) {
                tables = close(tables);
                throw new DataplaneException("read nftables table inet " + name + ": " + e.getMessage());
            }
        }
    }

    /** {@code NftablesWriter}: "netlink" (transactions over netlink, {@link #commit}) or "nft" ({@code nft -f}). */
    public void writer(String writer) {
        netlinkWriter = !"nft".equals(writer);
    }

    public boolean netlinkWriter() {
        return netlinkWriter;
    }

    /** Opens the socket {@link #commit} uses (ahead of the first transaction); failures show at the commit. */
    public void openWrites() {
        synchronized (writeLock) {
            if (writes == null && netlinkWriter) {
                writes = ns.run(NfTables::open);
            }
        }
    }

    /**
     * Commits {@code batch} as one transaction on a socket of its own; the new rules' handles when it asked for them.
     * {@link NftTransactionException}: the kernel refused the content (nothing applied); any other exception: it
     * could not be sent or answered.
     */
    public NftCommit commit(NftBatch batch) {
        synchronized (writeLock) {
            try {
                if (writes == null) {
                    writes = ns.run(NfTables::open);
                }
                return writes.commit(batch);
            } catch (NftTransactionException e) {
                throw e;
            } catch (RuntimeException e) {
                writes = close(writes);
                throw e;
            }
        }
    }

    private static NfTables close(NfTables nf) {
        if (nf != null) {
            nf.close();
        }
        return null;
    }

    @Override
    public void close() {
        synchronized (genLock) {
            gen = close(gen);
        }
        synchronized (tableLock) {
            tables = close(tables);
        }
        synchronized (writeLock) {
            writes = close(writes);
        }
    }
}
