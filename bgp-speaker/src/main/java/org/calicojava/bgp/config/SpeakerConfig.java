package org.calicojava.bgp.config;

import java.net.InetAddress;
import java.util.List;
import org.calicojava.bgp.codec.Prefix;

/**
 * The speaker's configuration (read from the YAML by {@code yaml.SpeakerYamlLoader}).
 *
 * @param routerId BGP identifier as an int
 * @param listenAddress local address to listen on and to connect from, or null
 * @param listenPort 0 = do not listen (active only)
 * @param holdTime default hold time for neighbours
 * @param connectRetryTime first ConnectRetry interval, seconds (doubles up to 120 while connecting fails)
 * @param idleHoldTime first IdleHold interval after an error, seconds (doubles up to 120 while errors repeat)
 * @param nextHop4 next hop for originated IPv4 routes, or null for the session's local address
 * @param nextHop6 next hop for originated IPv6 routes, or null for the session's local address (IPv4-mapped on IPv4 sessions)
 */
public record SpeakerConfig(
        int routerId,
        long asNumber,
        InetAddress listenAddress,
        int listenPort,
        int holdTime,
        List<NeighborConfig> neighbors,
        List<Prefix> originate,
        int connectRetryTime,
        int idleHoldTime,
        InetAddress nextHop4,
        InetAddress nextHop6) {
    public SpeakerConfig {
        if (routerId == 0) {
            throw new ConfigException("routerId: 0.0.0.0 (expected: a non-zero IPv4 address)");
        }
        checkAs("asNumber", asNumber);
        checkHold("holdTime", holdTime);
        if (listenPort < 0 || listenPort > 65535) {
            throw new ConfigException("listen.port: " + listenPort + " (expected: 0..65535)");
        }
        if (connectRetryTime < 1) {
            throw new ConfigException("connectRetryTime: " + connectRetryTime + " (expected: >= 1)");
        }
        if (idleHoldTime < 0) {
            throw new ConfigException("idleHoldTime: " + idleHoldTime + " (expected: >= 0)");
        }
        neighbors = List.copyOf(neighbors);
        originate = List.copyOf(originate);
        for (int i = 0; i < neighbors.size(); i++) {
            if (neighbors.get(i).passive() && listenPort == 0) {
                throw new ConfigException(
                        "neighbors[" + i + "].passive: true (expected: a listen port to accept its connection)");
            }
            for (int j = 0; j < i; j++) {
                if (neighbors.get(i).address().equals(neighbors.get(j).address())) {
                    throw new ConfigException("neighbors[" + i + "].address: "
                            + neighbors.get(i).address().getHostAddress() + " (expected: each neighbour once)");
                }
            }
        }
    }

    static void checkAs(String key, long asn) {
        if (asn < 1 || asn > 0xffffffffL) {
            throw new ConfigException(key + ": " + asn + " (expected: 1..4294967295)");
        }
    }

    /** Refuses a hold time of 1 or 2 seconds (RFC 4271 4.2), or out of range. */
    public static void checkHold(String key, int hold) {
        if (hold == 1 || hold == 2 || hold < 0 || hold > 65535) {
            throw new ConfigException(key + ": " + hold + " (expected: 0 or 3..65535)");
        }
    }
}
