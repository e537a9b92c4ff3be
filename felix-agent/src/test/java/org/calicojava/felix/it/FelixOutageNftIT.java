package org.calicojava.felix.it;

import org.calicojava.testing.Sh;

/**
 * {@link FelixOutageIT} with {@code DataplaneBackend=nftables} (the netlink writer): the same outages, the same
 * traffic checks; the endpoint chains looked for in {@code table inet calico}.
 */
class FelixOutageNftIT extends FelixOutageIT {
    @Override
    String backend() {
        return "nftables";
    }

    @Override
    String[] requiredBinaries() {
        return new String[] {"ip", "nft", "etcd", "etcdctl"};
    }

    @Override
    boolean hasIpv6Chain(DualStackNet net, String iface) {
        return Sh.ok(Sh.in(net.host, "nft", "list", "table", "inet", "calico"))
                .contains("chain cali-tw-" + iface + " {");
    }
}
