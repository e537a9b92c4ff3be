package org.calicojava.felix.calc;

/** Identifies a workload endpoint: {@code /calico/v1/host/HOST/workload/ORCH/WORKLOAD/endpoint/ID}. */
public record EndpointKey(String host, String orchestrator, String workload, String endpoint)
        implements Comparable<EndpointKey> {
    @Override
    public int compareTo(EndpointKey o) {
        return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
        return host + "/" + orchestrator + "/" + workload + "/" + endpoint;
    }
}
