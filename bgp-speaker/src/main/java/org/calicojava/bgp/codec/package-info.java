/**
 * The BGP wire format, pure (no I/O): one class per message, the table-driven path attribute codec
 * ({@link org.calicojava.bgp.codec.AttributeTable}), packed prefixes ({@link org.calicojava.bgp.codec.Nlri}), errors as
 * data ({@link org.calicojava.bgp.codec.BgpError}, RFC 7606 outcomes on {@link org.calicojava.bgp.codec.Update}), and
 * the Netty frame decoder / stateless encoder.
 */
package org.calicojava.bgp.codec;
