package org.calicojava.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Fixed TCP ports for tests whose peers must know a port in advance (BIRD and gobgpd configs, a mesh of speakers on
 * one port). Ports come from 20000-32767, below the kernel's ephemeral range (32768-60999 by default), so no outgoing
 * connection of any process can take one between the pick and the bind; each is checked free on every address now
 * (bound without SO_REUSEADDR, so a listener, a connection or a TIME_WAIT on it counts as taken) and never handed out
 * twice in one JVM.
 */
public final class Ports {
    private static final int LOW = 20000, HIGH = 32768;
    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

    private Ports() {}

    /** A port P such that P + each offset (0 when none are given) is free on every address now. */
    public static int free(int... offsets) {
        int[] offs = offsets.length == 0 ? new int[] {0} : offsets;
        int max = 0;
        for (int o : offs) max = Math.max(max, o);
        for (int attempt = 0; attempt < 1000; attempt++) {
            int p = LOW + ThreadLocalRandom.current().nextInt(HIGH - LOW - max);
            if (claim(p, offs)) return p;
        }
        throw new IllegalStateException("no free port block in " + LOW + "-" + HIGH);
    }

    private static boolean claim(int p, int[] offs) {
        for (int o : offs) {
            if (GIVEN.contains(p + o) || !bindable(p + o)) return false;
        }
        for (int o : offs) GIVEN.add(p + o);
        return true;
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
