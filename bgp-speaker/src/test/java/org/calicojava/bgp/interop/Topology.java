package org.calicojava.bgp.interop;

import java.util.concurrent.ThreadLocalRandom;
import org.calicojava.testing.Ports;

/** Fresh 127.0.N.x addresses and high ports for one test, so runs and tests do not collide. */
record Topology(String us, String them, int ourPort, int theirPort) {
    static Topology random() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        int n = 2 + r.nextInt(250);
        int port = Ports.free(0, 1);
        return new Topology("127.1." + n + ".10", "127.1." + n + ".11", port, port + 1);
    }
}
