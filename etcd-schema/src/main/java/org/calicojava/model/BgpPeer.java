package org.calicojava.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A BGP peer: {@code .../peer_v4/<ip>} = {"ip":"10.0.0.1","as_num":"64513"} (as_num a string, as Calico writes it),
 * with optional fields (omitted when unset): {@code "password"} the TCP-MD5 secret ({@link BgpPassword}: as Calico's
 * BGPPeer keeps it, beside the peer), {@code "accept_default": true} to take a default route from it, and
 * {@code "max_prefixes"} ({@link BgpMaxPrefixes}), and {@code "graceful_restart_notification": true} to announce and
 * honour RFC 8538's N bit with it (graceful restart after a NOTIFICATION; off by default, so that a peer that stops
 * with a NOTIFICATION loses its routes at once). {@link #toString()} never shows the password.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BgpPeer(
        @JsonProperty("ip") String ip,
        @JsonProperty("as_num") String asNum,
        @JsonProperty("password") String password,
        @JsonProperty("accept_default") Boolean acceptDefault,
        @JsonProperty("max_prefixes") BgpMaxPrefixes maxPrefixes,
        @JsonProperty("graceful_restart_notification") Boolean gracefulRestartNotification) {
    @JsonCreator
    public BgpPeer {
        ip = Cidr.host(ip).ip();
        asNum = Long.toString(AsNumber.parse(asNum));
        password = BgpPassword.check(password);
        if (Boolean.FALSE.equals(acceptDefault)) {
            acceptDefault = null; // the default; not written
        }
        if (Boolean.FALSE.equals(gracefulRestartNotification)) {
            gracefulRestartNotification = null;
        }
    }

    public BgpPeer(String ip, String asNum, String password, Boolean acceptDefault, BgpMaxPrefixes maxPrefixes) {
        this(ip, asNum, password, acceptDefault, maxPrefixes, null);
    }

    public BgpPeer(String ip, String asNum) {
        this(ip, asNum, null, null, null);
    }

    /** RFC 8538: keep this peer's routes as stale through a NOTIFICATION as through a lost connection. */
    public boolean keepsRoutesThroughNotification() {
        return Boolean.TRUE.equals(gracefulRestartNotification);
    }

    public int version() {
        return Cidr.host(ip).version();
    }

    public boolean acceptsDefault() {
        return Boolean.TRUE.equals(acceptDefault);
    }

    @Override
    public String toString() {
        return "BgpPeer[ip=" + ip + ", asNum=" + asNum + ", password=" + (password == null ? "none" : "set")
                + ", acceptDefault=" + acceptsDefault() + ", maxPrefixes=" + maxPrefixes
                + ", gracefulRestartNotification=" + keepsRoutesThroughNotification() + "]";
    }
}
