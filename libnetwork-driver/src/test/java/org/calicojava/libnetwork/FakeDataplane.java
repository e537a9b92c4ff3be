package org.calicojava.libnetwork;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Veth pairs as a map host name -> container-side name (and their MTUs), for unit tests; {@link #failNext} makes the next
 * create fail.
 */
final class FakeDataplane implements Dataplane {
    final Map<String, String> veths = new ConcurrentHashMap<>();
    final Map<String, Integer> mtus = new ConcurrentHashMap<>();
    volatile RuntimeException failNext;
    /** What {@link #uplinkMtu()} answers (the host's uplink). */
    volatile int uplinkMtu = 1500;

    @Override
    public void createVeth(String hostName, String tempName, int mtu) {
        RuntimeException f = failNext;
        failNext = null;
        if (f != null) {
            throw f;
        }
        veths.put(hostName, tempName);
        mtus.put(hostName, mtu);
    }

    @Override
    public int uplinkMtu() {
        return uplinkMtu;
    }

    @Override
    public boolean deleteVeth(String hostName) {
        return veths.remove(hostName) != null;
    }

    @Override
    public boolean exists(String name) {
        return veths.containsKey(name) || veths.containsValue(name);
    }

    @Override
    public void close() {}
}
