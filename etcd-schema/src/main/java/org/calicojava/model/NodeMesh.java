package org.calicojava.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code /calico/bgp/v1/global/node_mesh} = {"enabled":true}. */
public record NodeMesh(@JsonProperty("enabled") boolean enabled) {
}
