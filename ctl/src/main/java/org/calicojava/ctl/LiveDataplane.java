package org.calicojava.ctl;

import java.time.Duration;
import java.util.List;
import org.calicojava.ctl.explain.LiveRules;
import org.calicojava.process.ProcessRunner;

/**
 * Reads felix's live rules on this host (or in {@code hostNetns}) for {@code policy explain --verify}: the iptables
 * filter table with counters (the system's iptables-save, else the legacy or nft flavour, whichever holds felix's
 * chains), else felix's nftables table.
 */
final class LiveDataplane {
    private LiveDataplane() {}

    static LiveRules read(String hostNetns, int version) {
        String v = version == 4 ? "iptables" : "ip6tables";
        for (String save : List.of(v + "-save", v + "-legacy-save", v + "-nft-save")) {
            String out = run(hostNetns, save, "-c", "-t", "filter");
            if (out != null && out.contains(":cali-")) {
                return LiveRules.fromSave(out, save + " -c");
            }
        }
        String nft = run(hostNetns, "nft", "-j", "list", "table", "inet", "calico");
        return LiveRules.fromNftJson(nft == null ? "" : nft, "nft list table inet calico");
    }

    /** The command's output, or null when it cannot run or fails. */
    private static String run(String hostNetns, String... cmd) {
        ProcessRunner runner = hostNetns == null ? ProcessRunner.local() : ProcessRunner.inNetns(hostNetns);
        try {
            var r = runner.run(List.of(cmd), null, Duration.ofSeconds(20));
            return r.exit() == 0 ? r.out() : null;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
