package org.calicojava.bgp.yaml;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.config.ConfigException;
import org.calicojava.bgp.control.ControlConfig;
import org.calicojava.bgp.kernel.IpipRoutes;
import org.calicojava.bgp.rib.KernelConfig;

/**
 * The top level's mappings besides neighbours and policies. Each record refuses in its constructor what its
 * conversion would refuse, with keys relative to its own mapping ({@link SpeakerYamlLoader} adds the path).
 */
final class Sections {
    private Sections() {}

    /** {@code listen: {address, port}} (port 179 by default; without {@code listen:} the speaker does not listen). */
    record Listen(String address, String port) {
        Listen {
            if (address != null) {
                Scalars.address("address", address);
            }
            Scalars.integer("port", port, 0, 65535, 179);
        }

        InetAddress ip() {
            return address == null ? null : Scalars.address("address", address);
        }

        int portNumber() {
            return Scalars.integer("port", port, 0, 65535, 179);
        }
    }

    /** {@code nextHop: {ipv4, ipv6}}: the next hop of originated routes, per family. */
    record NextHop(String ipv4, String ipv6) {
        NextHop {
            v4(ipv4);
            v6(ipv6);
        }

        InetAddress v4() {
            return v4(ipv4);
        }

        InetAddress v6() {
            return v6(ipv6);
        }

        private static InetAddress v4(String a) {
            return a == null ? null : Scalars.v4("ipv4", a);
        }

        private static InetAddress v6(String a) {
            return a == null ? null : Scalars.address("ipv6", a);
        }
    }

    /** {@code routeReflector: {clusterId}}. */
    record RouteReflector(String clusterId) {
        RouteReflector {
            id(clusterId);
        }

        int id() {
            return id(clusterId);
        }

        private static int id(String clusterId) {
            if (clusterId == null || clusterId.isEmpty()) {
                throw new ConfigException("clusterId: missing (expected: an IPv4 address)");
            }
            InetAddress a = Scalars.address("clusterId", clusterId);
            if (!(a instanceof Inet4Address) || Ip.v4Int(a) == 0) {
                throw new ConfigException("clusterId: " + clusterId + " (expected: a non-zero IPv4 address)");
            }
            return Ip.v4Int(a);
        }
    }

    /** {@code metrics: {port, host}} (port 0: no endpoint). */
    record Metrics(String port, String host) {
        Metrics {
            Scalars.integer("port", port, 0, 65535, 0);
            if (host != null && !NetUtil.isValidIpV4Address(host) && !NetUtil.isValidIpV6Address(host)) {
                throw new ConfigException("host: " + host.replaceAll("\\p{Cntrl}", "?")
                        + " (expected: an IP address to listen on, e.g. 127.0.0.1 or 0.0.0.0)");
            }
        }

        int portNumber() {
            return Scalars.integer("port", port, 0, 65535, 0);
        }
    }

    /** {@code controlSocket: PATH} or {@code {path, group, maxClients, maxLineLength}}. */
    @Shape("a path or a mapping with path, group, maxClients, maxLineLength")
    record ControlSocket(String path, String group, String maxClients, String maxLineLength) {
        @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
        ControlSocket {
            config(path, group, maxClients, maxLineLength);
        }

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        static ControlSocket of(String path) {
            return new ControlSocket(path, null, null, null);
        }

        ControlConfig config() {
            return config(path, group, maxClients, maxLineLength);
        }

        private static ControlConfig config(String path, String group, String maxClients, String maxLineLength) {
            if (path == null || path.isEmpty()) {
                throw new ConfigException("path: missing (expected: a path)");
            }
            return new ControlConfig(
                    Path.of(path),
                    group,
                    Scalars.integer("maxClients", maxClients, 1, 100_000, ControlConfig.DEFAULT_MAX_CLIENTS),
                    Scalars.integer("maxLineLength", maxLineLength, 16, 1 << 20, ControlConfig.DEFAULT_MAX_LINE));
        }
    }

    /**
     * {@code kernel: {enabled, table, protocol, learnProtocols, import, export, blackholes, ipip}}; the policy names are
     * checked by {@link SpeakerDocument}.
     */
    record Kernel(
            Boolean enabled,
            String table,
            String protocol,
            List<String> learnProtocols,
            @JsonProperty("import") List<String> importPolicies,
            @JsonProperty("export") List<String> exportPolicies,
            Boolean blackholes,
            Ipip ipip) {
        Kernel {
            importPolicies = Scalars.each("import", importPolicies, name -> name);
            exportPolicies = Scalars.each("export", exportPolicies, name -> name);
            config(enabled, table, protocol, learnProtocols, importPolicies, exportPolicies, blackholes, ipip);
        }

        KernelConfig config() {
            return config(enabled, table, protocol, learnProtocols, importPolicies, exportPolicies, blackholes, ipip);
        }

        private static KernelConfig config(
                Boolean enabled,
                String table,
                String protocol,
                List<String> learn,
                List<String> importPolicies,
                List<String> exportPolicies,
                Boolean blackholes,
                Ipip ipip) {
            List<Integer> learnProtocols = learn == null
                    ? List.of(80)
                    : Scalars.each("learnProtocols", learn, p -> Scalars.integer("learnProtocols", p, 1, 255));
            return new KernelConfig(
                    Scalars.flag(enabled, true),
                    Scalars.integer("table", table, 1, Integer.MAX_VALUE, 254),
                    Scalars.integer("protocol", protocol, 1, 255, 186),
                    learnProtocols,
                    importPolicies,
                    exportPolicies,
                    Scalars.flag(blackholes, true),
                    ipip == null ? IpipRoutes.NONE : ipip.routes());
        }
    }

    /**
     * {@code kernel.ipip: {hostAddress, pools: [{cidr, mode}]}}: IP-in-IP pools ({@code mode} always or
     * cross-subnet) and this host's IPv4 address, whose kernel subnet decides cross-subnet ({@link IpipRoutes}).
     */
    record Ipip(String hostAddress, List<IpipPool> pools) {
        Ipip {
            if (pools != null && pools.contains(null)) {
                throw new ConfigException("pools: an empty entry (expected: {cidr, mode})");
            }
            pools = pools == null ? List.of() : List.copyOf(pools);
            routes(hostAddress, pools);
        }

        IpipRoutes routes() {
            return routes(hostAddress, pools);
        }

        private static IpipRoutes routes(String hostAddress, List<IpipPool> pools) {
            List<IpipRoutes.Pool> out = new java.util.ArrayList<>();
            for (IpipPool p : pools) {
                out.add(p.pool());
            }
            return new IpipRoutes(out, hostAddress == null ? null : Scalars.v4("hostAddress", hostAddress));
        }
    }

    /** One {@code kernel.ipip.pools} entry. */
    record IpipPool(String cidr, String mode) {
        IpipPool {
            pool(cidr, mode);
        }

        IpipRoutes.Pool pool() {
            return pool(cidr, mode);
        }

        private static IpipRoutes.Pool pool(String cidr, String mode) {
            org.calicojava.bgp.codec.Prefix p =
                    Scalars.named("cidr", () -> org.calicojava.bgp.codec.Prefix.parse(Scalars.required("cidr", cidr)));
            if (!p.toString().contains(".")) {
                throw new ConfigException("cidr: " + cidr + " (expected: an IPv4 CIDR)");
            }
            boolean cross = Scalars.choice(
                    "mode",
                    Scalars.required("mode", mode),
                    List.of("always", "cross-subnet"),
                    List.of(false, true),
                    "always or cross-subnet");
            return new IpipRoutes.Pool(org.calicojava.netlink.IpPrefix.parse(p.toString()), cross);
        }
    }
}
