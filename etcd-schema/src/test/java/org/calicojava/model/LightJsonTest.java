package org.calicojava.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** LightJson reads as databind's tree did; IpPool.read gives databind's pool, or databind's refusal, for any input. */
class LightJsonTest {
    @Test
    void parsesAndReadsLikeDatabindsTree() throws IOException {
        Map<String, Object> m = LightJson.parse(
                "{\"header\":{\"revision\":\"42\"},\"kvs\":[{\"key\":\"YQ==\",\"n\":7}],\"more\":false,\"x\":null}");
        assertThat(LightJson.asLong(LightJson.path(m.get("header"), "revision")))
                .isEqualTo(42);
        assertThat(LightJson.array(m.get("kvs"))).hasSize(1);
        assertThat(LightJson.asText(LightJson.path(LightJson.array(m.get("kvs")).get(0), "key"), ""))
                .isEqualTo("YQ==");
        assertThat(LightJson.asLong(LightJson.path(LightJson.array(m.get("kvs")).get(0), "n")))
                .isEqualTo(7);
        assertThat(LightJson.asText(m.get("missing"), "dflt")).isEqualTo("dflt");
        assertThat(LightJson.asText(m.get("x"), "dflt")).isEqualTo("dflt");
        assertThat(LightJson.asBoolean(m.get("more"))).isFalse();
        assertThat(LightJson.array(m.get("missing"))).isEmpty();
        assertThat(LightJson.parse("")).isEmpty();
        assertThat(LightJson.parse("[1]")).isEmpty();
        assertThatThrownBy(() -> LightJson.parse("<html>")).isInstanceOf(IOException.class);
        assertThat(LightJson.write(g -> {
                    g.writeStringField("name", "a\"b");
                    g.writeNumberField("limit", 3);
                }))
                .isEqualTo("{\"name\":\"a\\\"b\",\"limit\":3}");
    }

    @Test
    void poolReadAgreesWithDatabind() {
        List<String> docs = List.of(
                "{\"cidr\":\"10.1.0.0/16\",\"ipip\":true,\"ipip_mode\":\"always\",\"vxlan_mode\":\"never\","
                        + "\"masquerade\":true,\"disabled\":false,\"block_size\":26}",
                "{\"cidr\":\"10.1.0.0/16\"}",
                "{\"cidr\":\"fd00::/64\",\"vxlan_mode\":\"cross-subnet\",\"future\":{\"a\":[1]}}",
                "{\"cidr\":\"10.2.0.0/16\",\"ipip\":true,\"ipip_mode\":\"CrossSubnet\",\"block_size\":28}",
                "{\"cidr\":\"10.2.0.0/16\",\"ipip\":\"true\"}",
                "{\"cidr\":\"10.2.0.0/16\",\"block_size\":\"27\"}",
                "{\"cidr\":\"10.2.0.0/16\",\"block_size\":27.0}",
                "{\"cidr\":\"10.2.0.0/16\",\"ipip_mode\":null}",
                "{\"cidr\":\"10.2.0.0/16\",\"cidr\":\"10.3.0.0/16\"}",
                "{\"cidr\":{},\"cidr\":\"10.3.0.0/16\"}",
                "{\"cidr\":\"10.2.0.0/16\",\"block_size\":\"x\",\"block_size\":26}",
                "{\"cidr\":\"10.2.0.0/16\",\"block_size\":12}",
                "{\"cidr\":\"10.2.0.0/33\"}",
                "{\"cidr\":\"10.2.0.0/16\",\"ipip\":true,\"vxlan_mode\":\"always\"}",
                "{\"cidr\":\"10.2.0.0/16\",\"vxlan_mode\":\"sometimes\"}",
                "{\"cidr\":null}",
                "{}",
                "[]",
                "null",
                "",
                "{\"cidr\":\"10.2.0.0/16\"",
                "not json");
        for (String d : docs) {
            Object databind;
            try {
                databind = Json.read(d, IpPool.class);
            } catch (IllegalArgumentException e) {
                databind = "refused: " + e.getMessage();
            }
            Object light;
            try {
                light = IpPool.read(d);
            } catch (IllegalArgumentException e) {
                light = "refused: " + e.getMessage();
            }
            assertThat(light).as(d).isEqualTo(databind);
        }
    }
}
