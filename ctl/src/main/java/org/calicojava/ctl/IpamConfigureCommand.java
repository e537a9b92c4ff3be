package org.calicojava.ctl;

import java.util.Optional;
import org.calicojava.ipam.IpamConfig;
import org.calicojava.model.Json;
import org.calicojava.store.KeyExistsException;
import org.calicojava.store.KeyValue;
import org.calicojava.store.RevisionConflictException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code javactl ipam configure}, as {@code calicoctl ipam configure}: IPAM's settings at {@code /calico/ipam/v2/config}
 * (strict affinity, automatic block allocation, the cap on a host's blocks). With no option it shows them. A change is
 * one compare-and-swap on the key's revision, so two operators never lose each other's change; a stored value that
 * cannot be read is replaced, and the output says so.
 */
@Command(
        name = "configure",
        description = "IPAM settings: --strictaffinity (no borrowing from other hosts' blocks), --auto-allocate-blocks,"
                + " --max-blocks-per-host (0: no cap); with none, show them.")
final class IpamConfigureCommand extends Sub {
    @Option(
            names = {"--strictaffinity", "--strict-affinity"},
            arity = "1",
            paramLabel = "true|false",
            description = "forbid borrowing an address from another host's block")
    Boolean strictAffinity;

    @Option(
            names = "--auto-allocate-blocks",
            arity = "1",
            paramLabel = "true|false",
            description = "let hosts claim new blocks (default true)")
    Boolean autoAllocateBlocks;

    @Option(
            names = "--max-blocks-per-host",
            paramLabel = "N",
            description = "the most blocks one host may claim per IP version; 0: no cap (default)")
    Integer maxBlocksPerHost;

    @Mixin
    Format format;

    private static final int ATTEMPTS = 5;

    @Override
    public void run() {
        if (strictAffinity == null && autoAllocateBlocks == null && maxBlocksPerHost == null) {
            Stored stored = read();
            if (stored.unreadable != null) {
                throw fail("the IPAM config cannot be read (" + stored.unreadable + "); IPAM assigns nothing until"
                        + " it is replaced: javactl ipam configure --strictaffinity true|false");
            }
            show(stored.config);
            return;
        }
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Stored stored = read();
            IpamConfig next;
            try {
                IpamConfig base = stored.config;
                next = new IpamConfig(
                        strictAffinity != null ? strictAffinity : base.strictAffinity(),
                        autoAllocateBlocks != null ? autoAllocateBlocks : base.autoAllocateBlocks(),
                        maxBlocksPerHost != null ? maxBlocksPerHost : base.maxBlocksPerHost());
            } catch (IllegalArgumentException e) {
                throw fail("--max-blocks-per-host: " + e.getMessage());
            }
            try {
                if (stored.kv.isPresent()) {
                    store().update(
                                    keys().ipamConfig(),
                                    Json.write(next),
                                    stored.kv.get().modRevision());
                } else {
                    store().create(keys().ipamConfig(), Json.write(next));
                }
            } catch (RevisionConflictException | KeyExistsException e) {
                continue; // changed under us: read again
            }
            if (stored.unreadable != null) {
                out().println("Replaced an unreadable IPAM config (" + stored.unreadable + ")");
            }
            show(next);
            return;
        }
        throw fail("the IPAM config kept changing under this command (" + ATTEMPTS + " attempts); try again");
    }

    private record Stored(Optional<KeyValue> kv, IpamConfig config, String unreadable) {}

    private Stored read() {
        Optional<KeyValue> kv = store().get(keys().ipamConfig());
        if (kv.isEmpty()) {
            return new Stored(kv, IpamConfig.DEFAULT, null);
        }
        try {
            return new Stored(kv, Json.read(kv.get().value(), IpamConfig.class), null);
        } catch (IllegalArgumentException e) {
            return new Stored(kv, IpamConfig.DEFAULT, org.calicojava.model.LogText.oneLine(e.getMessage()));
        }
    }

    private void show(IpamConfig c) {
        Table t = new Table("Setting", "Value");
        t.row("StrictAffinity", String.valueOf(c.strictAffinity()));
        t.row("AutoAllocateBlocks", String.valueOf(c.autoAllocateBlocks()));
        t.row("MaxBlocksPerHost", c.blockCap() == 0 ? "0 (no cap)" : String.valueOf(c.blockCap()));
        t.print(out(), format.value());
    }
}
