package org.calicojava.libnetwork;

import java.util.Optional;
import org.calicojava.netlink.AlreadyExistsException;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.Netlink;
import org.calicojava.netlink.WorkloadInterface;

/**
 * Veth pairs through rtnetlink, made by {@link WorkloadInterface} (Calico's conventions, shared with javactl and the CNI
 * plugin), in one network namespace: the calling process's ({@code netns == null}, production) or
 * the named one under /var/run/netns (tests; sysctls are then written from a thread inside it, since the kernel
 * resolves /proc/sys/net by the writing thread's namespace). One netlink socket for the driver's life.
 */
public final class NetlinkDataplane implements Dataplane {
    private final String netns;
    private final Netlink nl;

    public NetlinkDataplane(String netns) {
        this.netns = netns;
        this.nl = netns == null ? Netlink.open() : NetNs.open(netns);
    }

    @Override
    public void createVeth(String hostName, String tempName, int mtu, String alias) {
        try {
            nl.createVeth(hostName, tempName);
        } catch (AlreadyExistsException e) {
            throw PluginException.failed("interface " + hostName + " or " + tempName + " exists already (made by "
                    + "someone else meanwhile): left alone, no veth made");
        }
        try {
            nl.setAlias(hostName, alias); // first, so that a half-made pair is recognisably this driver's
            if (mtu > 0) {
                nl.setMtu(tempName, mtu); // kept when Docker moves it into the container
            }
            WorkloadInterface.configureHostEnd(nl, netns, hostName, mtu);
        } catch (RuntimeException e) {
            try {
                WorkloadInterface.remove(nl, hostName);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    @Override
    public Optional<String> alias(String name) {
        return nl.alias(name);
    }

    @Override
    public void setAlias(String name, String alias) {
        nl.setAlias(name, alias);
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
