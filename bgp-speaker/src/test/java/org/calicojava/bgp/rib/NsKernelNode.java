package org.calicojava.bgp.rib;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.config.SpeakerConfig;
import org.calicojava.bgp.kernel.KernelSync;
import org.calicojava.bgp.metrics.Metrics;
import org.calicojava.bgp.session.Speaker;
import org.calicojava.bgp.yaml.SpeakerYamlLoader;
import org.calicojava.netlink.NetNs;

/**
 * A speaker whose kernel sync runs inside a network namespace the test creates ({@code bt-XXXXXX}, a veth pair with
 * 10.99.0.1/24 on {@code btk0}); its BGP sessions run on 127.0.x.y in the test's process like {@link Node}. The
 * namespace is deleted by {@link #close()}.
 */
final class NsKernelNode implements AutoCloseable {
    final String ns = "bt-" + UUID.randomUUID().toString().substring(0, 6);
    final Rib rib;
    final Speaker speaker;
    final KernelSync kernel;

    NsKernelNode(String yaml) {
        NetNs.create(ns);
        Rib r = null;
        Speaker s = null;
        KernelSync k = null;
        try {
            sh("ip", "-n", ns, "link", "add", "btk0", "type", "veth", "peer", "name", "btk1");
            sh("ip", "-n", ns, "addr", "add", "10.99.0.1/24", "dev", "btk0");
            sh("ip", "-n", ns, "link", "set", "btk0", "up");
            sh("ip", "-n", ns, "link", "set", "btk1", "up");
            SpeakerConfig sc = SpeakerYamlLoader.parse(yaml).speaker();
            RoutingConfig rc = SpeakerYamlLoader.parse(yaml).routing();
            r = new Rib(sc, rc, new Metrics());
            s = new Speaker(sc, r);
            KernelSync kk = k = new KernelSync(rc.kernel(), new Metrics());
            Rib rr = r;
            NetNs.run(ns, () -> {
                kk.start(rr::kernelRoute);
                return null;
            });
            r.attach(s, k);
            s.start();
        } catch (Exception | AssertionError e) {
            if (s != null) {
                s.close();
            }
            if (k != null) {
                k.close();
            }
            if (r != null) {
                r.close();
            }
            NetNs.delete(ns);
            if (e instanceof RuntimeException re) {
                throw re;
            }
            if (e instanceof AssertionError ae) {
                throw ae;
            }
            throw new IllegalStateException(e);
        }
        rib = r;
        speaker = s;
        kernel = k;
    }

    void reload(String yaml) {
        SpeakerConfig sc = SpeakerYamlLoader.parse(yaml).speaker();
        speaker.reconfigure(sc);
        rib.reconfigure(sc, SpeakerYamlLoader.parse(yaml).routing());
    }

    /** {@code ip -N -n NS ARGS} (numeric protocol names). */
    String ip(String... args) {
        List<String> c = new ArrayList<>(List.of("ip", "-N", "-n", ns)); // -N: "proto 186", not "proto bgp"
        c.addAll(List.of(args));
        return sh(c.toArray(String[]::new));
    }

    /** The gateways of our (protocol 186) route to {@code prefix} in the namespace, as {@code ip route show} prints them. */
    List<String> gateways(String prefix) {
        String out = ip(
                prefix.contains(":") ? "-6" : "-4", "route", "show", "table", "main", "proto", "186", "exact", prefix);
        List<String> g = new ArrayList<>();
        Matcher m = Pattern.compile("via (\\S+)").matcher(out);
        while (m.find()) {
            g.add(m.group(1));
        }
        return g;
    }

    /** Our unicast prefixes in the namespace's main table. */
    List<String> ourPrefixes() {
        List<String> out = new ArrayList<>();
        for (String line : ip("route", "show", "table", "main", "proto", "186").split("\n")) {
            if (line.isBlank() || Character.isWhitespace(line.charAt(0)) || line.startsWith("blackhole")) {
                continue;
            }
            out.add(line.split("\\s+")[0]);
        }
        return out;
    }

    String showRoute(String prefix) {
        return rib.showRoute(Prefix.parse(prefix), true);
    }

    static String sh(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new AssertionError(String.join(" ", cmd) + ": " + out);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        try {
            speaker.close();
            kernel.close();
            rib.close();
        } finally {
            NetNs.delete(ns);
        }
    }
}
