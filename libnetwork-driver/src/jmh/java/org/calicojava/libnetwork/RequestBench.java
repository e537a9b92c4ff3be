package org.calicojava.libnetwork;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.calicojava.model.Cidr;
import org.calicojava.model.Keys;
import org.calicojava.netlink.NetNs;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;

/**
 * Benchmark (run by bench/requests.sh, not by Maven): the request sequence of one {@code docker run} + {@code docker rm}
 * (RequestAddress, CreateEndpoint, Join, Leave, DeleteEndpoint, ReleaseAddress) against a real etcd and real veths in
 * a namespace, over the unix socket versus calling {@link Plugin#handle} directly (the baseline without HTTP), and
 * GetCapabilities alone (transport only) both ways. Medians of ROUNDS rounds after one warm-up round.
 */
public final class RequestBench {
    private static final String NET = "be" + "0".repeat(62);

    public static void main(String[] args) throws Exception {
        int cycles = Integer.parseInt(args.length > 0 ? args[0] : "100");
        int rounds = Integer.parseInt(args.length > 1 ? args[1] : "5");
        String ns = "cj-lnb-" + Integer.toHexString((int) (System.nanoTime() & 0xffff));
        Keys keys = new Keys("/cj-bench-" + UUID.randomUUID());
        Path dir = Files.createTempDirectory("cj-lnb");
        NetNs.create(ns);
        try (JetcdStore store = new JetcdStore(EtcdConfig.fromEnv(System.getenv()));
                NetlinkDataplane dp = new NetlinkDataplane(ns)) {
            store.put(keys.pool(Cidr.parse("10.66.0.0/16")), "{\"cidr\":\"10.66.0.0/16\"}");
            store.put(keys.profileRules(NET), "{}");
            Plugin plugin =
                    new Plugin(new NetworkDriver(store, keys, "bench", dp), new IpamDriver(store, keys, "bench"));
            try (PluginServer server = new PluginServer(dir.resolve("b.sock"), plugin);
                    UnixHttpClient client = new UnixHttpClient(server.socket())) {
                Caller socket = (path, body) -> {
                    UnixHttpClient.Reply r = client.post(path, body);
                    return new Plugin.Response(r.status(), r.body());
                };
                Caller direct = (path, body) -> plugin.handle("POST", path, body.getBytes(StandardCharsets.UTF_8));
                for (String what : List.of("container cycle", "GetCapabilities")) {
                    boolean cycle = what.equals("container cycle");
                    int n = cycle ? cycles : cycles * 50;
                    long s = median(rounds, () -> run(socket, cycle, n));
                    long d = median(rounds, () -> run(direct, cycle, n));
                    System.out.printf(
                            "%-16s x%-6d socket median %7.1f ms (%8.0f/s) | direct median %7.1f ms (%8.0f/s) |"
                                    + " socket/direct %.2fx%n",
                            what, n, s / 1e6, n / (s / 1e9), d / 1e6, n / (d / 1e9), (double) s / d);
                }
            }
            store.deletePrefix(keys.root() + "/");
        } finally {
            NetNs.delete(ns);
            Files.deleteIfExists(dir.resolve("b.sock"));
            Files.deleteIfExists(dir);
        }
        System.exit(0);
    }

    interface Caller {
        Plugin.Response call(String path, String body) throws Exception;
    }

    interface Work {
        void run() throws Exception;
    }

    static long median(int rounds, Work w) throws Exception {
        w.run(); // warm-up
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            long t = System.nanoTime();
            w.run();
            times.add(System.nanoTime() - t);
        }
        Collections.sort(times);
        return times.get(times.size() / 2);
    }

    static void run(Caller c, boolean cycle, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            if (!cycle) {
                check(c.call("/NetworkDriver.GetCapabilities", "{}"));
                continue;
            }
            String ep = (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
            String req = "{\"NetworkID\":\"" + NET + "\",\"EndpointID\":\"" + ep + "\"}";
            String addr = check(c.call("/IpamDriver.RequestAddress", "{\"PoolID\":\"CalicoPoolIPv4\"}"))
                    .replaceAll(".*\"Address\":\"([^\"]+)\".*", "$1");
            check(c.call(
                    "/NetworkDriver.CreateEndpoint",
                    "{\"NetworkID\":\"" + NET + "\",\"EndpointID\":\"" + ep + "\",\"Interface\":{\"Address\":\"" + addr
                            + "\"}}"));
            check(c.call("/NetworkDriver.Join", req));
            check(c.call("/NetworkDriver.Leave", req));
            check(c.call("/NetworkDriver.DeleteEndpoint", req));
            check(c.call(
                    "/IpamDriver.ReleaseAddress",
                    "{\"PoolID\":\"CalicoPoolIPv4\",\"Address\":\"" + addr.split("/")[0] + "\"}"));
        }
    }

    static String check(Plugin.Response r) {
        if (r.status() != 200) {
            throw new IllegalStateException(r.body());
        }
        return r.body();
    }
}
