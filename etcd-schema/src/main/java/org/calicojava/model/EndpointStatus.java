package org.calicojava.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Written by felix: {@code /calico/felix/v1/host/<host>/workload/<orch>/<wl>/endpoint/<id>} = {"status":"up|down|error"}. */
public record EndpointStatus(
        @JsonProperty("status") String status,
        @JsonProperty("reason") String reason) {
    public EndpointStatus {
        if (!"up".equals(status) && !"down".equals(status) && !"error".equals(status)) {
            throw new IllegalArgumentException(
                    "endpoint status: " + LogText.quote(status) + " (expected: up, down or error)");
        }
    }
}
