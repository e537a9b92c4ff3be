package org.calicojava.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * A private etcd cluster of {@code n} members on 127.0.0.1 (each its own process, ports and data, stopped by PID),
 * for tests of what happens when a member dies or comes back: {@link #member(int)} gives each one to stop and start.
 */
public final class EtcdCluster implements AutoCloseable {
    private final List<EtcdProcess> members = new ArrayList<>();

    private EtcdCluster() {}

    /** Starts {@code n} members as one new cluster and waits until each listens. */
    public static EtcdCluster start(int n) throws IOException, InterruptedException {
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            hosts.add("127.0.0.1");
        }
        return start(hosts, "http", i -> List.of());
    }

    /**
     * Starts a cluster of one member per address in {@code hosts} (loopback addresses, e.g. 127.0.0.2, .3, .4: a
     * member of its own address can have a certificate of its own), clients and peers on {@code scheme}; member i
     * gets {@code extraArgs.apply(i)} too (with https: its --cert-file, --peer-cert-file, ... flags).
     */
    public static EtcdCluster start(List<String> hosts, String scheme, IntFunction<List<String>> extraArgs)
            throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce(hosts, scheme, extraArgs);
            } catch (IllegalStateException e) {
                // between choosing a free port and etcd binding it, another socket (a client's outgoing connection,
                // another test's process) can take it: new ports, a new cluster
                if (attempt == 3 || !EtcdProcess.lostAPort(e)) {
                    throw e;
                }
            }
        }
    }

    private static EtcdCluster startOnce(List<String> hosts, String scheme, IntFunction<List<String>> extraArgs)
            throws IOException, InterruptedException {
        EtcdCluster c = new EtcdCluster();
        try {
            for (int i = 0; i < hosts.size(); i++) {
                List<String> args = new ArrayList<>(List.of(
                        "--initial-cluster-state",
                        "new",
                        "--initial-cluster-token",
                        "cj-test-" + ProcessHandle.current().pid()));
                args.addAll(extraArgs.apply(i));
                c.members.add(new EtcdProcess("m" + i, hosts.get(i), scheme, scheme, args));
            }
            String all =
                    c.members.stream().map(m -> m.name() + "=" + m.peerUrl()).collect(Collectors.joining(","));
            for (EtcdProcess m : c.members) {
                m.initialCluster(all);
                m.spawn(); // all first: a member waits for a quorum before it serves
            }
            for (EtcdProcess m : c.members) {
                m.awaitListening();
            }
            return c;
        } catch (IOException | RuntimeException | InterruptedException e) {
            c.close();
            throw e;
        }
    }

    public EtcdProcess member(int i) {
        return members.get(i);
    }

    public int size() {
        return members.size();
    }

    /** Every member's client URL, comma-separated (as {@code --etcd-endpoints} takes them). */
    public String endpoints() {
        return members.stream().map(EtcdProcess::endpoint).collect(Collectors.joining(","));
    }

    @Override
    public void close() throws InterruptedException {
        for (EtcdProcess m : members) {
            m.close();
        }
    }
}
