/**
 * A BGP-4 speaker on Netty.
 *
 * <p>Implements: RFC 4271 (BGP-4, FSM, collision detection), RFC 5492 (capabilities), RFC 4760 (multiprotocol IPv4/IPv6
 * unicast), RFC 6793 (4-octet AS, AS4_PATH/AS4_AGGREGATOR, AS_TRANS), RFC 2918 and 7313 (route refresh, enhanced),
 * RFC 4724 (graceful restart capability, End-of-RIB), RFC 7911 (ADD-PATH), RFC 8654 (extended messages), RFC 7606
 * (revised UPDATE error handling), RFC 1997/4360/8092 (communities, extended, large), RFC 4456 (ORIGINATOR_ID,
 * CLUSTER_LIST), RFC 5065 (confederation segments), RFC 4486 (cease subcodes), RFC 2385 (TCP-MD5), RFC 5082 (GTSM).
 *
 * <p>Packages: {@code codec} (pure wire format), {@code session} (FSM, Netty connections, the speaker), {@code config}
 * (the session settings), {@code yaml} (the one YAML file, read into the settings), {@code bfd} (BFD sessions),
 * {@code rib} (Adj-RIB-In/Loc-RIB/Adj-RIB-Out, best path, import and export, graceful restart, the routing keys),
 * {@code policy} (terms, matches, actions), {@code kernel} (routes through netlink), {@code control} (the control
 * socket and its client), {@code metrics} (Prometheus). See the module README for data flow and tests.
 */
package org.calicojava.bgp;
