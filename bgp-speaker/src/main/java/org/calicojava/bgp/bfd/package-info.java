/**
 * Bidirectional Forwarding Detection for the speaker's neighbours.
 *
 * <ul>
 *   <li>RFC 5880: the control packet ({@link org.calicojava.bgp.bfd.BfdPacket}, section 4.1, reception checks of 6.8.6),
 *       asynchronous mode, the state machine AdminDown/Down/Init/Up with diagnostic codes, detection time (6.8.4),
 *       transmit interval with 75-100 % jitter (6.8.7), slow transmission (1 s) until Up (6.8.3), the poll sequence
 *       for timer changes ({@link org.calicojava.bgp.bfd.BfdSession}). Demand mode and the echo function are not
 *       implemented (never requested; a peer's D bit is refused as in BIRD). Authentication is not implemented: packets
 *       with the A bit are dropped.</li>
 *   <li>RFC 5881: single hop over IPv4 and IPv6, UDP port 3784, source ports 49152-65535 (one per session), TTL / hop
 *       limit 255 sent; received packets with any other TTL never reach us: a classic BPF socket filter on the
 *       receiving socket accepts only TTL / hop limit 255 ({@link org.calicojava.bgp.bfd.TtlFilter}, GTSM).</li>
 *   <li>RFC 5882 / RFC 9384: a session going from Up to Down (not by the peer's AdminDown) closes the BGP session with
 *       Cease subcode 10 "BFD Down" and flushes its routes, even with graceful restart, unless the neighbour's
 *       {@code bfd.graceful} is set (BIRD's {@code bfd graceful}). Our C bit is 0: this BFD shares fate with BGP.</li>
 * </ul>
 */
package org.calicojava.bgp.bfd;
