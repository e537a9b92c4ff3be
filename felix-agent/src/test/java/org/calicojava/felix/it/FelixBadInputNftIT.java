package org.calicojava.felix.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;
import org.calicojava.testing.Sh;

/**
 * {@link FelixBadInputIT} with {@code DataplaneBackend=nftables}: the same bad records, route collisions and restart;
 * what is checked in the kernel is our nft table: a policy chain is there, and after every bad record the namespace
 * holds no table of ours but {@code table inet calico}, whose chains, sets and maps all have names in our grammar, and
 * no iptables chain of ours (the other program's chain C keeps its rule).
 */
class FelixBadInputNftIT extends FelixBadInputIT {
    private static final Pattern OUR_NAMES =
            Pattern.compile("\\s*(chain|set|map) ((cali-|cali4-|cali6-)[A-Za-z0-9_.\\-]+"
                    + "(/[46])?|cali-[tf]w/[A-Za-z0-9_\\-]{16}|filter-[A-Z]+|nat-[A-Z]+|raw-[A-Z]+) \\{");

    @Override
    String backend() {
        return "nftables";
    }

    @Override
    String nsPrefix() {
        return "bn-";
    }

    @Override
    boolean hasChain(String name) {
        return Sh.run(Sh.in(net.host, "nft", "list", "chain", "inet", "calico", name))
                        .exit()
                == 0;
    }

    @Override
    void onlyOurChains() {
        String table = Sh.ok(Sh.in(net.host, "nft", "list", "table", "inet", "calico"));
        assertThat(table.lines().filter(l -> l.matches("\\s*(chain|set|map) .*")))
                .allSatisfy(l -> assertThat(l).matches(OUR_NAMES));
        assertThat(Sh.ok(Sh.in(net.host, "nft", "list", "tables")).lines().filter(l -> l.contains("calico")))
                .containsExactly("table inet calico");
        for (String t : List.of("filter", "nat", "raw")) {
            assertThat(net.iptablesSave(t)).doesNotContain(":cali-");
        }
        assertThat(net.iptablesSave("filter")).contains("-A C -s 198.51.100.7/32 -j DROP");
    }
}
