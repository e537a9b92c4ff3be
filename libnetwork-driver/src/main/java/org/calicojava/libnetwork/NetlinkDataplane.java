package org.calicojava.libnetwork;

import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.Netlink;
import org.calicojava.netlink.WorkloadInterface;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Veth pairs through rtnetlink, made by {@link WorkloadInterface} (Calico's conventions, shared with javactl and the CNI
 * plugin), in one network namespace: the calling process's ({@code netns == null}, production) or
 * the named one under /var/run/netns (tests; sysctls are then written from a thread inside it, since the kernel
 * resolves /proc/sys/net by the writing thread's namespace). One netlink socket for the driver's life.
 */
public final class NetlinkDataplane implements Dataplane {
    private static final Logger LOG = LoggerFactory.getLogger(NetlinkDataplane.class);

    private final String netns;
    private final Netlink nl;

    public NetlinkDataplane(String netns) {
        this.netns = netns;
        this.nl = netns == null ? Netlink.open() : NetNs.open(netns);
    }

    @Override
    public void createVeth(String hostName, String tempName, int mtu) {
        if (nl.link(hostName).isPresent()) {
            LOG.info("replacing stale interface {}", hostName);
        }
        WorkloadInterface.createPair(nl, netns, hostName, tempName, mtu);
    }

    @Override
    public int uplinkMtu() {
        return WorkloadInterface.uplinkMtu(nl);
    }

    @Override
    public boolean deleteVeth(String hostName) {
        return WorkloadInterface.remove(nl, hostName);
    }

    @Override
    public boolean exists(String name) {
        return nl.link(name).isPresent();
    }

    @Override
    public void close() {
        nl.close();
    }
}
