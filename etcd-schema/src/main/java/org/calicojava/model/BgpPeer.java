package org.calicojava.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/** A BGP peer: {@code .../peer_v4/<ip>} = {"ip":"10.0.0.1","as_num":"64513"} (as_num a string, as Calico writes it). */
public record BgpPeer(@JsonProperty("ip") String ip, @JsonProperty("as_num") String asNum) {
    @JsonCreator
    public BgpPeer {
        ip = Cidr.host(ip).ip();
        asNum = Long.toString(AsNumber.parse(asNum));
    }

    public int version() {
        return Cidr.host(ip).version();
    }
}
