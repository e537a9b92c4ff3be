package org.calicojava.ctl;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.calicojava.ipam.AllocationBlock;
import org.calicojava.ipam.Ipam;
import org.calicojava.model.Cidr;
import org.calicojava.model.LogText;
import org.calicojava.model.Names;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "ipam",
        description = "IP address management: assign, release, info, show, check, configure.",
        subcommands = {
            IpamCommand.Assign.class,
            IpamCommand.Release.class,
            IpamCommand.Info.class,
            IpamCommand.Show.class,
            IpamCommand.Check.class,
            IpamConfigureCommand.class
        })
final class IpamCommand {

    static String localHost() {
        String h = CallContext.current().env("HOSTNAME");
        if (h == null || h.isBlank()) {
            try {
                h = InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                h = "localhost";
            }
        }
        return h;
    }

    @Command(name = "assign", description = "Assign an address: a given one (--ip) or the next free one (from --pool).")
    static final class Assign extends Sub {
        @ArgGroup(exclusive = true)
        Which which;

        @Option(names = "--host", paramLabel = "H", description = "the host whose blocks to use (default: this host)")
        String host;

        @Option(names = "--handle", paramLabel = "ID", description = "owner of the address, e.g. a container id")
        String handle;

        @Option(names = "--ipv6", description = "assign an IPv6 address (auto-assign only)")
        boolean v6;

        static final class Which {
            @Option(names = "--ip", paramLabel = "IP")
            String ip;

            @Option(names = "--pool", paramLabel = "CIDR")
            String pool;
        }

        @Override
        public void run() {
            String h = Names.check("host", host == null ? localHost() : host);
            String hd = handle == null ? null : Names.check("handle", handle);
            Ipam ipam = new Ipam(store(), keys());
            Cidr got;
            if (which != null && which.ip != null) {
                got = ipam.assign(Cidr.host(which.ip), hd, Map.of(), h);
            } else {
                Cidr pool = which == null || which.pool == null ? null : Cidr.parse(which.pool, true);
                int version = pool != null ? pool.version() : v6 ? 6 : 4;
                got = ipam.autoAssign(new Ipam.AutoRequest(h, hd, Map.of(), version, pool));
            }
            out().println(got.ip());
        }
    }

    @Command(
            name = "release",
            description = "Release an address (--ip), every address of a handle (--handle), or the leaked addresses "
                    + "of an ipam check report that are still leaked (--from-report; exit 1 when any is left).")
    static final class Release extends Sub implements CommandLine.IExitCodeGenerator {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Which which;

        @Option(
                names = "--min-age",
                paramLabel = "SECONDS",
                defaultValue = "30",
                description = "with --from-report: refuse a report younger than this (default 30): a workload being"
                        + " set up when the check ran has its address before its endpoint, and looks leaked until the"
                        + " endpoint is written; 0: no wait")
        int minAge;

        int exitCode;

        static final class Which {
            @Option(names = "--ip", paramLabel = "IP")
            String ip;

            @Option(names = "--handle", paramLabel = "ID")
            String handle;

            @Option(names = "--from-report", paramLabel = "FILE", description = "a report of ipam check -o FILE")
            Path report;
        }

        @Override
        public int getExitCode() {
            return exitCode;
        }

        @Override
        public void run() {
            Ipam ipam = new Ipam(store(), keys());
            if (which.report != null) {
                exitCode = fromReport(which.report);
            } else if (which.ip != null) {
                Cidr ip = Cidr.host(which.ip);
                if (!ipam.release(ip)) {
                    throw fail(ip.ip() + " is not assigned");
                }
                out().println("Released " + ip.ip());
            } else {
                List<Cidr> released = ipam.releaseByHandle(Names.check("handle", which.handle));
                if (released.isEmpty()) {
                    throw fail("handle " + which.handle + " has no addresses");
                }
                out().println("Released "
                        + String.join(", ", released.stream().map(Cidr::ip).toList()));
            }
        }

        /** The report's leaked addresses that are still leaked, released; 0 when all of them are free now. */
        private int fromReport(Path file) {
            IpamReport report;
            try {
                report = IpamReport.parse(ReportFile.read(file, IpamReport.MAX_BYTES));
            } catch (IllegalArgumentException e) {
                throw fail("report " + file + ": " + e.getMessage() + " (refused: nothing released)");
            }
            if (minAge < 0 || minAge > 86_400) {
                throw fail("--min-age: " + minAge + " (expected: 0..86400 seconds)");
            }
            long age =
                    java.time.Duration.between(report.created(), Instant.now()).toSeconds();
            if (age < minAge) {
                throw fail("report " + file + " is " + Math.max(age, 0) + " s old, under --min-age " + minAge
                        + " s: an address of a workload being set up then looks leaked until its endpoint is written;"
                        + " run again later (refused: nothing released)");
            }
            String cluster = store().clusterId(keys().ipamConfig());
            if (!cluster.equals(report.clusterId())) {
                throw fail("report " + file + " was made against etcd cluster " + report.clusterId() + ", this is "
                        + cluster + " (refused: nothing released)");
            }
            if (!keys().root().equals(report.prefix())) {
                throw fail("report " + file + " was made for the datastore under " + report.prefix() + ", this is "
                        + keys().root() + " (refused: nothing released)");
            }
            Map<ReportRelease.Outcome, Integer> n = new java.util.EnumMap<>(ReportRelease.Outcome.class);
            new ReportRelease(store(), keys(), report.revision()).run(report.leaked(), r -> {
                out().println(r.line());
                out().flush();
                n.merge(r.outcome(), 1, Integer::sum);
            });
            int leaked = report.leaked().size();
            int released = n.getOrDefault(ReportRelease.Outcome.RELEASED, 0);
            int free = n.getOrDefault(ReportRelease.Outcome.ALREADY_FREE, 0);
            int skipped = leaked - released - free;
            List<String> why = n.entrySet().stream()
                    .filter(e -> !e.getKey().done())
                    .map(e -> e.getValue() + " " + e.getKey().label)
                    .toList();
            out().println(released + " released, " + free + " already free, " + skipped + " skipped"
                    + (why.isEmpty() ? "" : " (" + String.join(", ", why) + ")")
                    + " of " + leaked + " leaked addresses in the report of revision " + report.revision() + "; "
                    + (report.problems().size() - leaked) + " other rows not acted on");
            return skipped == 0 ? 0 : 1;
        }
    }

    @Command(name = "info", description = "What IPAM knows about an address.")
    static final class Info extends Sub {
        @Parameters(paramLabel = "IP")
        String ip;

        @Mixin
        Format format;

        @Override
        public void run() {
            Ipam.IpInfo i = new Ipam(store(), keys()).info(Cidr.host(ip));
            Table t = new Table("IP", "Pool", "Block", "Block host", "Assigned", "Handle", "Attributes");
            t.row(
                    i.ip().ip(),
                    i.pool().cidr(),
                    i.block(),
                    i.blockHost(),
                    i.assigned() ? "yes" : "no",
                    i.handle(),
                    i.attrs().isEmpty() ? "" : i.attrs().toString());
            t.print(out(), format.value());
        }
    }

    @Command(
            name = "show",
            description = "Blocks and their use, for all hosts or one; --tunnels: the hosts' tunnel "
                    + "addresses (IP-in-IP, VXLAN) and VXLAN MACs.")
    static final class Show extends Sub {
        @Option(names = "--host", paramLabel = "H")
        String host;

        @Option(names = "--tunnels", description = "each host's tunnel addresses instead of the blocks")
        boolean tunnels;

        @Mixin
        Format format;

        @Override
        public void run() {
            if (tunnels) {
                TunnelAddresses.table(store(), keys(), host).print(out(), format.value());
                return;
            }
            Table t = new Table("Block", "Host", "Assigned", "Free");
            for (AllocationBlock b : new Ipam(store(), keys()).blocks(0)) {
                if (host != null && !host.equals(b.host())) {
                    continue;
                }
                t.row(b.cidr(), b.host() == null ? "(none)" : b.host(), b.size() - b.freeCount(), b.freeCount());
            }
            t.print(out(), format.value());
        }
    }

    @Command(
            name = "check",
            description = "IPAM against its users, endpoints and tunnels (as calicoctl ipam check): leaked "
                    + "addresses, addresses in use that IPAM has not allocated, duplicates, handle counts, orphaned "
                    + "blocks; read-only. Exit 1 when any problem is found.")
    static final class Check extends CheckCommand {
        @Option(
                names = {"-o", "--output"},
                defaultValue = "table",
                paramLabel = "FORMAT|FILE",
                description = "table, json or yaml (default: table); anything else is a file to write the report to, "
                        + "for ipam release --from-report (the rows are printed as a table)")
        String output;

        @Override
        public void run() {
            String format = output.toLowerCase(java.util.Locale.ROOT); // as picocli takes the other commands' -o
            boolean toFile = !List.of("table", "json", "yaml").contains(format);
            Snapshot s = Snapshot.of(store(), keys());
            IpamCheck c = new IpamCheck(keys(), s.kv()).run();
            String saved = "";
            if (toFile) {
                IpamReport report = new IpamReport(
                        Instant.now(),
                        store().clusterId(keys().ipamConfig()),
                        keys().root(),
                        s.revision(),
                        c.counts().allocated(),
                        c.counts().inUse(),
                        c.problems);
                ReportFile.write(Path.of(output), report.toJson());
                saved = "\nReport saved to " + Path.of(output).toAbsolutePath().normalize() + " ("
                        + report.leaked().size() + " leaked addresses; ipam release --from-report FILE releases "
                        + "those still leaked)";
            }
            Table t = new Table("Problem", "Subject", "Detail");
            c.problems.forEach(p -> t.row(p.kind(), LogText.oneLine(p.subject()), LogText.oneLine(p.detail())));
            int n = c.problems.size();
            s.print(
                    t,
                    toFile ? "table" : format,
                    out(),
                    c.counts().allocated() + " addresses allocated, "
                            + c.counts().inUse() + " in use by endpoints and tunnels, at revision " + s.revision()
                            + ": "
                            + (n == 0 ? "no problem" : n == 1 ? "1 problem" : n + " problems")
                            + saved);
            exitCode = c.problems.isEmpty() ? 0 : 1;
        }
    }
}
