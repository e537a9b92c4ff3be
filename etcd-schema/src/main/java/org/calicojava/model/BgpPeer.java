package org.calicojava.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A BGP peer: {@code .../peer_v4/<ip>} = {"ip":"10.0.0.1","as_num":"64513"} (as_num a string, as Calico writes it),
 * with optional fields (omitted when unset): {@code "password"} the TCP-MD5 secret ({@link BgpPassword}: as Calico's
 * BGPPeer keeps it, beside the peer), {@code "accept_default": true} to take a default route from it, and
 * {@code "max_prefixes"} ({@link BgpMaxPrefixes}). {@link #toString()} never shows the password.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BgpPeer(
        @JsonProperty("ip") String ip,
        @JsonProperty("as_num") String asNum,
        @JsonProperty("password") String password,
        @JsonProperty("accept_default") Boolean acceptDefault,
        @JsonProperty("max_prefixes") BgpMaxPrefixes maxPrefixes) {
    @JsonCreator
    public BgpPeer {
        ip = Cidr.host(ip).ip();
        asNum = Long.toString(AsNumber.parse(asNum));
        password = BgpPassword.check(password);
        if (Boolean.FALSE.equals(acceptDefault)) {
            acceptDefault = null; // the default; not written
        }
    }

    public BgpPeer(String ip, String asNum) {
        this(ip, asNum, null, null, null);
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
                + ", acceptDefault=" + acceptsDefault() + ", maxPrefixes=" + maxPrefixes + "]";
    }
}
