package org.calicojava.netlink;

import static org.calicojava.netlink.codec.Rtnl.RTM_DELADDR;
import static org.calicojava.netlink.codec.Rtnl.RTM_DELLINK;
import static org.calicojava.netlink.codec.Rtnl.RTM_DELROUTE;
import static org.calicojava.netlink.codec.Rtnl.RTM_NEWADDR;
import static org.calicojava.netlink.codec.Rtnl.RTM_NEWLINK;
import static org.calicojava.netlink.codec.Rtnl.RTM_NEWROUTE;

import java.util.Set;
import org.calicojava.netlink.NetlinkEvent.AddressEvent;
import org.calicojava.netlink.NetlinkEvent.Change;
import org.calicojava.netlink.NetlinkEvent.LinkEvent;
import org.calicojava.netlink.NetlinkEvent.RouteEvent;
import org.calicojava.netlink.codec.NlMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A subscription to rtnetlink multicast groups on its own socket, with one reader thread that decodes each
 * message into a {@link NetlinkEvent} for the listener. {@link #close()} stops the thread (within ~200 ms) and
 * closes the socket. Subscribe in another namespace with {@link NetNs#subscribe}.
 */
public final class NetlinkEvents implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NetlinkEvents.class);
    private static final int POLL_MS = 200;
    private final NetlinkSocket socket;
    private final NetlinkListener listener;
    private final Thread reader;
    private volatile boolean closed;

    private NetlinkEvents(NetlinkSocket socket, NetlinkListener listener, String name) {
        this.socket = socket;
        this.listener = listener;
        this.reader = new Thread(this::readLoop, name);
        reader.setDaemon(true);
    }

    /** Subscribes in the calling thread's namespace. */
    public static NetlinkEvents subscribe(Set<EventGroup> groups, NetlinkListener listener) {
        return start(open(groups), listener, "netlink-events");
    }

    /** Opens the socket (call on a thread in the wanted namespace). */
    static NetlinkSocket open(Set<EventGroup> groups) {
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("event groups: none (expected: at least one)");
        }
        NetlinkSocket s = new NetlinkSocket(0);
        try {
            s.buffers(4 * 1024 * 1024);
            s.receiveTimeout(POLL_MS);
            for (EventGroup g : groups) {
                s.join(g.group);
            }
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    static NetlinkEvents start(NetlinkSocket socket, NetlinkListener listener, String name) {
        NetlinkEvents events = new NetlinkEvents(socket, listener, name);
        events.reader.start();
        return events;
    }

    private void readLoop() {
        try {
            while (!closed) {
                try {
                    var datagram = socket.receive();
                    if (datagram != null && !closed) {
                        for (NlMessage m : NlMessage.split(datagram)) {
                            NetlinkEvent e = decode(m);
                            if (e != null) {
                                listener.onEvent(e);
                            }
                        }
                    }
                } catch (NetlinkSocket.OverrunException e) {
                    LOG.warn("netlink events overrun: the kernel dropped events, listener must resync");
                    listener.onOverrun();
                } catch (NetlinkCodecException e) {
                    LOG.warn("netlink event undecodable: {}", e.getMessage());
                    listener.onError(e);
                } catch (NetlinkException e) {
                    if (!closed) {
                        LOG.warn("netlink events stopped: {}", e.getMessage());
                        listener.onError(e);
                    }
                    return;
                } catch (RuntimeException e) {
                    LOG.warn("netlink event listener failed: {}", e.toString());
                }
            }
        } finally {
            socket.close();
        }
    }

    /** Decodes one multicast message; null for types and families this module does not model. */
    static NetlinkEvent decode(NlMessage m) {
        return switch (m.header().type()) {
            case RTM_NEWLINK -> new LinkEvent(Change.ADDED, LinkCodec.decode(m));
            case RTM_DELLINK -> new LinkEvent(Change.REMOVED, LinkCodec.decode(m));
            case RTM_NEWROUTE, RTM_DELROUTE -> {
                Route r = RouteCodec.decode(m);
                yield r == null
                        ? null
                        : new RouteEvent(m.header().type() == RTM_NEWROUTE ? Change.ADDED : Change.REMOVED, r);
            }
            case RTM_NEWADDR, RTM_DELADDR -> {
                Address a = AddressCodec.decode(m);
                yield a == null
                        ? null
                        : new AddressEvent(m.header().type() == RTM_NEWADDR ? Change.ADDED : Change.REMOVED, a);
            }
            default -> null;
        };
    }

    /** Stops the reader thread and closes the socket. Safe to call from the listener. */
    @Override
    public void close() {
        closed = true;
        if (Thread.currentThread() != reader) {
            try {
                reader.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
