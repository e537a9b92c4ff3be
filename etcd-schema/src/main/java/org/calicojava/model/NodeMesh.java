package org.calicojava.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code /calico/bgp/v1/global/node_mesh} = {"enabled":true}, with an optional {@code "password"}: the TCP-MD5
 * secret of every node-to-node mesh session ({@link BgpPassword}). {@link #toString()} never shows the password.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NodeMesh(
        @JsonProperty("enabled") boolean enabled,
        @JsonProperty("password") String password) {
    @JsonCreator
    public NodeMesh {
        password = BgpPassword.check(password);
    }

    public NodeMesh(boolean enabled) {
        this(enabled, null);
    }

    @Override
    public String toString() {
        return "NodeMesh[enabled=" + enabled + ", password=" + (password == null ? "none" : "set") + "]";
    }
}
