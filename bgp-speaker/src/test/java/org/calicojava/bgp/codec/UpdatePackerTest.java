package org.calicojava.bgp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UpdatePackerTest {
    static final PathAttributes A = PathAttributes.builder()
            .origin(0)
            .asPath(AsPath.sequence(65001))
            .nextHop("203.0.113.1")
            .build();

    static Nlri hosts(Family f, int n) {
        Nlri.Builder b = Nlri.builder(f, false);
        for (int i = 0; i < n; i++) {
            b.add(new Prefix(f, f.maxPrefixLength(), f == Family.IPV4_UNICAST ? 0x0a000000 + i : 0x20010db8, 0, 0, i));
        }
        return b.build();
    }

    static int total(List<Update> us, CodecOptions o) {
        int n = 0;
        for (Update u : us) {
            ByteBuf b = Unpooled.buffer();
            MessageEncoder.encode(u, o, b); // throws when a message is too long
            assertThat(b.readableBytes()).isLessThanOrEqualTo(o.maxLength());
            Update back = (Update) new MessageDecoder().decode(b, o);
            n += back.nlri().size()
                    + back.withdrawn().size()
                    + (back.mpReach() != null ? back.mpReach().nlri().size() : 0)
                    + (back.mpUnreach() != null ? back.mpUnreach().nlri().size() : 0);
        }
        return n;
    }

    @Test
    void ipv4HostRoutesFillEachMessage() {
        List<Update> us = UpdatePacker.announce(A, hosts(Family.IPV4_UNICAST, 10_000), null, CodecOptions.AS4);
        assertThat(total(us, CodecOptions.AS4)).isEqualTo(10_000);
        assertThat(us).hasSize((int) Math.ceil(10_000 / 810.0)); // (4096 - 19 - 4 - 20) / 5 = 810 per message
    }

    @Test
    void extendedMessagesHoldMore() {
        CodecOptions ext = new CodecOptions(true, Set.of(), Set.of(), true, false);
        List<Update> us = UpdatePacker.announce(A, hosts(Family.IPV4_UNICAST, 10_000), null, ext);
        assertThat(total(us, ext)).isEqualTo(10_000);
        assertThat(us).hasSize(1);
    }

    @Test
    void ipv6AndWithdrawals() {
        byte[] nh = Prefix.parse("2001:db8::1").addressBytes();
        assertThat(total(
                        UpdatePacker.announce(
                                A.toBuilder().build(), hosts(Family.IPV6_UNICAST, 3000), nh, CodecOptions.AS4),
                        CodecOptions.AS4))
                .isEqualTo(3000);
        assertThat(total(UpdatePacker.withdraw(hosts(Family.IPV6_UNICAST, 3000), CodecOptions.AS4), CodecOptions.AS4))
                .isEqualTo(3000);
        assertThat(total(UpdatePacker.withdraw(hosts(Family.IPV4_UNICAST, 3000), CodecOptions.AS4), CodecOptions.AS4))
                .isEqualTo(3000);
    }
}
