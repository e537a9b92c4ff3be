package org.calicojava.libnetwork;

import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;
import org.calicojava.model.Keys;
import org.calicojava.model.LogText;
import org.calicojava.store.KeyExistsException;
import org.calicojava.store.KeyValue;
import org.calicojava.store.KvStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adopts the veths a driver made before veths were tagged (their alias empty): without their tag Leave and
 * DeleteEndpoint would leave them, and each stopped pre-upgrade container would leak a {@code cali}/{@code temp} pair.
 *
 * <p>Which endpoint records are old enough is decided by etcd, not by the time the driver started: the host's marker
 * {@link Keys#libnetworkVethTags} is created once, before the first endpoint record a tagging driver writes
 * ({@link #ensureMarker}, called by CreateEndpoint and here). Only records whose create revision is below the marker's
 * are adopted, so a record made later (a socket-group member's CreateEndpoint with a crafted id sharing an untagged CNI
 * pod's 11 characters) never is, not even after a restart of the driver.
 */
final class PreUpgradeVeths {
    private static final Logger LOG = LoggerFactory.getLogger(PreUpgradeVeths.class);
    private static final Pattern DOCKER_ID = Pattern.compile("[0-9a-f]{64}");

    /** What one pass did. */
    record Summary(int adopted, int tagged, int foreign, int noVeth, int newer, int gone) {}

    private PreUpgradeVeths() {}

    /** Creates the host's marker if it is absent; returns its create revision. */
    static long ensureMarker(KvStore store, Keys keys, String host) {
        String key = keys.libnetworkVethTags(host);
        Optional<KeyValue> kv = store.get(key);
        if (kv.isPresent()) {
            return kv.get().createRevision();
        }
        try {
            String value = "{\"created\":\"" + Instant.now() + "\",\"note\":\"libnetwork endpoint records created "
                    + "before this key were written by a driver that did not tag its veths\"}";
            long revision = store.create(key, value);
            LOG.info("veth tags: marker {} created (revision {})", key, revision);
            return revision;
        } catch (KeyExistsException e) {
            return store.get(key).orElseThrow(() -> e).createRevision();
        }
    }

    /**
     * Tags each untagged veth of an endpoint record of this driver on this host made before the marker (create revision
     * {@code marker}) with the record's endpoint id. Each veth is adopted under its endpoint's lock, after reading the
     * record again: one that Leave or DeleteEndpoint is working on is waited for, and one whose record went meanwhile
     * is not tagged. One log line per adopted veth and per foreign link, one summary line.
     */
    static Summary adopt(KvStore store, Keys keys, String host, Dataplane dataplane, EndpointLocks locks, long marker) {
        String prefix = keys.workloads(host) + NetworkDriver.ORCHESTRATOR + "/" + NetworkDriver.WORKLOAD + "/endpoint/";
        int adopted = 0;
        int tagged = 0;
        int foreign = 0;
        int noVeth = 0;
        int newer = 0;
        int gone = 0;
        int failed = 0;
        String firstFailure = null;
        for (KeyValue kv : store.list(prefix).kvs()) {
            String ep = kv.key().substring(prefix.length());
            if (!DOCKER_ID.matcher(ep).matches()) {
                LOG.info("veth tags: endpoint key {} is not a Docker endpoint id: skipped", LogText.quote(kv.key()));
                continue;
            }
            if (kv.createRevision() >= marker) {
                newer++; // written by a tagging driver: its veth, if any, was tagged when it was made
                continue;
            }
            String hostIf = NetworkDriver.hostInterface(ep);
            Optional<String> alias;
            try (EndpointLocks.Held held = locks.hold(ep)) {
                Optional<KeyValue> now = store.get(kv.key());
                if (now.isEmpty() || now.get().createRevision() != kv.createRevision()) {
                    gone++; // DeleteEndpoint removed it since the listing (and the veth with it: see NetworkDriver)
                    continue;
                }
                alias = tagIfUntagged(dataplane, ep);
            } catch (RuntimeException e) { // this veth only: the others are still adopted, the pass is retried
                failed++;
                if (firstFailure == null) {
                    firstFailure = hostIf + ": " + e.getMessage();
                }
                continue;
            }
            if (alias.isEmpty()) {
                noVeth++; // no veth (not joined, or already gone): nothing to do
            } else if (alias.get().equals(NetworkDriver.tag(ep))) {
                tagged++;
            } else if (!alias.get().isEmpty()) {
                foreign++;
                LOG.info(
                        "veth tags: {} of endpoint {} has alias {}: not this driver's, left alone",
                        hostIf,
                        NetworkDriver.shortId(ep),
                        LogText.quote(alias.get()));
            } else {
                adopted++;
                LOG.info(
                        "veth tags: adopted {} of endpoint {} (made before veths were tagged)",
                        hostIf,
                        NetworkDriver.shortId(ep));
            }
        }
        Summary s = new Summary(adopted, tagged, foreign, noVeth, newer, gone);
        LOG.info(
                "veth tags: {} untagged veths of older endpoint records adopted ({} already tagged, {} foreign left "
                        + "alone, {} without a veth, {} records deleted meanwhile; {} records newer than the marker "
                        + "not considered)",
                adopted,
                tagged,
                foreign,
                noVeth,
                gone,
                newer);
        if (failed > 0) { // the caller tries the whole pass again later (adopting is idempotent)
            throw new IllegalStateException(
                    failed + " untagged veths could not be read or tagged, the first " + LogText.quote(firstFailure));
        }
        return s;
    }

    /**
     * Adopts endpoint {@code ep}'s untagged veth in a request (Join, Leave, DeleteEndpoint) that came before a pass
     * reached it. The caller holds the endpoint's lock and has checked its record is older than the marker.
     */
    static void adoptInRequest(Dataplane dataplane, String ep) {
        String hostIf = NetworkDriver.hostInterface(ep);
        dataplane.setAlias(hostIf, NetworkDriver.tag(ep));
        LOG.info(
                "veth tags: adopted {} of endpoint {} (made before veths were tagged) in a request that came before "
                        + "the adoption pass",
                hostIf,
                NetworkDriver.shortId(ep));
    }

    /**
     * The alias of endpoint {@code ep}'s host veth as found (empty when there is no veth); an empty alias is replaced
     * by the endpoint's tag. The caller holds the endpoint's lock and has checked its record is older than the marker.
     */
    static Optional<String> tagIfUntagged(Dataplane dataplane, String ep) {
        String hostIf = NetworkDriver.hostInterface(ep);
        Optional<String> alias = dataplane.alias(hostIf);
        if (alias.isPresent() && alias.get().isEmpty()) {
            dataplane.setAlias(hostIf, NetworkDriver.tag(ep));
        }
        return alias;
    }
}
