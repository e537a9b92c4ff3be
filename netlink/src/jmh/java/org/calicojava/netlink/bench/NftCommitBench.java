package org.calicojava.netlink.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.calicojava.netlink.NetNs;
import org.calicojava.netlink.NfTables;
import org.calicojava.netlink.nft.Bytes;
import org.calicojava.netlink.nft.Expr;
import org.calicojava.netlink.nft.NftBatch;
import org.calicojava.netlink.nft.NftFamily;
import org.calicojava.netlink.nft.Rule;
import org.calicojava.netlink.nft.Verdict;

/**
 * The kernel's floor for committing a ruleset ({@code floor_kernel_commit_s} of issue 19): N rules (N/2 endpoint-like
 * chains of two rules: interface + source + port + ct state + counter + accept with a comment, destination + counter
 * + drop) committed as one prepared netlink transaction, against {@code nft -f} of the same text, alternating in the
 * same namespace (table deleted between runs, untimed), after one untimed warm-up; medians. Java time is split into
 * encoding the batch and the commit (sendmsg until the last answer). Both results are checked to list the same.
 * Run with {@code netlink/bench/nft.sh [N=20000] [ROUNDS=3]}.
 */
public final class NftCommitBench {
    private static final String T = "cjb";

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        String ns = "cj-nftb-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
        NetNs.create(ns);
        Path file = Files.createTempFile("nftbench", ".nft");
        try (NfTables nf = NetNs.run(ns, NfTables::open)) {
            Files.writeString(file, text(n));
            System.out.printf(
                    "nftables: %d rules in %d chains per run, %d rounds, namespace %s%n", n, n / 2, rounds, ns);
            // warm-up (JIT, modules), and the check that both write the same ruleset
            nft(ns, file);
            String byNft = list(ns);
            drop(nf);
            nf.commit(batch(n, ACKS_AND_HANDLES));
            String byJava = list(ns);
            if (!byNft.equals(byJava)) {
                throw new IllegalStateException("nft -f and the netlink batch list differently");
            }
            drop(nf);
            long[] nftMs = new long[rounds];
            long[] encodeMs = new long[rounds];
            long[] commitMs = new long[rounds];
            long[] plainEncodeMs = new long[rounds];
            long[] ackOnlyMs = new long[rounds];
            long[] plainCommitMs = new long[rounds];
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                nft(ns, file);
                nftMs[r] = ms(t0);
                drop(nf);
                t0 = System.nanoTime();
                NftBatch b = batch(n, ACKS_AND_HANDLES);
                encodeMs[r] = ms(t0);
                t0 = System.nanoTime();
                nf.commit(b);
                commitMs[r] = ms(t0);
                drop(nf);
                t0 = System.nanoTime();
                NftBatch p = batch(n, ERRORS_ONLY);
                plainEncodeMs[r] = ms(t0);
                t0 = System.nanoTime();
                nf.commit(p);
                plainCommitMs[r] = ms(t0);
                drop(nf);
                NftBatch a = batch(n, ACKS_ONLY);
                t0 = System.nanoTime();
                nf.commit(a);
                ackOnlyMs[r] = ms(t0);
                drop(nf);
            }
            System.out.printf(
                    "nft -f                        median %7.1f ms  %s%n", median(nftMs), Arrays.toString(nftMs));
            System.out.printf(
                    "netlink, acks + handles       encode %7.1f ms  commit %7.1f ms  %s%n",
                    median(encodeMs), median(commitMs), Arrays.toString(commitMs));
            System.out.printf(
                    "netlink, acks, no handles                      commit %7.1f ms  %s%n",
                    median(ackOnlyMs), Arrays.toString(ackOnlyMs));
            System.out.printf(
                    "netlink, errors only (as nft) encode %7.1f ms  commit %7.1f ms  %s%n",
                    median(plainEncodeMs), median(plainCommitMs), Arrays.toString(plainCommitMs));
            System.out.printf(
                    "{\"n\":%d,\"floor_nft_f_s\":%.3f,\"floor_kernel_commit_s\":%.3f,\"netlink_acks_commit_s\":%.3f,"
                            + "\"netlink_encode_s\":%.3f}%n",
                    n,
                    median(nftMs) / 1000,
                    median(plainCommitMs) / 1000,
                    median(commitMs) / 1000,
                    median(encodeMs) / 1000);
        } finally {
            Files.deleteIfExists(file);
            NetNs.delete(ns);
        }
    }

    static final int ACKS_AND_HANDLES = 0;
    static final int ACKS_ONLY = 1;
    static final int ERRORS_ONLY = 2;

    static NftBatch batch(int n, int mode) {
        NftBatch b = switch (mode) {
            case ACKS_AND_HANDLES -> new NftBatch();
            case ACKS_ONLY -> new NftBatch().withoutHandles();
            default -> new NftBatch().errorsOnly().withoutHandles();
        };
        b.addTable(NftFamily.INET, T);
        for (int c = 0; c < n / 2; c++) {
            b.addChain(NftFamily.INET, T, chain(c));
        }
        for (int c = 0; c < n / 2; c++) {
            String ch = chain(c);
            b.addRule(
                    NftFamily.INET,
                    T,
                    ch,
                    new Rule(
                            List.of(
                                    new Expr.Meta(Expr.Meta.IIFNAME, 1),
                                    new Expr.Cmp(Expr.Cmp.EQ, 1, Bytes.ifname(ifname(c))),
                                    new Expr.Meta(Expr.Meta.NFPROTO, 1),
                                    new Expr.Cmp(Expr.Cmp.EQ, 1, Bytes.u8(2)),
                                    new Expr.Payload(Expr.Payload.NETWORK, 12, 4, 1),
                                    new Expr.Cmp(Expr.Cmp.EQ, 1, Bytes.of(ip(c))),
                                    new Expr.Meta(Expr.Meta.L4PROTO, 1),
                                    new Expr.Cmp(Expr.Cmp.EQ, 1, Bytes.u8(6)),
                                    new Expr.Payload(Expr.Payload.TRANSPORT, 2, 2, 1),
                                    new Expr.Cmp(Expr.Cmp.EQ, 1, Bytes.be16(8080)),
                                    new Expr.Ct(Expr.Ct.STATE, 1),
                                    new Expr.Bitwise(1, 1, Bytes.host32(6), Bytes.host32(0)),
                                    new Expr.Cmp(Expr.Cmp.NEQ, 1, Bytes.host32(0)),
                                    Expr.Counter.ZERO,
                                    new Expr.Decision(Verdict.ACCEPT)),
                            "cali:" + ch));
            b.addRule(
                    NftFamily.INET,
                    T,
                    ch,
                    Rule.of(
                            new Expr.Meta(Expr.Meta.NFPROTO, 1),
                            new Expr.Cmp(Expr.Cmp.EQ, 1, Bytes.u8(2)),
                            new Expr.Payload(Expr.Payload.NETWORK, 16, 4, 1),
                            new Expr.Cmp(Expr.Cmp.EQ, 1, Bytes.of(ip(c))),
                            Expr.Counter.ZERO,
                            new Expr.Decision(Verdict.DROP)));
        }
        return b;
    }

    static String text(int n) {
        StringBuilder s = new StringBuilder("table inet " + T + " {\n");
        for (int c = 0; c < n / 2; c++) {
            String ip = ipText(c);
            s.append(" chain ").append(chain(c)).append(" {\n");
            s.append("  iifname \"").append(ifname(c)).append("\" ip saddr ").append(ip);
            s.append(" tcp dport 8080 ct state established,related counter accept comment \"cali:")
                    .append(chain(c))
                    .append("\"\n");
            s.append("  ip daddr ").append(ip).append(" counter drop\n }\n");
        }
        return s.append("}\n").toString();
    }

    private static String chain(int c) {
        return "cali-tw-" + c;
    }

    private static String ifname(int c) {
        return String.format("cali%011x", c);
    }

    private static byte[] ip(int c) {
        return new byte[] {10, (byte) (c >>> 16), (byte) (c >>> 8), (byte) (c | 1)};
    }

    private static String ipText(int c) {
        byte[] a = ip(c);
        return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
    }

    private static void drop(NfTables nf) {
        NftBatch b = new NftBatch();
        b.deleteTable(NftFamily.INET, T);
        nf.commit(b);
    }

    private static void nft(String ns, Path file) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", ns, "nft", "-f", file.toString())
                .inheritIO()
                .start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("nft -f failed");
        }
    }

    private static String list(String ns) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", ns, "nft", "list", "ruleset")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }
}
