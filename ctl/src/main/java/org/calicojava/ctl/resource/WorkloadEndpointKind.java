package org.calicojava.ctl.resource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.calicojava.model.Cidr;
import org.calicojava.model.KeyPath;
import org.calicojava.model.WorkloadEndpoint;
import org.calicojava.store.KeyValue;

/**
 * WorkloadEndpoint (get only: endpoints are written by {@code container add}, the Docker driver and the CNI plugin),
 * from {@code /v1/host/<host>/workload/<orch>/<workload>/endpoint/<id>}. Its name is
 * {@code <host>.<orchestrator>.<workload>.<endpoint>}; {@code get workloadendpoint NAME} also matches the workload
 * or endpoint id alone.
 */
final class WorkloadEndpointKind implements Kind {
    @Override
    public String kind() {
        return "WorkloadEndpoint";
    }

    @Override
    public List<String> aliases() {
        return List.of("workloadendpoint", "workloadendpoints", "wep", "weps");
    }

    @Override
    public Class<?> specType() {
        return Specs.WorkloadEndpointSpec.class;
    }

    @Override
    public boolean writable() {
        return false;
    }

    @Override
    public Footprint footprint(Meta meta, Object spec, Ctx ctx) {
        throw new IllegalArgumentException("WorkloadEndpoint is shown only (endpoints are written by javactl container "
                + "add, the Docker driver and the CNI plugin)");
    }

    @Override
    public Footprint deletion(Meta meta, Object spec, Ctx ctx) {
        return footprint(meta, spec, ctx);
    }

    @Override
    public List<Resource> list(Ctx ctx) {
        List<Resource> out = new ArrayList<>();
        for (KeyValue kv : ctx.store().list(ctx.keys().hosts()).kvs()) {
            if (Resources.parse(ctx, kv.key()) instanceof KeyPath.Endpoint k) {
                String name = k.host() + "." + k.orchestrator() + "." + k.workload() + "." + k.endpointId();
                try {
                    WorkloadEndpoint e = k.decode(kv.value());
                    List<Cidr> nets = new ArrayList<>(e.ipv4Nets());
                    nets.addAll(e.ipv6Nets());
                    out.add(new Resource(
                            kind(),
                            new Meta(name, new TreeMap<>(e.labels()), null, null, null),
                            new Specs.WorkloadEndpointSpec(
                                    k.host(),
                                    k.orchestrator(),
                                    k.workload(),
                                    k.endpointId(),
                                    e.name(),
                                    e.mac(),
                                    nets,
                                    e.profileIds(),
                                    e.state())));
                } catch (IllegalArgumentException ex) {
                    Resources.skipped(kind(), name, ex);
                }
            }
        }
        return out;
    }

    /** Whether {@code name} names this endpoint: its full name, its workload or its endpoint id. */
    static boolean matches(Resource r, String name) {
        Specs.WorkloadEndpointSpec s = (Specs.WorkloadEndpointSpec) r.spec();
        return r.metadata().name().equals(name)
                || s.workload().equals(name)
                || s.endpoint().equals(name);
    }

    @Override
    public List<String> columns() {
        return List.of("NAME", "NODE", "NETWORKS", "INTERFACE", "PROFILES", "STATE");
    }

    @Override
    public int narrowColumns() {
        return 5;
    }

    @Override
    public List<Object> row(Resource r) {
        Specs.WorkloadEndpointSpec s = (Specs.WorkloadEndpointSpec) r.spec();
        return Arrays.asList(
                r.metadata().name(),
                s.node(),
                String.join(",", s.ipNetworks().stream().map(Cidr::toString).toList()),
                s.interfaceName(),
                String.join(",", s.profiles()),
                s.state());
    }
}
