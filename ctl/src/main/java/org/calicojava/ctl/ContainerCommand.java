package org.calicojava.ctl;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.calicojava.ipam.Ipam;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.calicojava.model.Names;
import org.calicojava.model.WorkloadEndpoint;
import org.calicojava.store.KeyValue;
import org.calicojava.store.RevisionConflictException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Workloads that are not Docker's, as calicoctl had them: {@code container add|remove CONTAINER [IP]},
 * {@code container CONTAINER ip add|remove IP}, {@code container CONTAINER profile append|remove|set PROFILES},
 * {@code container CONTAINER endpoint-id show}. CONTAINER is a network namespace name, a PID or a namespace path; the
 * workload is recorded as {@code /calico/v1/host/HOST/workload/javactl/CONTAINER/endpoint/ID}.
 */
@Command(
        name = "container",
        description = "Attach network namespaces (or processes) as workloads: container add|remove, "
                + "container NAME ip|profile|endpoint-id ...",
        subcommands = {
            ContainerCommand.Add.class,
            ContainerCommand.Remove.class,
            ContainerCommand.Ip.class,
            ContainerCommand.Profile.class,
            ContainerCommand.EndpointId.class
        })
final class ContainerCommand implements Runnable {
    static final String ORCHESTRATOR = "javactl";

    @Parameters(arity = "0..1", paramLabel = "CONTAINER")
    String name;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(),
                "missing subcommand (expected: add, remove, or CONTAINER ip|profile|endpoint-id ...)");
    }

    /** Options shared by the container commands. */
    abstract static class HostSub extends Sub {
        @Option(names = "--hostname", paramLabel = "HOST", description = "the host in etcd (default: this host's name)")
        String hostname;

        @Option(
                names = "--host-netns",
                paramLabel = "NS",
                description = "network namespace that stands for the host (default: this process's)")
        String hostNetns;

        String host() {
            return Names.check("host", hostname != null ? hostname : IpamCommand.localHost());
        }

        String workloadPrefix(String host, String container) {
            return keys().workloads(host) + ORCHESTRATOR + "/" + Names.check("workload", container) + "/endpoint/";
        }

        Optional<KeyValue> endpointKv(String host, String container) {
            List<KeyValue> kvs = store().list(workloadPrefix(host, container)).kvs();
            return kvs.isEmpty() ? Optional.empty() : Optional.of(kvs.get(0));
        }

        /** The workload's endpoint; refused when {@code container} is not a workload on {@code host}. */
        KeyValue existingEndpoint(String host, String container) {
            return endpointKv(host, container)
                    .orElseThrow(() -> fail("container " + container + " is not a workload on host " + host));
        }

        String containerOf() {
            for (CommandLine.Model.CommandSpec s = spec.parent(); s != null; s = s.parent()) {
                if (s.userObject() instanceof ContainerCommand c) {
                    if (c.name == null) {
                        throw fail("which container? (usage: javactl container CONTAINER ...)");
                    }
                    return c.name;
                }
            }
            throw new IllegalStateException("no container command above " + spec.qualifiedName());
        }

        /** Read-modify-write of the endpoint with compare-and-swap. */
        WorkloadEndpoint change(String host, String container, UnaryOperator<WorkloadEndpoint> f) {
            for (int attempt = 0; attempt < 10; attempt++) {
                KeyValue kv = endpointKv(host, container)
                        .orElseThrow(() -> fail("container " + container + " is not a workload on host " + host
                                + " (add it: javactl container add " + container + " IP)"));
                WorkloadEndpoint next = f.apply(WorkloadEndpoint.read(kv.value()));
                try {
                    store().update(kv.key(), Json.write(next), kv.modRevision());
                    return next;
                } catch (RevisionConflictException e) {
                    // changed meanwhile: read again
                }
            }
            throw fail("the endpoint of " + container + " kept changing; try again");
        }

        /** An explicit address, or "ipv4"/"ipv6"/a pool CIDR for the next free one from IPAM. */
        Cidr assign(Ipam ipam, String host, String handle, String what) {
            if (what.equals("ipv4") || what.equals("ipv6")) {
                return ipam.autoAssign(new Ipam.AutoRequest(host, handle, Map.of(), what.equals("ipv4") ? 4 : 6, null));
            }
            if (what.contains("/")) {
                Cidr pool = Cidr.parse(what, true);
                return ipam.autoAssign(new Ipam.AutoRequest(host, handle, Map.of(), pool.version(), pool));
            }
            return ipam.assign(Cidr.host(what), handle, Map.of(), host);
        }
    }

    @Command(name = "add", description = "Add a workload: CONTAINER IP (an address, ipv4, ipv6 or a pool CIDR)")
    static final class Add extends HostSub {
        @Parameters(index = "0", paramLabel = "CONTAINER")
        String container;

        @Parameters(index = "1", paramLabel = "IP")
        String ip;

        @Option(names = "--profile", paramLabel = "P", description = "profile to give the endpoint (repeatable)")
        List<String> profiles = new ArrayList<>();

        @Override
        public void run() {
            String host = host();
            Names.check("workload", container);
            Path ns = Workloads.namespace(container);
            for (String p : profiles) {
                Names.check("profile", p);
            }
            if (endpointKv(host, container).isPresent()) {
                throw fail("container " + container + " is already a workload on host " + host);
            }
            String id = UUID.randomUUID().toString().replace("-", "");
            String iface = org.calicojava.netlink.WorkloadInterface.hostName(id);
            String handle = ORCHESTRATOR + "." + container;
            Ipam ipam = new Ipam(store(), keys());
            Cidr addr = assign(ipam, host, handle, ip);
            try {
                Workloads.plumb(
                        hostNetns,
                        iface,
                        ns,
                        List.of(addr),
                        uplink -> org.calicojava.ipam.Pools.workloadMtu(store(), keys(), host, uplink));
                WorkloadEndpoint ep = new WorkloadEndpoint(
                        "active",
                        iface,
                        Workloads.HOST_MAC,
                        profiles,
                        addr.isIpv4() ? List.of(addr) : List.of(),
                        addr.isIpv4() ? List.of() : List.of(addr),
                        Map.of());
                store().create(workloadPrefix(host, container) + id, Json.write(ep));
            } catch (RuntimeException e) {
                try {
                    Workloads.unplumb(hostNetns, iface); // the name is new, so whatever holds it is ours
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
                ipam.releaseByHandle(handle);
                throw e;
            }
            out().println("IP " + addr.ip() + " added to " + container + " (interface " + iface + " on host " + host
                    + ")");
        }
    }

    @Command(name = "remove", description = "Remove a workload: its veth, endpoint and addresses.")
    static final class Remove extends HostSub {
        @Parameters(paramLabel = "CONTAINER")
        String container;

        @Override
        public void run() {
            String host = host();
            KeyValue kv = existingEndpoint(host, container);
            WorkloadEndpoint ep = WorkloadEndpoint.read(kv.value());
            Workloads.unplumb(hostNetns, ep.name());
            List<Cidr> released = new Ipam(store(), keys()).releaseByHandle(ORCHESTRATOR + "." + container);
            store().delete(kv.key());
            store().deletePrefix(keys().felixEndpointStatus(
                            host, ORCHESTRATOR, container, org.calicojava.model.Keys.lastSegment(kv.key())));
            out().println("Removed workload " + container + " (" + ep.name() + ", released "
                    + String.join(", ", released.stream().map(Cidr::ip).toList()) + ")");
        }
    }

    @Command(
            name = "ip",
            description = "container CONTAINER ip add|remove IP",
            subcommands = {IpAdd.class, IpRemove.class})
    static final class Ip {}

    @Command(name = "add", description = "Give the workload another address (an address, ipv4, ipv6 or a pool CIDR).")
    static final class IpAdd extends HostSub {
        @Parameters(paramLabel = "IP")
        String ip;

        @Override
        public void run() {
            String container = containerOf();
            String host = host();
            Path ns = Workloads.namespace(container);
            existingEndpoint(host, container);
            Ipam ipam = new Ipam(store(), keys());
            Cidr addr = assign(ipam, host, ORCHESTRATOR + "." + container, ip);
            try {
                Workloads.addAddress(ns, addr);
                change(host, container, ep -> withAddresses(ep, addr, true));
            } catch (RuntimeException e) {
                ipam.release(addr);
                throw e;
            }
            out().println("IP " + addr.ip() + " added to " + container);
        }
    }

    @Command(name = "remove", description = "Take an address from the workload.")
    static final class IpRemove extends HostSub {
        @Parameters(paramLabel = "IP")
        String ip;

        @Override
        public void run() {
            String container = containerOf();
            String host = host();
            Cidr addr = Cidr.host(ip);
            WorkloadEndpoint cur =
                    WorkloadEndpoint.read(existingEndpoint(host, container).value());
            if (!cur.ipv4Nets().contains(addr) && !cur.ipv6Nets().contains(addr)) {
                throw fail(container + " has no address " + addr.ip());
            }
            change(host, container, ep -> withAddresses(ep, addr, false));
            Workloads.removeAddress(Workloads.namespace(container), addr);
            new Ipam(store(), keys()).release(addr);
            out().println("IP " + addr.ip() + " removed from " + container);
        }
    }

    static WorkloadEndpoint withAddresses(WorkloadEndpoint ep, Cidr addr, boolean add) {
        List<Cidr> v4 = new ArrayList<>(ep.ipv4Nets());
        List<Cidr> v6 = new ArrayList<>(ep.ipv6Nets());
        List<Cidr> list = addr.isIpv4() ? v4 : v6;
        if (add) {
            list.add(addr);
        } else {
            list.remove(addr);
        }
        return new WorkloadEndpoint(ep.state(), ep.name(), ep.mac(), ep.profileIds(), v4, v6, ep.labels());
    }

    @Command(
            name = "profile",
            description = "container CONTAINER profile append|remove|set PROFILES...",
            subcommands = {ProfileAppend.class, ProfileRemove.class, ProfileSet.class})
    static final class Profile {}

    /** Changes the workload's profile list; every named profile must exist (except when removing). */
    abstract static class ProfileChange extends HostSub {
        @Parameters(arity = "0..*", paramLabel = "PROFILE")
        List<String> given = new ArrayList<>();

        abstract String op();

        @Override
        public void run() {
            String container = containerOf();
            String host = host();
            for (String p : given) {
                Names.check("profile", p);
                if (!op().equals("remove")
                        && store().list(keys().profile(p) + "/").kvs().isEmpty()) {
                    throw fail("profile " + p + " does not exist (add it: javactl profile add " + p + ")");
                }
            }
            if (given.isEmpty() && !op().equals("set")) {
                throw fail("name at least one profile");
            }
            WorkloadEndpoint ep = change(
                    host,
                    container,
                    cur -> new WorkloadEndpoint(
                            cur.state(),
                            cur.name(),
                            cur.mac(),
                            merged(cur.profileIds(), given, op()),
                            cur.ipv4Nets(),
                            cur.ipv6Nets(),
                            cur.labels()));
            out().println("Profiles of " + container + ": " + String.join(", ", ep.profileIds()));
        }
    }

    @Command(name = "append", description = "Add profiles to the workload.")
    static final class ProfileAppend extends ProfileChange {
        String op() {
            return "append";
        }
    }

    @Command(name = "remove", description = "Remove profiles from the workload.")
    static final class ProfileRemove extends ProfileChange {
        String op() {
            return "remove";
        }
    }

    @Command(name = "set", description = "Set the workload's profiles (none: no profile).")
    static final class ProfileSet extends ProfileChange {
        String op() {
            return "set";
        }
    }

    @Command(
            name = "endpoint-id",
            description = "container CONTAINER endpoint-id show",
            subcommands = {EndpointIdShow.class})
    static final class EndpointId {}

    @Command(name = "show", description = "Print the workload's endpoint id.")
    static final class EndpointIdShow extends HostSub {
        @Override
        public void run() {
            String container = containerOf();
            String host = host();
            KeyValue kv = existingEndpoint(host, container);
            out().println(org.calicojava.model.Keys.lastSegment(kv.key()));
        }
    }

    static List<String> merged(List<String> current, List<String> given, String op) {
        LinkedHashSet<String> s = new LinkedHashSet<>(current);
        switch (op) {
            case "append" -> s.addAll(given);
            case "remove" -> given.forEach(s::remove);
            default -> {
                s.clear();
                s.addAll(given);
            }
        }
        return new ArrayList<>(s);
    }
}
