package org.calicojava.felix.dataplane;

import org.calicojava.netlink.NftGeneration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.LongSupplier;

/**
 * The nftables generation of the agent's namespace ({@link NftGeneration}, one netlink request), or -1 when it cannot
 * be read (no nf_tables in this kernel): then every refresh reads back. Thread-safe.
 */
public final class RulesetGeneration implements LongSupplier, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RulesetGeneration.class);
    private final Namespace ns;
    private NftGeneration gen;
    private boolean warned;

    public RulesetGeneration(Namespace ns) {
        this.ns = ns;
    }

    @Override
    public synchronized long getAsLong() {
        try {
            if (gen == null) {
                gen = ns.run(NftGeneration::open);
            }
            return gen.current();
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

    @Override
    public synchronized void close() {
        if (gen != null) {
            gen.close();
            gen = null;
        }
    }
}
