/**
 * Sessions: the RFC 4271 FSM per neighbour ({@link org.calicojava.bgp.session.Peer}, owned by one event loop), Netty
 * connections with back-pressure, TCP-MD5 and GTSM, and the {@link org.calicojava.bgp.session.Speaker} that owns them and
 * hands received UPDATEs to a {@link org.calicojava.bgp.session.RouteSink}.
 */
package org.calicojava.bgp.session;
