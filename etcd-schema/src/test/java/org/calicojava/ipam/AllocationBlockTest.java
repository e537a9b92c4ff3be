package org.calicojava.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.calicojava.model.Cidr;
import org.calicojava.model.Json;
import org.junit.jupiter.api.Test;

class AllocationBlockTest {
    private final Cidr cidr = Cidr.parse("10.1.0.64/26");

    @Test
    void allocateAndReleaseKeepCountsAndAttributes() {
        AllocationBlock e = AllocationBlock.empty(cidr, "h1");
        assertThat(e.size()).isEqualTo(64);
        assertThat(e.freeCount()).isEqualTo(64);
        assertThat(e.host()).isEqualTo("h1");
        AllocationBlock.Attribute a = new AllocationBlock.Attribute("c1", Map.of("pod", "x"));
        AllocationBlock.Attribute c = new AllocationBlock.Attribute("c2", Map.of());
        AllocationBlock b = e.allocate(0, a).allocate(1, a).allocate(5, c);
        assertThat(b.freeCount()).isEqualTo(61);
        assertThat(b.attributes()).hasSize(2);
        assertThat(b.ordinalsOf("c1")).containsExactly(0, 1);
        assertThat(b.address(5)).isEqualTo(Cidr.host("10.1.0.69"));
        assertThatThrownBy(() -> b.allocate(5, a)).hasMessage("10.1.0.69 is already assigned");
        AllocationBlock r = b.release(List.of(0, 1));
        assertThat(r.attributes()).containsExactly(c);
        assertThat(r.attributeOf(5)).isEqualTo(c);
        assertThat(r.freeCount()).isEqualTo(63);
        assertThat(r.release(List.of(5)).isEmpty()).isTrue();
    }

    @Test
    void storedFormIsCalicos() {
        AllocationBlock b = AllocationBlock.empty(Cidr.parse("10.1.0.0/30"), "h1")
                .allocate(0, new AllocationBlock.Attribute("c1", Map.of()));
        String json = Json.write(b);
        assertThat(json)
                .isEqualTo(
                        "{\"cidr\":\"10.1.0.0/30\",\"affinity\":\"host:h1\",\"strictAffinity\":false,"
                                + "\"allocations\":[0,null,null,null],\"unallocated\":[1,2,3],\"attributes\":[{\"handle_id\":\"c1\",\"secondary\":{}}]}");
        assertThat(Json.read(json, AllocationBlock.class)).isEqualTo(b);
    }

    @Test
    void handleCounts() {
        IpamHandle h = new IpamHandle("c1", Map.of()).plus("10.1.0.64/26", 1).plus("10.1.0.64/26", 1);
        assertThat(h.block()).isEqualTo(Map.of("10.1.0.64/26", 2));
        assertThat(h.plus("10.1.0.64/26", -2).isEmpty()).isTrue();
    }
}
