package org.calicojava.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.calicojava.model.Json;
import org.junit.jupiter.api.Test;

/** A handle record names its blocks by CIDR, as every release parses them: anything else is refused on reading. */
class IpamHandleTest {
    @Test
    void blocksAreCidrsWithCounts() {
        IpamHandle h = Json.read("{\"handleID\":\"c1\",\"block\":{\"10.65.0.0/26\":2}}", IpamHandle.class);
        assertThat(h.block()).containsEntry("10.65.0.0/26", 2);
        assertThatThrownBy(() -> Json.read("{\"handleID\":\"c1\",\"block\":{\"x\":1}}", IpamHandle.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"x\"");
        assertThatThrownBy(() -> Json.read("{\"handleID\":\"c1\",\"block\":{\"10.65.0.1/26\":1}}", IpamHandle.class))
                .hasMessageContaining("host bits");
        assertThatThrownBy(() -> Json.read("{\"handleID\":\"c1\",\"block\":{\"10.65.0.0/26\":null}}", IpamHandle.class))
                .hasMessageContaining("count null for block 10.65.0.0/26")
                .hasMessageNotContaining("NullPointerException");
        assertThatThrownBy(() -> Json.read("{\"handleID\":\"c1\",\"block\":{\"10.65.0.0/26\":-1}}", IpamHandle.class))
                .hasMessageContaining("expected: 0 or more");
    }
}
