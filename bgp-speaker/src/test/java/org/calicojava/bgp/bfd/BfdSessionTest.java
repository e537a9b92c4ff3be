package org.calicojava.bgp.bfd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The RFC 5880 state machine on a manual clock, without sockets: every packet goes through the codec as bytes. */
class BfdSessionTest {
    static final BfdSettings FAST = new BfdSettings(100_000, 100_000, 3, false);

    /** What one session sent: decoded copies with the time they left. */
    static final class Wire implements BfdSession.Transmitter {
        final List<BfdPacket> sent = new ArrayList<>();
        final List<Long> times = new ArrayList<>();
        final ManualClock clock;
        BfdSession peer;
        boolean up = true;

        Wire(ManualClock clock) {
            this.clock = clock;
        }

        @Override
        public void transmit(BfdSession s, BfdPacket p) {
            ByteBuf b = Unpooled.buffer();
            p.encode(b);
            BfdPacket copy = new BfdPacket();
            assertNull(copy.decode(b, 255), "our own packet must pass the checks");
            sent.add(copy);
            times.add(clock.nanoTime());
            if (up && peer != null) {
                peer.receive(copy);
            }
        }

        BfdPacket last() {
            return sent.get(sent.size() - 1);
        }
    }

    record Change(BfdState from, BfdState to, int diag, long atMs) {}

    final ManualClock clock = new ManualClock();
    final List<Change> changesA = new ArrayList<>(), changesB = new ArrayList<>();
    final Wire wireA = new Wire(clock), wireB = new Wire(clock);
    final BfdSession a = session("192.0.2.2", 0x0a, FAST, wireA, changesA);
    final BfdSession b = session("192.0.2.1", 0x0b, FAST, wireB, changesB);

    BfdSession session(String remote, int disc, BfdSettings s, Wire w, List<Change> log) {
        return new BfdSession(
                addr(remote),
                disc,
                s,
                clock,
                w,
                (x, from, to, diag) -> log.add(new Change(from, to, diag, clock.nowMs())));
    }

    static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    void connect() {
        wireA.peer = b;
        wireB.peer = a;
        a.start();
        b.start();
    }

    static BfdPacket packet(BfdState state, int my, int your) {
        BfdPacket p = new BfdPacket();
        p.state = state;
        p.detectMult = 3;
        p.myDiscriminator = my;
        p.yourDiscriminator = your;
        p.desiredMinTx = 100_000;
        p.requiredMinRx = 100_000;
        return p;
    }

    @Test
    void threeWayHandshakeThenPollToFastRate() {
        connect();
        clock.advanceMs(0);
        assertEquals(BfdState.UP, a.state());
        assertEquals(BfdState.UP, b.state());
        // A sends first: B goes Down -> Init on A's Down, A goes Down -> Up on B's Init, B Init -> Up on A's Up
        assertEquals(
                List.of(BfdState.INIT, BfdState.UP),
                changesB.stream().map(Change::to).toList());
        assertEquals(List.of(BfdState.UP), changesA.stream().map(Change::to).toList());
        assertEquals(Diag.NONE, a.diag());
        assertEquals(0x0b, a.remoteDiscriminator());
        // the move to 100 ms went through a poll sequence that B's Final ended
        assertTrue(wireA.sent.stream().anyMatch(p -> p.poll && p.state == BfdState.UP && p.desiredMinTx == 100_000));
        assertTrue(wireB.sent.stream().anyMatch(p -> p.fin));
        assertFalse(wireA.sent.stream().anyMatch(p -> p.poll && p.fin), "P and F never together");
        assertFalse(a.pollActive());
        assertEquals(100_000, a.desiredMinTxUs());
        assertEquals(300_000, a.detectionTimeUs());
        int before = wireA.sent.size();
        clock.advanceMs(1000);
        int perSecond = wireA.sent.size() - before;
        assertTrue(perSecond >= 10 && perSecond <= 14, "packets per second at 100 ms (75-100 % jitter): " + perSecond);
    }

    @Test
    void slowRateUntilUp() {
        wireA.peer = null; // nobody answers
        a.start();
        clock.advanceMs(10_000);
        assertEquals(BfdState.DOWN, a.state());
        for (int i = 1; i < wireA.times.size(); i++) {
            long gapMs = (wireA.times.get(i) - wireA.times.get(i - 1)) / 1_000_000;
            assertTrue(gapMs >= 750 && gapMs <= 1000, "gap " + gapMs + " ms while Down (1 s, jittered)");
        }
        assertEquals(1_000_000, wireA.last().desiredMinTx, "advertised Desired Min TX is 1 s while not Up");
        assertEquals(0, wireA.last().yourDiscriminator);
    }

    @Test
    void jitterIsSeventyFiveToHundredPercentAndNinetyWithMultiplierOne() {
        clock.random(0.0);
        assertEquals(750_000_000L, a.nextTxDelayNanos());
        clock.random(1.0);
        assertEquals(1_000_000_000L, a.nextTxDelayNanos());
        BfdSession one = session("192.0.2.9", 9, new BfdSettings(100_000, 100_000, 1, false), wireA, changesA);
        assertEquals(900_000_000L, one.nextTxDelayNanos());
    }

    @Test
    void detectionTimeExpiresAfterMultiplierTimesInterval() {
        connect();
        clock.advanceMs(500);
        assertEquals(BfdState.UP, a.state());
        wireB.up = false; // B's packets stop reaching A
        long cut = clock.nowMs();
        clock.advanceMs(200);
        assertEquals(BfdState.UP, a.state(), "still Up before 3 x 100 ms");
        clock.advanceMs(150);
        assertEquals(BfdState.DOWN, a.state());
        Change down = changesA.get(changesA.size() - 1);
        assertEquals(Diag.DETECTION_TIME_EXPIRED, down.diag());
        assertTrue(down.atMs() - cut <= 300, "down " + (down.atMs() - cut) + " ms after the last packet could arrive");
        assertEquals(0, a.remoteDiscriminator(), "remote discriminator reset");
        // B hears A's Down with diag 1 and goes Down with diag 3 (neighbor signaled session down)
        assertEquals(BfdState.DOWN, b.state());
        assertEquals(Diag.NEIGHBOR_DOWN, b.diag());
        assertEquals(1_000_000, wireA.last().desiredMinTx, "slow rate again");
        // the link heals: both come back Up
        wireB.up = true;
        clock.advanceMs(3000);
        assertEquals(BfdState.UP, a.state());
        assertEquals(BfdState.UP, b.state());
    }

    @Test
    void everyTransitionOfTheStateMachine() {
        a.start();
        assertEquals(BfdState.DOWN, a.state());
        a.receive(packet(BfdState.ADMIN_DOWN, 7, 0));
        assertEquals(BfdState.DOWN, a.state(), "Down + AdminDown: stays Down");
        a.receive(packet(BfdState.UP, 7, 0x0a));
        assertEquals(BfdState.DOWN, a.state(), "Down + Up: stays Down");
        a.receive(packet(BfdState.DOWN, 7, 0));
        assertEquals(BfdState.INIT, a.state(), "Down + Down: Init");
        a.receive(packet(BfdState.DOWN, 7, 0));
        assertEquals(BfdState.INIT, a.state(), "Init + Down: stays Init");
        a.receive(packet(BfdState.ADMIN_DOWN, 7, 0x0a));
        assertEquals(BfdState.DOWN, a.state(), "Init + AdminDown: Down");
        assertEquals(Diag.NEIGHBOR_DOWN, a.diag());
        a.receive(packet(BfdState.INIT, 7, 0x0a));
        assertEquals(BfdState.UP, a.state(), "Down + Init: Up");
        assertEquals(Diag.NONE, a.diag());
        a.receive(packet(BfdState.INIT, 7, 0x0a));
        a.receive(packet(BfdState.UP, 7, 0x0a));
        assertEquals(BfdState.UP, a.state(), "Up + Init/Up: stays Up");
        a.receive(packet(BfdState.DOWN, 7, 0x0a));
        assertEquals(BfdState.DOWN, a.state(), "Up + Down: Down");
        assertEquals(Diag.NEIGHBOR_DOWN, a.diag());
        a.receive(packet(BfdState.DOWN, 7, 0));
        a.receive(packet(BfdState.UP, 7, 0x0a));
        assertEquals(BfdState.UP, a.state(), "Init + Up: Up");
        a.receive(packet(BfdState.ADMIN_DOWN, 7, 0x0a));
        assertEquals(BfdState.DOWN, a.state(), "Up + AdminDown: Down");
        assertEquals(BfdState.ADMIN_DOWN, a.remoteState());
        a.receive(packet(BfdState.DOWN, 7, 0));
        assertEquals(BfdState.INIT, a.state());
        clock.advanceMs(301);
        assertEquals(BfdState.DOWN, a.state(), "Init + detection time: Down");
        assertEquals(Diag.DETECTION_TIME_EXPIRED, a.diag());
        a.adminDown();
        assertEquals(BfdState.ADMIN_DOWN, a.state());
        assertEquals(Diag.ADMIN_DOWN, wireA.last().diag);
        assertEquals(BfdState.ADMIN_DOWN, wireA.last().state, "AdminDown sent at once");
        a.receive(packet(BfdState.DOWN, 7, 0));
        a.receive(packet(BfdState.INIT, 7, 0x0a));
        assertEquals(BfdState.ADMIN_DOWN, a.state(), "AdminDown ignores the peer");
    }

    @Test
    void pollAnsweredWithFinalAtOnce() {
        a.start();
        a.receive(packet(BfdState.DOWN, 7, 0));
        int n = wireA.sent.size();
        BfdPacket poll = packet(BfdState.INIT, 7, 0x0a);
        poll.poll = true;
        a.receive(poll);
        assertTrue(wireA.sent.size() > n);
        assertTrue(wireA.last().fin, "Final sent without waiting for the transmit timer");
        assertFalse(wireA.last().poll);
    }

    @Test
    void timerChangeWhileUpUsesPollSequence() {
        connect();
        clock.advanceMs(500);
        // slower transmission: advertised at once with P, used only after B's Final
        BfdSettings slow = new BfdSettings(100_000, 300_000, 3, false);
        wireB.up = false; // hold B's Final back
        a.reconfigure(slow);
        assertTrue(a.pollActive());
        assertTrue(wireA.last().poll);
        assertEquals(300_000, wireA.last().desiredMinTx);
        assertEquals(100_000, a.desiredMinTxUs(), "the interval in use does not grow before the Final");
        clock.advanceMs(250);
        assertTrue(
                wireA.sent.subList(wireA.sent.size() - 2, wireA.sent.size()).stream()
                        .allMatch(p -> p.poll),
                "P in every packet until the Final");
        wireB.up = true;
        clock.advanceMs(100);
        assertFalse(a.pollActive());
        assertEquals(300_000, a.desiredMinTxUs());
        assertEquals(900_000, b.detectionTimeUs(), "B detects A with 3 x 300 ms");
        assertEquals(BfdState.UP, a.state());
        // a shorter receive interval: the detection time shrinks only when the poll ends
        BfdSettings rx = new BfdSettings(50_000, 300_000, 3, false);
        long before = a.detectionTimeUs();
        wireB.up = false;
        a.reconfigure(rx);
        assertEquals(before, a.detectionTimeUs());
        wireB.up = true;
        clock.advanceMs(400);
        assertFalse(a.pollActive());
        assertEquals(50_000, a.requiredMinRxUs());
        assertEquals(BfdState.UP, b.state());
    }

    @Test
    void remoteRequiredMinRxSetsOurInterval() {
        connect();
        clock.advanceMs(500);
        b.reconfigure(new BfdSettings(500_000, 100_000, 3, false)); // B wants A no faster than 500 ms
        clock.advanceMs(1000);
        int before = wireA.sent.size();
        clock.advanceMs(5000);
        int n = wireA.sent.size() - before;
        assertTrue(n >= 10 && n <= 14, "A sends every 375-500 ms: " + n + " packets in 5 s");
        assertEquals(BfdState.UP, a.state());
    }
}
