package org.calicojava.felix.nft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link NftFreshTable}: which ops of a diff go into the first half and which wait for the second. */
class NftFreshTableTest {
    private final NftModel model = new NftModel();

    @Test
    void anEmptyTableGetsEverythingButTheEndpointsFirst() {
        List<NftOp> ops = new NftState()
                .diff(model.build(NftStateTest.desired(NftStateTest.ifaces(3), Set.of("10.65.0.1/32"))))
                .ops();
        List<List<NftOp>> parts = NftFreshTable.split(ops);

        assertThat(parts).hasSize(2);
        List<NftOp> joined = new ArrayList<>(parts.get(0));
        joined.addAll(parts.get(1));
        assertThat(joined).as("every op once, each half in the diff's order").containsExactlyInAnyOrderElementsOf(ops);
        assertThat(ops).containsSubsequence(parts.get(0)).containsSubsequence(parts.get(1));
        assertThat(parts.get(0)).first().isInstanceOf(NftOp.AddTable.class);
        assertThat(names(parts.get(0)))
                .contains("cali-from-wl-dispatch", "cali-to-wl-dispatch", "filter-FORWARD", "cali-pri-p")
                .anyMatch(n -> n.startsWith("cali-tw/"))
                .noneMatch(n -> n.startsWith("cali-tw-") || n.startsWith("cali-fw-"));
        assertThat(parts.get(0)).noneMatch(op -> op instanceof NftOp.MapElements);
        assertThat(parts.get(0))
                .anyMatch(op -> op instanceof NftOp.AddMap)
                .anyMatch(op -> op instanceof NftOp.SetElements);
        assertThat(parts.get(1)).allMatch(NftFreshTable::isWorkload);
        assertThat(names(parts.get(1)))
                .contains("cali-tw-cali00000000002", "cali-fw-cali00000000000")
                .hasSize(12); // 3 interfaces x 2 directions x (declare + fill)
        assertThat(parts.get(1))
                .filteredOn(op -> op instanceof NftOp.MapElements)
                .hasSize(2);
    }

    @Test
    void nothingToCutWithoutEndpointsOrWithADeletion() {
        List<NftOp> noEndpoints = new NftState()
                .diff(model.build(NftStateTest.desired(List.of(), Set.of())))
                .ops();
        assertThat(NftFreshTable.split(noEndpoints)).containsExactly(noEndpoints);

        List<NftOp> withDelete = new ArrayList<>(new NftState()
                .diff(model.build(NftStateTest.desired(NftStateTest.ifaces(2), Set.of())))
                .ops());
        withDelete.add(new NftOp.DeleteChain("cali-old"));
        assertThat(NftFreshTable.split(withDelete)).containsExactly(withDelete);

        List<NftOp> withElementDelete = new ArrayList<>(withDelete.subList(0, withDelete.size() - 1));
        withElementDelete.add(new NftOp.SetElements("cali4-t-p", 4, List.of("10.65.0.9"), List.of(), false));
        assertThat(NftFreshTable.split(withElementDelete)).hasSize(1);
    }

    @Test
    void endpointChainsAreNotBodies() {
        assertThat(NftFreshTable.isEndpointChain("cali-tw-cali1234")).isTrue();
        assertThat(NftFreshTable.isEndpointChain("cali-fw-cali1234/6")).isTrue();
        assertThat(NftFreshTable.isEndpointChain("cali-tw/8UdL07OMbCHNdzoY")).isFalse();
        assertThat(NftFreshTable.isEndpointChain("cali-to-wl-dispatch")).isFalse();
        assertThat(NftFreshTable.isWorkload(new NftOp.MapElements(NftNames.TO_WL_MAP, List.of(), java.util.Map.of())))
                .isTrue();
        assertThat(NftFreshTable.isWorkload(new NftOp.AddMap(NftNames.TO_WL_MAP)))
                .isFalse();
    }

    private static List<String> names(List<NftOp> ops) {
        List<String> out = new ArrayList<>();
        for (NftOp op : ops) {
            if (op instanceof NftOp.DeclareChain d) {
                out.add(d.chain().name());
            } else if (op instanceof NftOp.FillChain f) {
                out.add(f.chain().name());
            }
        }
        return out;
    }
}
