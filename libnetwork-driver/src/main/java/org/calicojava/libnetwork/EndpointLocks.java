package org.calicojava.libnetwork;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Serialises, within this driver process, what is done to one endpoint's record and veth: Join, Leave, DeleteEndpoint
 * and the adoption of an older veth ({@link PreUpgradeVeths}) each hold the endpoint's lock while they read and change
 * them, so none of them acts on what another has half done. 64 fair (first come, first served) reentrant locks, an
 * endpoint's chosen by its id's hash: two endpoints may share one and then wait for each other, which is harmless, and
 * nothing has to be removed when an endpoint goes. Never more than one endpoint's lock is held at a time.
 */
final class EndpointLocks {
    private static final int STRIPES = 64;

    /** A held lock, released by {@link #close()}. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    EndpointLocks() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock(true);
        }
    }

    /** The lock of endpoint {@code ep} (tests hold it to stand for a request in progress). */
    ReentrantLock of(String ep) {
        return stripes[Math.floorMod(ep.hashCode(), STRIPES)];
    }

    /** Waits for endpoint {@code ep}'s lock; {@code try (var held = locks.hold(ep)) { ... }}. */
    Held hold(String ep) {
        ReentrantLock lock = of(ep);
        lock.lock();
        return lock::unlock;
    }
}
