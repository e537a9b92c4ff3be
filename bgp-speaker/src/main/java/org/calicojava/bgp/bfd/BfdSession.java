package org.calicojava.bgp.bfd;

import java.net.InetAddress;

/**
 * One BFD session (RFC 5880, asynchronous mode) with one neighbour: the state machine of section 6.8.6, the transmit
 * timer with jitter (6.8.7), the detection timer (6.8.4), slow transmission (1 s) while not Up and the poll sequence
 * when our intervals change (6.8.3). Owned by one thread (the BFD event loop, or a test's thread with a manual
 * {@link BfdClock}); nothing here does I/O: packets go out through {@link Transmitter}.
 *
 * <p>Timers follow BIRD: {@code desiredMinTxInt}/{@code requiredMinRxInt} are the values the timers use,
 * {@code ...New} the values advertised; a longer transmit interval or a shorter receive interval takes effect only when
 * the poll sequence ends (the peer's Final).
 */
public final class BfdSession {
    /** RFC 5880 6.8.3: not faster than once per second while not Up. */
    public static final long SLOW_TX_US = 1_000_000;

    /** Sends a packet the session filled (its {@link #packet()} object, reused for every packet). */
    public interface Transmitter {
        void transmit(BfdSession s, BfdPacket p);
    }

    /** Told about every state change, on the owning thread. */
    public interface Listener {
        void changed(BfdSession s, BfdState from, BfdState to, int diag);
    }

    private final InetAddress remote;
    private final int localDiscriminator;
    private final BfdClock clock;
    private final Transmitter tx;
    private final Listener listener;
    private final BfdPacket out = new BfdPacket();
    private BfdSettings settings;

    private BfdState state = BfdState.DOWN, remoteState = BfdState.DOWN;
    private int diag = Diag.NONE, remoteDiscriminator, remoteDetectMult;
    private boolean remoteDemand, remoteCpi;
    private long desiredMinTxInt, desiredMinTxNew, requiredMinRxInt, requiredMinRxNew;
    private long remoteMinTx, remoteMinRx = 1;
    private boolean pollActive, pollScheduled;
    private long lastRxNanos, detectDeadline, detectArmedFor = Long.MAX_VALUE, txAt, sinceNanos;
    private BfdClock.Cancel txTimer, detectTimer;
    private boolean closed;
    private long packetsIn, packetsOut, changes;

    public BfdSession(
            InetAddress remote,
            int localDiscriminator,
            BfdSettings settings,
            BfdClock clock,
            Transmitter tx,
            Listener listener) {
        if (localDiscriminator == 0) {
            throw new IllegalArgumentException("local discriminator: 0 (expected: non-zero)");
        }
        this.remote = remote;
        this.localDiscriminator = localDiscriminator;
        this.settings = settings;
        this.clock = clock;
        this.tx = tx;
        this.listener = listener;
        desiredMinTxInt = desiredMinTxNew = Math.max(SLOW_TX_US, settings.minTxUs());
        requiredMinRxInt = requiredMinRxNew = settings.minRxUs();
        sinceNanos = clock.nanoTime();
    }

    /** Starts transmitting (Down, slow rate). */
    public void start() {
        scheduleTx(0);
    }

    // ---- reception (RFC 5880 6.8.6, after the stateless checks of BfdPacket.decode and the session lookup) ----

    /** A packet for this session; {@code p} is only read during the call. */
    public void receive(BfdPacket p) {
        if (closed) {
            return;
        }
        packetsIn++;
        remoteDiscriminator = p.myDiscriminator;
        remoteState = p.state;
        remoteDemand = p.demand;
        remoteCpi = p.cpi;
        long oldRemoteMinRx = remoteMinRx;
        remoteMinRx = p.requiredMinRx;
        remoteMinTx = p.desiredMinTx;
        remoteDetectMult = p.detectMult;
        if (p.fin && pollActive) {
            finishPoll();
        }
        lastRxNanos = clock.nanoTime();
        updateDetection();
        if (remoteMinRx != oldRemoteMinRx && remoteMinRx != 0) {
            rescheduleTxIfSooner();
        }
        if (state != BfdState.ADMIN_DOWN) {
            if (p.state == BfdState.ADMIN_DOWN) {
                if (state != BfdState.DOWN) {
                    change(BfdState.DOWN, Diag.NEIGHBOR_DOWN);
                }
            } else if (state == BfdState.DOWN) {
                if (p.state == BfdState.DOWN) {
                    change(BfdState.INIT, Diag.NONE);
                } else if (p.state == BfdState.INIT) {
                    change(BfdState.UP, Diag.NONE);
                }
            } else if (state == BfdState.INIT) {
                if (p.state == BfdState.INIT || p.state == BfdState.UP) {
                    change(BfdState.UP, Diag.NONE);
                }
            } else if (p.state == BfdState.DOWN) { // Up
                change(BfdState.DOWN, Diag.NEIGHBOR_DOWN);
            }
        }
        if (p.poll) {
            send(true); // the Final answers the Poll at once, not with the next periodic packet
        }
    }

    // ---- configuration and administration ----

    /** New settings (reload): the intervals change through a poll sequence while Up. */
    public void reconfigure(BfdSettings next) {
        settings = next;
        setMinRx(next.minRxUs());
        setMinTx(state == BfdState.UP ? next.minTxUs() : Math.max(SLOW_TX_US, next.minTxUs()));
    }

    /** AdminDown (diag 7), announced to the peer at once; the session stays until {@link #close}. */
    public void adminDown() {
        if (state != BfdState.ADMIN_DOWN) {
            change(BfdState.ADMIN_DOWN, Diag.ADMIN_DOWN);
        }
    }

    /** Stops the timers; nothing is sent afterwards. */
    public void close() {
        closed = true;
        cancel(txTimer);
        cancel(detectTimer);
        txTimer = detectTimer = null;
    }

    // ---- timers ----

    private void setMinTx(long us) {
        if (us == desiredMinTxNew) {
            return;
        }
        desiredMinTxNew = us;
        if (state != BfdState.UP || us < desiredMinTxInt) {
            desiredMinTxInt = us;
            rescheduleTxIfSooner();
        }
        if (state == BfdState.UP) {
            requestPoll();
        }
    }

    private void setMinRx(long us) {
        if (us == requiredMinRxNew) {
            return;
        }
        requiredMinRxNew = us;
        if (state != BfdState.UP || us > requiredMinRxInt) {
            requiredMinRxInt = us;
            updateDetection();
        }
        if (state == BfdState.UP) {
            requestPoll();
        }
    }

    private void requestPoll() {
        if (pollActive) {
            pollScheduled = true; // values changed again during the poll: poll once more after it
        } else {
            pollActive = true;
            send(false);
        }
    }

    private void finishPoll() {
        desiredMinTxInt = desiredMinTxNew;
        requiredMinRxInt = requiredMinRxNew;
        pollActive = pollScheduled;
        pollScheduled = false;
        updateDetection();
        if (pollActive) {
            send(false);
        }
    }

    /** Detection time (6.8.4, asynchronous mode): the peer's Detect Mult x max(our Required Min RX, its Desired Min TX). */
    public long detectionTimeUs() {
        return remoteDetectMult * Math.max(requiredMinRxInt, remoteMinTx);
    }

    private void updateDetection() {
        if (lastRxNanos == 0 || closed) {
            return;
        }
        detectDeadline = lastRxNanos + detectionTimeUs() * 1000;
        if (detectTimer == null || detectDeadline < detectArmedFor) {
            cancel(detectTimer);
            armDetect(detectDeadline - clock.nanoTime());
        }
    }

    private void armDetect(long delay) {
        detectArmedFor = clock.nanoTime() + delay;
        detectTimer = clock.schedule(this::detectFired, Math.max(0, delay));
    }

    private void detectFired() {
        detectTimer = null;
        detectArmedFor = Long.MAX_VALUE;
        if (closed || lastRxNanos == 0) {
            return;
        }
        long left = detectDeadline - clock.nanoTime();
        if (left > 0) { // packets came since it was armed: wait for the rest, one timer per detection time, not per
            // packet
            armDetect(left);
            return;
        }
        lastRxNanos = 0;
        remoteDiscriminator = 0;
        remoteMinTx = 0;
        remoteMinRx = 1;
        remoteDemand = false;
        remoteDetectMult = 0;
        remoteState = BfdState.DOWN;
        pollActive = pollScheduled = false;
        desiredMinTxInt = desiredMinTxNew;
        requiredMinRxInt = requiredMinRxNew;
        if (state == BfdState.INIT || state == BfdState.UP) {
            change(BfdState.DOWN, Diag.DETECTION_TIME_EXPIRED);
        }
    }

    /** 6.8.7: max(our Desired Min TX, the peer's Required Min RX), jittered to 75-100 % (75-90 % with Detect Mult 1). */
    long nextTxDelayNanos() {
        long interval = Math.max(desiredMinTxInt, remoteMinRx);
        double max = settings.multiplier() == 1 ? 0.90 : 1.0;
        return (long) (interval * 1000 * (0.75 + (max - 0.75) * clock.random()));
    }

    private void scheduleTx(long delayNanos) {
        cancel(txTimer);
        txAt = clock.nanoTime() + delayNanos;
        txTimer = clock.schedule(this::txFired, delayNanos);
    }

    private void rescheduleTxIfSooner() {
        if (closed || txTimer == null) {
            return;
        }
        long d = nextTxDelayNanos();
        if (clock.nanoTime() + d < txAt) {
            scheduleTx(d);
        }
    }

    private void txFired() {
        txTimer = null;
        if (closed) {
            return;
        }
        boolean periodic = remoteMinRx != 0
                && !(remoteDemand && state == BfdState.UP && remoteState == BfdState.UP && !pollActive);
        if (periodic) {
            send(false);
        }
        scheduleTx(nextTxDelayNanos());
    }

    private void send(boolean fin) {
        if (closed) {
            return;
        }
        BfdPacket p = out;
        p.diag = diag;
        p.state = state;
        p.poll = pollActive && !fin;
        p.fin = fin;
        p.cpi = false;
        p.auth = false;
        p.demand = false;
        p.multipoint = false;
        p.detectMult = settings.multiplier();
        p.length = BfdPacket.LENGTH;
        p.myDiscriminator = localDiscriminator;
        p.yourDiscriminator = remoteDiscriminator;
        p.desiredMinTx = desiredMinTxNew;
        p.requiredMinRx = requiredMinRxNew;
        p.requiredMinEchoRx = 0;
        packetsOut++;
        tx.transmit(this, p);
    }

    private void change(BfdState next, int newDiag) {
        BfdState from = state;
        state = next;
        diag = newDiag;
        sinceNanos = clock.nanoTime();
        changes++;
        if (next == BfdState.UP) {
            setMinTx(settings.minTxUs());
        } else if (from == BfdState.UP) {
            pollActive = pollScheduled = false;
            desiredMinTxInt = desiredMinTxNew = Math.max(SLOW_TX_US, settings.minTxUs());
            requiredMinRxInt = requiredMinRxNew;
        }
        listener.changed(this, from, next, newDiag);
        if (!closed) {
            send(false); // tell the peer now, not at the next periodic packet
            scheduleTx(nextTxDelayNanos());
        }
    }

    private static void cancel(BfdClock.Cancel c) {
        if (c != null) {
            c.cancel();
        }
    }

    // ---- status (read on the owning thread) ----

    public InetAddress remote() {
        return remote;
    }

    public int localDiscriminator() {
        return localDiscriminator;
    }

    public int remoteDiscriminator() {
        return remoteDiscriminator;
    }

    public BfdState state() {
        return state;
    }

    public BfdState remoteState() {
        return remoteState;
    }

    public int diag() {
        return diag;
    }

    public boolean remoteCpi() {
        return remoteCpi;
    }

    public boolean pollActive() {
        return pollActive;
    }

    public BfdSettings settings() {
        return settings;
    }

    public BfdPacket packet() {
        return out;
    }

    public long desiredMinTxUs() {
        return desiredMinTxInt;
    }

    public long advertisedMinTxUs() {
        return desiredMinTxNew;
    }

    public long requiredMinRxUs() {
        return requiredMinRxInt;
    }

    public long remoteMinRxUs() {
        return remoteMinRx;
    }

    public long remoteMinTxUs() {
        return remoteMinTx;
    }

    public long sinceNanos() {
        return sinceNanos;
    }

    public long packetsIn() {
        return packetsIn;
    }

    public long packetsOut() {
        return packetsOut;
    }

    public long changes() {
        return changes;
    }

    @Override
    public String toString() {
        return "bfd " + remote.getHostAddress() + " " + state + " (" + Diag.name(diag) + ")";
    }
}
