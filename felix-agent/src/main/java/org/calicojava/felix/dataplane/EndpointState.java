package org.calicojava.felix.dataplane;

/** How a local endpoint's dataplane stands after an apply: up, down (interface missing or down) or error. */
public record EndpointState(String status, String reason) {
    public static final EndpointState UP = new EndpointState("up", null);
}
