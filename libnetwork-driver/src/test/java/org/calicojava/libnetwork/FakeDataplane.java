package org.calicojava.libnetwork;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Veth pairs as a map host name -> container-side name (and their MTUs), for unit tests; {@link #failNext} makes the next
 * create fail.
 */
final class FakeDataplane implements Dataplane {
    final Map<String, String> veths = new ConcurrentHashMap<>();
    final Map<String, Integer> mtus = new ConcurrentHashMap<>();
    final Map<String, String> aliases = new ConcurrentHashMap<>();
    volatile RuntimeException failNext;
    /** What {@link #uplinkMtu()} answers (the host's uplink). */
    volatile int uplinkMtu = 1500;

    @Override
    public void createVeth(String hostName, String tempName, int mtu, String alias) {
        RuntimeException f = failNext;
        failNext = null;
        if (f != null) {
            throw f;
        }
        if (exists(hostName) || exists(tempName)) {
            throw PluginException.failed("interface " + hostName + " or " + tempName + " exists already");
        }
        veths.put(hostName, tempName);
        mtus.put(hostName, mtu);
        aliases.put(hostName, alias);
    }

    @Override
    public Optional<String> alias(String name) {
        return exists(name) ? Optional.of(aliases.getOrDefault(name, "")) : Optional.empty();
    }

    @Override
    public void setAlias(String name, String alias) {
        if (!veths.containsKey(name)) {
            throw new IllegalStateException("no link " + name);
        }
        aliases.put(name, alias);
    }

    @Override
    public int uplinkMtu() {
        return uplinkMtu;
    }

    @Override
    public boolean deleteVeth(String hostName) {
        aliases.remove(hostName);
        return veths.remove(hostName) != null;
    }

    @Override
    public boolean exists(String name) {
        return veths.containsKey(name) || veths.containsValue(name);
    }

    @Override
    public void close() {}
}
