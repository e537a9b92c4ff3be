package org.calicojava.bgp.config;

import java.net.InetAddress;
import org.calicojava.bgp.codec.AddPathMode;

/**
 * One configured neighbour.
 *
 * @param port the peer's TCP port (default 179)
 * @param password TCP-MD5 key (RFC 2385), or null
 * @param holdTime seconds, 0 or >= 3
 * @param ttlSecurity GTSM hops (RFC 5082), 0 = off
 * @param addPath ADD-PATH mode (RFC 7911), or null
 * @param restartTime graceful restart time (RFC 4724) to advertise, or -1 for no GR capability
 * @param maxPrefixes the prefix limit, or null for none
 * @param grNotification with graceful restart: the capability's N bit (RFC 8538), graceful restart after a NOTIFICATION
 *     too when the peer sets it as well
 */
public record NeighborConfig(
        InetAddress address,
        int port,
        long asNumber,
        boolean passive,
        String password,
        int holdTime,
        int ttlSecurity,
        AddPathMode addPath,
        int restartTime,
        MaxPrefixes maxPrefixes,
        boolean grNotification) {
    public NeighborConfig {
        if (address == null) {
            throw new ConfigException("address: missing (expected: an IP address)");
        }
        SpeakerConfig.checkAs("asNumber", asNumber);
        SpeakerConfig.checkHold("holdTime", holdTime);
        if (port < 1 || port > 65535) {
            throw new ConfigException("port: " + port + " (expected: 1..65535)");
        }
        if (ttlSecurity < 0 || ttlSecurity > 254) {
            throw new ConfigException("ttlSecurity: " + ttlSecurity + " (expected: 1..254)");
        }
        if (password != null && (password.isEmpty() || password.length() > 80)) {
            throw new ConfigException("password: " + password.length() + " characters (expected: 1..80)");
        }
        if (restartTime < -1 || restartTime > 4095) {
            throw new ConfigException("gracefulRestart.restartTime: " + restartTime + " (expected: 0..4095)");
        }
    }

    /** A plain active neighbour on port 179 without options. */
    public static NeighborConfig of(InetAddress address, long asNumber, int holdTime) {
        return new NeighborConfig(address, 179, asNumber, false, null, holdTime, 0, null, -1, null, false);
    }
}
