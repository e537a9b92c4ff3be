package org.calicojava.ctl;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.calicojava.ipam.AllocationBlock;
import org.calicojava.ipam.Ipam;
import org.calicojava.ipam.Pools;
import org.calicojava.model.Cidr;
import org.calicojava.model.EncapMode;
import org.calicojava.model.IpPool;
import org.calicojava.model.Json;
import org.calicojava.model.Keys;
import org.calicojava.store.KvStore;
import org.calicojava.store.Op;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "pool",
        description = "Manage IP pools.",
        subcommands = {PoolCommand.Add.class, PoolCommand.Remove.class, PoolCommand.Show.class})
final class PoolCommand {

    @Command(name = "add", description = "Add IP pools (all are validated before any is written).")
    static final class Add extends Sub {
        @Parameters(arity = "1..*", paramLabel = "CIDR")
        List<String> cidrs;

        @Option(
                names = "--ipip",
                arity = "0..1",
                fallbackValue = "always",
                paramLabel = "MODE",
                description = "IP-in-IP between hosts: always (the default) or cross-subnet (IPv4 only)")
        String ipip;

        @Option(
                names = "--vxlan",
                arity = "0..1",
                fallbackValue = "always",
                paramLabel = "MODE",
                description = "VXLAN between hosts: always (the default) or cross-subnet (IPv4 and IPv6)")
        String vxlan;

        @Option(names = "--nat-outgoing", description = "masquerade traffic from the pool to outside all pools")
        boolean nat;

        @Option(names = "--block-size", paramLabel = "N", description = "block prefix length (default 26, IPv6 122)")
        int blockSize;

        @Option(names = "--disabled", description = "add the pool disabled: no new addresses from it")
        boolean disabled;

        @Override
        public void run() {
            EncapMode ipipMode = mode("--ipip", ipip);
            EncapMode vxlanMode = mode("--vxlan", vxlan);
            if (ipipMode.enabled() && vxlanMode.enabled()) {
                throw fail("--ipip and --vxlan are exclusive (expected: one encapsulation per pool)");
            }
            List<IpPool> add = new ArrayList<>();
            for (String c : cidrs) {
                add.add(IpPool.of(Cidr.parse(c, true), ipipMode, vxlanMode, nat, disabled, blockSize));
            }
            List<IpPool> existing = new ArrayList<>(Pools.list(store(), keys(), 0));
            for (IpPool p : add) {
                Pools.checkOverlap(p, existing);
                existing.add(p);
            }
            List<Op> ops = add.stream()
                    .map(p -> Op.put(keys().pool(p.cidr()), Json.write(p)))
                    .toList();
            store().txn(List.of(), ops);
            for (IpPool p : add) {
                out().println("Added pool " + p.cidr());
            }
        }

        private EncapMode mode(String option, String value) {
            if (value == null) {
                return EncapMode.NEVER;
            }
            EncapMode m;
            try {
                m = EncapMode.parse(value);
            } catch (IllegalArgumentException e) {
                throw fail(option + " " + value + " (expected: always or cross-subnet)");
            }
            if (!m.enabled()) {
                throw fail(
                        option + " " + value + " (expected: always or cross-subnet; leave the option out for never)");
            }
            return m;
        }
    }

    @Command(name = "remove", description = "Remove an IP pool (refused while addresses from it are assigned).")
    static final class Remove extends Sub {
        @Parameters(paramLabel = "CIDR")
        String cidr;

        @Override
        public void run() {
            Cidr c = Cidr.parse(cidr, true);
            if (store().get(keys().pool(c)).isEmpty()) {
                throw fail("no pool " + c + " (see: javactl pool show)");
            }
            long inUse = new Ipam(store(), keys())
                    .blocks(c.version()).stream()
                            .filter(b -> c.contains(b.cidr()))
                            .mapToLong(b -> b.size() - b.freeCount())
                            .sum();
            if (inUse > 0) {
                throw fail("pool " + c + " has " + inUse + " assigned address" + (inUse == 1 ? "" : "es")
                        + "; release them first (javactl ipam show)");
            }
            List<Op> ops = new ArrayList<>();
            ops.add(Op.delete(keys().pool(c)));
            for (AllocationBlock b : new Ipam(store(), keys()).blocks(c.version())) {
                if (c.contains(b.cidr())) {
                    ops.add(Op.delete(keys().ipamBlock(b.cidr())));
                    if (b.host() != null) {
                        ops.add(Op.delete(keys().ipamAffinity(b.host(), b.cidr())));
                    }
                }
            }
            store().txn(List.of(), ops);
            out().println("Removed pool " + c);
        }
    }

    @Command(name = "show", description = "Show IP pools.")
    static final class Show extends Sub {
        @ArgGroup(exclusive = true)
        Family family;

        @Mixin
        Format format;

        static final class Family {
            @Option(names = "--ipv4")
            boolean v4;

            @Option(names = "--ipv6")
            boolean v6;
        }

        @Override
        public void run() {
            print(store(), keys(), family == null ? 0 : family.v4 ? 4 : 6, out(), format.value());
        }

        /** The pools of IP version {@code v} (0: both) as a table, JSON or YAML (also javactl's {@link FastPath}). */
        static void print(KvStore store, Keys keys, int v, PrintWriter out, String format) {
            Table t = new Table("CIDR", "Options", "Block size");
            for (IpPool p : Pools.list(store, keys, v)) {
                List<String> opts = new ArrayList<>();
                if (p.ipipMode().enabled()) {
                    opts.add(p.ipipMode() == EncapMode.ALWAYS ? "ipip" : "ipip:cross-subnet");
                }
                if (p.vxlanMode().enabled()) {
                    opts.add(p.vxlanMode() == EncapMode.ALWAYS ? "vxlan" : "vxlan:cross-subnet");
                }
                if (p.masquerade()) {
                    opts.add("nat-outgoing");
                }
                if (p.disabled()) {
                    opts.add("disabled");
                }
                t.row(p.cidr(), String.join(",", opts), p.blockSize());
            }
            t.print(out, format);
        }
    }
}
