package org.calicojava.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.policy.RouteSource;
import org.junit.jupiter.api.Test;

/** ADD-PATH send ids: distinct for every (peer, received id) and local source, stable for the same path. */
class PathIdTest {
    static Path path(PeerInfo from, int receivedId) {
        return new Path(from, from == null ? RouteSource.STATIC : RouteSource.BGP, receivedId, null, null, null, false);
    }

    @Test
    void idsNeverCollideAcrossPeersAndWideReceivedIds() {
        PeerInfo a = new PeerInfo(Ip.parse("10.0.0.1"), 0), b = new PeerInfo(Ip.parse("10.0.0.2"), 1);
        List<Path> paths = List.of(
                path(a, 0),
                path(a, 1),
                path(a, 65537),
                path(a, 0x10001 + 0x10000),
                path(a, -1),
                path(b, 0),
                path(b, 1),
                path(b, 65537),
                path(null, 0),
                new Path(null, RouteSource.KERNEL, 0, null, null, null, false));
        Set<Integer> ids = new HashSet<>();
        for (Path p : paths) {
            ids.add(AdjRibOut.pathId(p));
        }
        assertThat(ids).hasSize(paths.size());
        assertThat(AdjRibOut.pathId(path(a, 65537))).isEqualTo(AdjRibOut.pathId(path(a, 65537))); // stable
    }
}
