package org.calicojava.cni;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.calicojava.model.Cidr;
import org.calicojava.model.LogText;
import org.calicojava.model.WorkloadEndpoint;
import org.calicojava.model.WorkloadQos;
import org.calicojava.netlink.Address;
import org.calicojava.netlink.IpPrefix;
import org.calicojava.netlink.Link;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.Netlink;
import org.calicojava.netlink.Route;
import org.calicojava.netlink.RouteFilter;
import org.calicojava.netlink.WorkloadInterface;

/**
 * CHECK: the attachment is still as ADD made it: the endpoint record, the host veth (up, MAC ee:ee:ee:ee:ee:ee), the
 * workload end with the endpoint's addresses and its default route via the gateway, and the addresses of
 * {@code prevResult} among them, and CNI_ARGS' bandwidth limits (if any) the endpoint's. The first difference is the error (code 102).
 */
final class Checker {
    private Checker() {}

    static void check(Context c) {
        if (!Versions.hasCheck(c.conf.cniVersion())) {
            throw new CniException(
                    CniException.INCOMPATIBLE_VERSION,
                    "CHECK needs cniVersion 0.4.0 or later (config: " + c.conf.cniVersion() + ")");
        }
        Path ns = NetworkPlugin.containerNetns(c.env);
        String key = NetworkPlugin.endpointKey(c);
        WorkloadEndpoint wep = c.store()
                .get(key)
                .map(kv -> readEndpoint(key, kv.value()))
                .orElseThrow(
                        () -> fail("no workload endpoint in etcd for " + c.env.containerId() + " " + c.env.ifname()));
        String hostIf = WorkloadInterface.hostName(NetworkPlugin.endpointId(c.env));
        if (!wep.name().equals(hostIf)) {
            throw fail("the endpoint names interface " + wep.name() + ", expected " + hostIf);
        }
        WorkloadQos qos = Bandwidth.fromArgs(c.env.args());
        if (qos != null && !qos.equals(wep.qos())) {
            throw fail("the endpoint's bandwidth limits " + wep.qos() + " are not CNI_ARGS' " + qos);
        }
        try (Netlink nl = Netlink.open()) {
            Link h = nl.link(hostIf).orElseThrow(() -> fail("host interface " + hostIf + " is missing"));
            if (!h.isUp() || h.mac() == null || !h.mac().equals(WorkloadInterface.HOST_MAC_ADDRESS)) {
                throw fail("host interface " + hostIf + " is not up with MAC " + WorkloadInterface.HOST_MAC);
            }
        }
        List<Cidr> want = new ArrayList<>(wep.ipv4Nets());
        want.addAll(wep.ipv6Nets());
        try (Netlink w = NetNs.openAt(ns)) {
            Link dev = w.link(c.env.ifname())
                    .orElseThrow(() -> fail("no interface " + c.env.ifname() + " in " + c.env.netns()));
            List<IpPrefix> have = new ArrayList<>();
            for (int family : new int[] {2, 10}) {
                w.addresses(family).stream()
                        .filter(a -> a.ifindex() == dev.index())
                        .map(Address::prefix)
                        .forEach(have::add);
            }
            for (Cidr ip : want) {
                if (!have.contains(IpPrefix.parse(ip.toString()))) {
                    throw fail(c.env.ifname() + " lacks its address " + ip);
                }
            }
            List<Route> routes = w.routes(RouteFilter.main());
            if (!wep.ipv4Nets().isEmpty()
                    && routes.stream().noneMatch(r -> r.isIpv4() && r.dst().length() == 0)) {
                throw fail("no IPv4 default route via " + WorkloadInterface.GATEWAY_V4 + " in " + c.env.netns());
            }
        }
        JsonNode prev = c.conf.prevResult();
        if (prev != null && prev.has("ips")) {
            for (Result.IpConfig ip : Result.ipsOf(prev, "prevResult")) {
                if (!want.contains(ip.address())) {
                    throw fail("prevResult address " + ip.addressText() + " is not the endpoint's");
                }
            }
        }
    }

    /** The endpoint record; one that does not validate is etcd's bad data, code 100 (not the configuration's 7). */
    private static WorkloadEndpoint readEndpoint(String key, String value) {
        try {
            return WorkloadEndpoint.read(value);
        } catch (IllegalArgumentException e) {
            throw new CniException(
                    CniException.PLUGIN_FAILURE,
                    "CHECK: the endpoint record " + key + " in etcd is unreadable: " + LogText.quote(e.getMessage()));
        }
    }

    private static CniException fail(String msg) {
        return new CniException(CniException.CHECK_FAILED, "CHECK: " + msg);
    }
}
