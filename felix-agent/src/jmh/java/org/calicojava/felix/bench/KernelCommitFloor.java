package org.calicojava.felix.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code floor_kernel_commit_s}: the kernel's own time for the ruleset the agent writes on a cold start, sent as one
 * prepared netlink batch. {@code nft -f} of exactly the agent's cold-start text runs under {@code strace -T}; nft
 * parses and encodes the whole script first, then sends the transaction (BATCH_BEGIN, NEWTABLE/NEWCHAIN/NEWSET/
 * NEWSETELEM/NEWRULE ..., BATCH_END) in one {@code sendmsg}, and nfnetlink validates and commits it inside that call.
 * The time of that one call (the largest sendmsg of the run, its byte count printed beside it) is the floor: no
 * parsing, no encoding, no reading of the answers. Median of {@code ROUNDS}, the table deleted (untimed) before each;
 * the table is left as the last round wrote it.
 */
final class KernelCommitFloor {
    static final int ROUNDS = Integer.getInteger("floor.rounds", 3);
    private static final Pattern SENDMSG = Pattern.compile("sendmsg\\(.*\\) = (\\d+) <([0-9.]+)>");

    private KernelCommitFloor() {}

    /** One batch's size and the kernel's time for it. */
    record Commit(long bytes, double seconds) {}

    static Commit measure(String ns, String script) throws IOException {
        return measure(ns, script, "the same ruleset");
    }

    /** As {@link #measure(String, String)}, the printed line naming the ruleset {@code what}. */
    static Commit measure(String ns, String script, String what) throws IOException {
        List<Commit> runs = new ArrayList<>();
        for (int r = 0; r < ROUNDS; r++) {
            BenchSh.run("ip", "netns", "exec", ns, "nft", "delete", "table", "inet", "calico");
            Path trace = Files.createTempFile("felix-bench-strace", ".txt");
            try {
                BenchSh.input(
                        script,
                        "ip",
                        "netns",
                        "exec",
                        ns,
                        "strace",
                        "-f",
                        "--seccomp-bpf",
                        "-qq",
                        "-T",
                        "-e",
                        "trace=sendmsg",
                        "-e",
                        "signal=none",
                        "-s",
                        "0",
                        "-o",
                        trace.toString(),
                        "nft",
                        "-f",
                        "-");
                runs.add(largest(Files.readAllLines(trace)));
            } finally {
                Files.deleteIfExists(trace);
            }
        }
        List<Commit> sorted = new ArrayList<>(runs);
        sorted.sort((a, b) -> Double.compare(a.seconds(), b.seconds()));
        Commit median = sorted.get(sorted.size() / 2);
        List<String> all = new ArrayList<>();
        for (Commit c : runs) {
            all.add(String.format("%.3f", c.seconds()));
        }
        Collections.sort(all);
        System.out.printf(
                "floor: kernel commit of %s as one netlink batch (nft's, %d bytes; the sendmsg under "
                        + "strace -T): median %.3f s of %s%n",
                what, median.bytes(), median.seconds(), all);
        return median;
    }

    /** The sendmsg that carried the most bytes: the transaction. */
    static Commit largest(List<String> trace) {
        Commit best = null;
        for (String line : trace) {
            Matcher m = SENDMSG.matcher(line);
            if (m.find()) {
                Commit c = new Commit(Long.parseLong(m.group(1)), Double.parseDouble(m.group(2)));
                if (best == null || c.bytes() > best.bytes()) {
                    best = c;
                }
            }
        }
        if (best == null) {
            throw new IllegalStateException("no sendmsg in the strace of nft -f: " + trace);
        }
        return best;
    }
}
