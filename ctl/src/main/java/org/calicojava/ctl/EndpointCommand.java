package org.calicojava.ctl;

import java.util.ArrayList;
import java.util.List;
import org.calicojava.model.WorkloadEndpoint;
import org.calicojava.model.WorkloadQos;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "endpoint",
        description = "Workload endpoints.",
        subcommands = {EndpointCommand.Show.class})
final class EndpointCommand {

    @Command(
            name = "show",
            description = "Show workload endpoints (with --detailed: interface, addresses, profiles, status).")
    static final class Show extends Sub {
        @Option(names = "--host", paramLabel = "H")
        String host;

        @Option(names = "--detailed")
        boolean detailed;

        @Mixin
        Format format;

        @Override
        public void run() {
            List<Endpoints.Entry> eps = Endpoints.list(store(), keys(), host);
            Table t = detailed
                    ? new Table(
                            "Hostname",
                            "Orchestrator ID",
                            "Workload ID",
                            "Endpoint ID",
                            "Addresses",
                            "MAC",
                            "Profiles",
                            "State",
                            "Status",
                            "QoS")
                    : new Table("Hostname", "Orchestrator ID", "Workload ID", "Endpoint ID");
            for (Endpoints.Entry e : eps) {
                if (!detailed) {
                    t.row(e.host(), e.orchestrator(), e.workload(), e.id());
                    continue;
                }
                WorkloadEndpoint w = e.endpoint();
                String status = store().get(
                                keys().felixEndpointStatus(e.host(), e.orchestrator(), e.workload(), e.id()))
                        .map(kv -> kv.value().replaceAll(".*\"status\"\\s*:\\s*\"([a-z]+)\".*", "$1"))
                        .orElse("");
                if (w == null) {
                    t.row(
                            e.host(),
                            e.orchestrator(),
                            e.workload(),
                            e.id(),
                            "(invalid: " + e.error() + ")",
                            "",
                            "",
                            "",
                            status,
                            "");
                    continue;
                }
                List<String> addrs = new ArrayList<>();
                w.ipv4Nets().forEach(c -> addrs.add(c.toString()));
                w.ipv6Nets().forEach(c -> addrs.add(c.toString()));
                t.row(
                        e.host(),
                        e.orchestrator(),
                        e.workload(),
                        e.id(),
                        String.join("\n", addrs),
                        w.mac(),
                        String.join(",", w.profileIds()),
                        w.state(),
                        status,
                        qos(w.qos()));
            }
            t.print(out(), format.value());
        }

        /** Bandwidth limits as the bandwidth plugin applies them: "in 10Mbit/s, out 5Mbit/s" (ingress: into it). */
        static String qos(WorkloadQos q) {
            if (q == null) {
                return "";
            }
            List<String> parts = new ArrayList<>();
            if (q.ingressBandwidth() != null) {
                parts.add("in " + rate(q.ingressBandwidth()) + " (burst " + q.ingressBurst() + " bit)");
            }
            if (q.egressBandwidth() != null) {
                parts.add("out " + rate(q.egressBandwidth()) + " (burst " + q.egressBurst() + " bit)");
            }
            return String.join(", ", parts);
        }

        private static String rate(long bits) {
            String[] units = {"bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"};
            int u = 0;
            long v = bits;
            while (v >= 1000 && v % 1000 == 0 && u < units.length - 1) {
                v /= 1000;
                u++;
            }
            return v + units[u];
        }
    }
}
