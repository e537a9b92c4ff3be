package org.calicojava.libnetwork;

import org.calicojava.netlink.AlreadyExistsException;
import org.calicojava.netlink.MacAddress;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.Netlink;
import org.calicojava.netlink.NoSuchDeviceException;
import org.calicojava.netlink.Sysctl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * Veth pairs through rtnetlink in one network namespace: the calling process's ({@code netns == null}, production) or
 * the named one under /var/run/netns (tests; sysctls are then written from a thread inside it, since the kernel
 * resolves /proc/sys/net by the writing thread's namespace). One netlink socket for the driver's life.
 */
public final class NetlinkDataplane implements Dataplane {
    private static final Logger LOG = LoggerFactory.getLogger(NetlinkDataplane.class);
    static final MacAddress HOST_MAC = MacAddress.parse("ee:ee:ee:ee:ee:ee");

    private final String netns;
    private final Netlink nl;

    public NetlinkDataplane(String netns) {
        this.netns = netns;
        this.nl = netns == null ? Netlink.open() : NetNs.open(netns);
    }

    @Override
    public void createVeth(String hostName, String tempName) {
        try {
            nl.createVeth(hostName, tempName);
        } catch (AlreadyExistsException e) {
            LOG.info("replacing stale interface {} ({})", hostName, e.meaning());
            deleteVeth(hostName);
            if (nl.link(tempName).isPresent()) {
                nl.deleteLink(tempName);
            }
            nl.createVeth(hostName, tempName);
        }
        try {
            nl.setMac(hostName, HOST_MAC);
            inNamespace(() -> {
                configureSysctls(hostName);
                return null;
            });
            nl.setUp(hostName);
        } catch (RuntimeException e) {
            deleteVeth(hostName);
            throw e;
        }
    }

    /** Calico's per-workload-interface settings (DESIGN.md: kernel conventions). */
    static void configureSysctls(String ifname) {
        Sysctl.proxyArp(ifname, true);
        Sysctl.routeLocalnet(ifname, true);
        Sysctl.proxyDelay(ifname, 0);
        Sysctl.forwarding(ifname, false, true);
        if (Files.isDirectory(Path.of("/proc/sys/net/ipv6/conf", ifname))) {
            Sysctl.acceptRa(ifname, 0);
            Sysctl.proxyNdp(ifname, true);
            Sysctl.forwarding(ifname, true, true);
        }
    }

    @Override
    public boolean deleteVeth(String hostName) {
        try {
            nl.deleteLink(hostName);
            return true;
        } catch (NoSuchDeviceException e) {
            return false;
        }
    }

    @Override
    public boolean exists(String name) {
        return nl.link(name).isPresent();
    }

    private <T> T inNamespace(Callable<T> task) {
        if (netns == null) {
            try {
                return task.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
        return NetNs.run(netns, task);
    }

    @Override
    public void close() {
        nl.close();
    }
}
