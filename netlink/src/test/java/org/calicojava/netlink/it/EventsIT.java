package org.calicojava.netlink.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.calicojava.netlink.EventGroup;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.NetlinkEvent;
import org.calicojava.netlink.NetlinkEvent.AddressEvent;
import org.calicojava.netlink.NetlinkEvent.Change;
import org.calicojava.netlink.NetlinkEvent.LinkEvent;
import org.calicojava.netlink.NetlinkEvent.RouteEvent;
import org.calicojava.netlink.NetlinkEvents;
import org.calicojava.netlink.RouteType;
import org.junit.jupiter.api.Test;

/** Events for changes that {@code ip} makes from outside, in the subscribed namespace only. */
class EventsIT {
    final BlockingQueue<NetlinkEvent> events = new LinkedBlockingQueue<>();

    /** Takes events until one matches, up to 10 s; fails otherwise. */
    <T extends NetlinkEvent> T await(Class<T> type, Predicate<T> match) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            NetlinkEvent e = events.poll(100, TimeUnit.MILLISECONDS);
            if (type.isInstance(e) && match.test(type.cast(e))) {
                return type.cast(e);
            }
        }
        throw new AssertionError("no matching " + type.getSimpleName() + " within 10 s");
    }

    @Test
    void deliversTypedEventsForChangesMadeByIp() throws Exception {
        try (TestNs ns = new TestNs();
                TestNs other = new TestNs()) {
            NetlinkEvents sub = NetNs.subscribe(ns.name, EnumSet.allOf(EventGroup.class), events::add);
            try {
                ns.ip("link", "add", "e0", "type", "veth", "peer", "name", "e1");
                LinkEvent added = await(LinkEvent.class, e -> e.link().name().equals("e0"));
                assertThat(added.change()).isEqualTo(Change.ADDED);
                assertThat(added.link().kind()).isEqualTo("veth");

                ns.ip("link", "set", "e0", "up");
                await(
                        LinkEvent.class,
                        e -> e.link().name().equals("e0") && e.link().isUp());
                ns.ip("addr", "add", "10.4.0.1/24", "dev", "e0");
                AddressEvent addr = await(
                        AddressEvent.class, e -> e.address().prefix().toString().equals("10.4.0.1/24"));
                assertThat(addr.change()).isEqualTo(Change.ADDED);

                other.ip("route", "add", "blackhole", "10.45.0.0/16", "proto", "99"); // another namespace: not seen
                ns.ip("route", "add", "10.44.0.0/16", "via", "10.4.0.2", "proto", "99");
                RouteEvent route = await(RouteEvent.class, e -> e.route().protocol() == 99);
                assertThat(route.change()).isEqualTo(Change.ADDED);
                assertThat(route.route().dst().toString()).isEqualTo("10.44.0.0/16");
                assertThat(route.route().nextHops().get(0).gateway().getHostAddress())
                        .isEqualTo("10.4.0.2");

                ns.ip("-6", "route", "add", "blackhole", "fd44::/48", "proto", "99");
                RouteEvent v6 =
                        await(RouteEvent.class, e -> e.route().dst().toString().equals("fd44::/48"));
                assertThat(v6.route().type()).isEqualTo(RouteType.BLACKHOLE);

                ns.ip("route", "del", "10.44.0.0/16");
                RouteEvent removed = await(
                        RouteEvent.class,
                        e -> e.change() == Change.REMOVED && e.route().protocol() == 99);
                assertThat(removed.route().dst().toString()).isEqualTo("10.44.0.0/16");
                ns.ip("link", "del", "e0");
                await(
                        LinkEvent.class,
                        e -> e.change() == Change.REMOVED && e.link().name().equals("e0"));
            } finally {
                sub.close();
            }
            assertThat(events)
                    .noneMatch(e -> e instanceof RouteEvent r
                            && r.route().dst().toString().equals("10.45.0.0/16"));
            assertThat(Thread.getAllStackTraces().keySet())
                    .noneMatch(t -> t.getName().equals("netlink-events-" + ns.name));
            int before = events.size();
            ns.ip("link", "add", "e2", "type", "veth", "peer", "name", "e3");
            Thread.sleep(300); // nothing may arrive after close; a short look is enough to catch a leak
            assertThat(events).hasSize(before);
        }
    }

    @Test
    void subscribesInTheCallersNamespaceFromANamespaceThread() throws Exception {
        try (TestNs ns = new TestNs()) {
            NetlinkEvents sub =
                    NetNs.run(ns.name, () -> NetlinkEvents.subscribe(EnumSet.of(EventGroup.LINK), events::add));
            try {
                ns.ip("link", "add", "f0", "type", "veth", "peer", "name", "f1");
                await(LinkEvent.class, e -> e.link().name().equals("f0"));
            } finally {
                sub.close();
            }
        }
    }
}
