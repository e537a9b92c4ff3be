package org.calicojava.felix.nft;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.calicojava.netlink.NftTable;
import org.junit.jupiter.api.Test;

/** Interval set elements as the kernel keeps them, read in the form nft lists them. */
class NftIntervalsTest {
    private static NftTable.Element el(String ip, boolean end) throws Exception {
        return new NftTable.Element(InetAddress.getByName(ip).getAddress(), end, false, 0, null);
    }

    @Test
    void rangesBecomePrefixesHostsOrFirstLast() throws Exception {
        List<NftTable.Element> e = new ArrayList<>(List.of(
                el("0.0.0.0", true), // nft's leading end element
                el("10.0.0.5", false),
                el("10.0.0.6", true),
                el("10.0.0.6", false),
                el("10.0.0.7", true), // adjacent hosts stay two members
                el("10.1.0.0", false),
                el("10.2.0.0", true),
                el("10.3.0.1", false),
                el("10.3.0.4", true),
                el("255.255.255.0", false))); // to the last address: no end element
        java.util.Collections.reverse(e); // the kernel's order is not ours
        assertThat(NftIntervals.members(e))
                .containsExactlyInAnyOrder(
                        "10.0.0.5", "10.0.0.6", "10.1.0.0/16", "10.3.0.1-10.3.0.3", "255.255.255.0/24");
    }

    @Test
    void ipv6AndDanglingStarts() throws Exception {
        assertThat(NftIntervals.members(List.of(
                        el("fd00::1", false), el("fd00::2", true), el("fd00:1::", false), el("fd00:1:0:1::", true))))
                .containsExactlyInAnyOrder("fd00::1", "fd00:1::/64");
        assertThat(NftIntervals.members(List.of(el("10.0.0.1", false), el("10.0.0.9", false), el("10.0.0.10", true))))
                .containsExactlyInAnyOrder("10.0.0.1-?", "10.0.0.9");
        assertThat(NftIntervals.members(List.of(el("0.0.0.0", false)))).containsExactly("0.0.0.0/0");
    }

    @Test
    void interfaceNamesArePaddedWithNul() {
        byte[] key = new byte[16];
        System.arraycopy("cali12".getBytes(), 0, key, 0, 6);
        assertThat(NftIntervals.name(key)).isEqualTo("cali12");
    }
}
