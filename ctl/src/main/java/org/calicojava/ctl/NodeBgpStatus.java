package org.calicojava.ctl;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.calicojava.ctl.graph.FabricLoader;
import org.calicojava.model.Json;
import org.calicojava.model.Keys;
import org.calicojava.store.KvStore;

/**
 * Publishes the node's BGP sessions (as {@code node status} reads them from the speaker's or BIRD's control socket)
 * to {@code /calico/felix/v1/host/NODE/bgp} = {"time","sessions":[{"address","type","state","since"}]}, for
 * {@code javactl graph} to show every node's sessions from etcd. Written when a state changes, else every 30 s;
 * removed with the node's status tree by {@code node remove}. Called by node run's status loop (one thread).
 */
final class NodeBgpStatus {
    private static final Duration REFRESH = Duration.ofSeconds(30);
    private final KvStore store;
    private final Keys keys;
    private final String node;
    private final Path dir;
    private final Consumer<String> log;
    private String last;
    private Instant lastWrite = Instant.EPOCH;
    private String lastError;

    NodeBgpStatus(KvStore store, Keys keys, String node, Path dir, Consumer<String> log) {
        this.store = store;
        this.keys = keys;
        this.node = node;
        this.dir = dir;
        this.log = log;
    }

    /** One round: read the sessions, write them if changed or due. Never throws; a new error is logged once. */
    void publish() {
        try {
            Path speaker = dir.resolve("bgp-speaker.ctl");
            Path bird = dir.resolve("bird.ctl");
            List<NodeStatus.Session> sessions;
            if (Files.exists(speaker)) {
                sessions = NodeStatus.fromSpeaker(speaker);
            } else if (Files.exists(bird)) {
                sessions = NodeStatus.fromBird(bird);
            } else {
                return;
            }
            List<Map<String, String>> rows = new ArrayList<>();
            for (NodeStatus.Session s : sessions) {
                Map<String, String> m = new LinkedHashMap<>();
                m.put("address", s.address());
                m.put("type", s.type());
                m.put("state", s.state().equals("up") ? "Established" : s.state());
                m.put("since", s.since());
                rows.add(m);
            }
            String body = Json.write(rows);
            Instant now = Instant.now();
            if (body.equals(last) && now.isBefore(lastWrite.plus(REFRESH))) {
                return;
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("time", now.toString());
            doc.put("sessions", rows);
            store.put(FabricLoader.bgpStatusKey(keys, node), Json.write(doc));
            last = body;
            lastWrite = now;
            lastError = null;
        } catch (RuntimeException e) {
            String msg = Main.message(e);
            if (!msg.equals(lastError)) {
                log.accept("BGP status not published: " + msg);
                lastError = msg;
            }
        }
    }
}
