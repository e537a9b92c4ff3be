package org.calicojava.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Written by felix: {@code /calico/felix/v1/host/<host>/status} = {"time","uptime"}. */
public record HostStatus(
        @JsonProperty("time") String time,
        @JsonProperty("uptime") double uptime,
        @JsonProperty("first_update") String firstUpdate) {}
