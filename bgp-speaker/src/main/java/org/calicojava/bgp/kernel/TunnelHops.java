package org.calicojava.bgp.kernel;

import java.net.InetAddress;
import org.calicojava.bgp.codec.Prefix;
import org.calicojava.bgp.session.LogLimiter;
import org.calicojava.netlink.Address;
import org.calicojava.netlink.IpPrefix;
import org.calicojava.netlink.Link;
import org.calicojava.netlink.Netlink;
import org.calicojava.netlink.NextHop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel side of {@link IpipRoutes}: tunl0's index (0 when it is missing or down) and this host's subnet (the
 * prefix of the kernel address equal to the host's address), read again after any link change; the next hop
 * {@code via H dev tunl0 onlink} for a route that goes through the tunnel. Owned by the kernel thread, except
 * {@link #stale}, which the event thread calls.
 */
final class TunnelHops {
    private static final Logger LOG = LoggerFactory.getLogger(TunnelHops.class);
    private static final int AF_INET = 2;
    private volatile boolean stale = true;
    private int tunnelIndex;
    private IpPrefix localSubnet;

    /** A link or address may have changed: read them again before the next decision. */
    void stale() {
        stale = true;
    }

    /** The tunnel next hop for {@code p} via {@code h}, or null when the route stays native. */
    NextHop hop(Netlink nl, IpipRoutes enc, Prefix p, InetAddress h, LogLimiter logLimiter) {
        if (stale) {
            stale = false;
            tunnelIndex = nl.link(IpipRoutes.DEVICE)
                    .filter(Link::isUp)
                    .map(Link::index)
                    .orElse(0);
            localSubnet = null;
            if (enc.hostAddress() != null) {
                for (Address a : nl.addresses(AF_INET)) {
                    if (a.prefix().address().equals(enc.hostAddress())) {
                        localSubnet = a.prefix();
                    }
                }
            }
        }
        if (!enc.tunnel(p, h, localSubnet)) {
            return null;
        }
        if (tunnelIndex == 0) {
            long suppressed = logLimiter.admit("kernel", "no tunl0");
            if (suppressed >= 0) {
                LOG.warn(
                        "kernel: route {}: IP-in-IP pool, but {} is missing or down (modprobe ipip): installed natively{}",
                        p,
                        IpipRoutes.DEVICE,
                        logLimiter.suffix(suppressed));
            }
            return null;
        }
        return new NextHop(h, tunnelIndex, 1, true);
    }
}
