package org.calicojava.ctl.resource;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import org.calicojava.model.AsNumber;
import org.calicojava.model.BgpMaxPrefixes;
import org.calicojava.model.Cidr;
import org.calicojava.model.ClusterId;
import org.calicojava.model.EncapMode;
import org.calicojava.model.IpPool;
import org.calicojava.model.Json;
import org.calicojava.model.KeyPath;
import org.calicojava.model.Labels;
import org.calicojava.model.LogText;
import org.calicojava.model.Names;
import org.calicojava.model.Policy;
import org.calicojava.model.TierMetadata;

/**
 * The {@code spec} of each kind, with calicoctl v3's field names (extensions named in each record's doc). Each
 * constructor converts to the v1 records (etcd-schema's validation), so a bad value fails while the document is read
 * and the error has its line.
 */
public final class Specs {
    private Specs() {}

    /** IPPool: ipipMode and vxlanMode (Always, CrossSubnet or Never; at most one not Never), natOutgoing, disabled, blockSize. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record IpPoolSpec(
            Cidr cidr, String ipipMode, String vxlanMode, Boolean natOutgoing, Boolean disabled, Integer blockSize) {
        public IpPoolSpec {
            toPool(cidr, ipipMode, vxlanMode, natOutgoing, disabled, blockSize);
        }

        /** The spec of a stored pool. */
        public static IpPoolSpec of(IpPool p) {
            return new IpPoolSpec(
                    p.cidr(), p.ipipMode().v3(), p.vxlanMode().v3(), p.masquerade(), p.disabled(), p.blockSize());
        }

        /** The v1 pool. */
        public IpPool toPool() {
            return toPool(cidr, ipipMode, vxlanMode, natOutgoing, disabled, blockSize);
        }

        private static IpPool toPool(
                Cidr cidr, String ipipMode, String vxlanMode, Boolean nat, Boolean disabled, Integer blockSize) {
            if (cidr == null) {
                throw new IllegalArgumentException("cidr: missing");
            }
            Cidr c = Cidr.parse(cidr.toString(), true);
            return IpPool.of(
                    c,
                    mode("ipipMode", ipipMode),
                    mode("vxlanMode", vxlanMode),
                    Boolean.TRUE.equals(nat),
                    Boolean.TRUE.equals(disabled),
                    blockSize == null ? 0 : blockSize);
        }

        private static EncapMode mode(String field, String value) {
            if (value == null) {
                return EncapMode.NEVER;
            }
            for (EncapMode m : EncapMode.values()) {
                if (m.v3().equals(value)) {
                    return m;
                }
            }
            throw new IllegalArgumentException(
                    field + ": " + LogText.quote(value) + " (expected: Always, CrossSubnet or Never)");
        }
    }

    /** Profile: rules, labelsToApply; {@code tags} is the v1 profile's tag list (an extension, felix enforces tags). */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record ProfileSpec(
            List<RuleV3> ingress, List<RuleV3> egress, Map<String, String> labelsToApply, List<String> tags) {
        public ProfileSpec {
            ingress = ingress == null ? List.of() : List.copyOf(ingress);
            egress = egress == null ? List.of() : List.copyOf(egress);
            labelsToApply = Labels.check(labelsToApply);
            tags = new KeyPath.ProfileTags("-").decode(Json.write(tags == null ? List.of() : tags));
        }
    }

    /** Tier: order (lower first; none is last). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TierSpec(Double order) {
        public TierSpec {
            new TierMetadata(order);
        }
    }

    /** Policy: its tier (default {@code default}), order, selector, rules. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record PolicySpec(String tier, Double order, String selector, List<RuleV3> ingress, List<RuleV3> egress) {
        public PolicySpec {
            tier = Names.check("tier", tier == null ? PolicyKind.DEFAULT_TIER : tier);
            ingress = ingress == null ? List.of() : List.copyOf(ingress);
            egress = egress == null ? List.of() : List.copyOf(egress);
            toPolicy(order, selector, ingress, egress);
        }

        /** The v1 policy felix enforces. */
        public Policy toPolicy() {
            return toPolicy(order, selector, ingress, egress);
        }

        private static Policy toPolicy(Double order, String selector, List<RuleV3> ingress, List<RuleV3> egress) {
            return new Policy(selector, order, RuleV3.toV1(ingress), RuleV3.toV1(egress));
        }
    }

    /** Node: its BGP settings. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NodeSpec(NodeBgp bgp) {}

    /** A node's BGP: addresses (a /len is accepted and dropped: v1 keeps the address), AS, route reflector id. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NodeBgp(
            String ipv4Address,
            String ipv6Address,
            Object asNumber,
            @JsonProperty("routeReflectorClusterID") String routeReflectorClusterId) {
        public NodeBgp {
            if (ipv4Address == null) {
                throw new IllegalArgumentException("ipv4Address: missing");
            }
            address("ipv4Address", ipv4Address, 4);
            address("ipv6Address", ipv6Address, 6);
            asNumber = asNumber == null ? null : AsNumber.parse(asNumber.toString());
            routeReflectorClusterId = routeReflectorClusterId == null
                    ? null
                    : ClusterId.parse(routeReflectorClusterId).value();
        }

        /** The address without a prefix length ("10.0.0.1/24" gives 10.0.0.1), checked to be of its family. */
        static Cidr address(String what, String text, int version) {
            if (text == null) {
                return null;
            }
            int slash = text.indexOf('/');
            Cidr c = Cidr.host(slash < 0 ? text : text.substring(0, slash));
            if (c.version() != version) {
                throw new IllegalArgumentException(
                        what + ": " + LogText.quote(text) + " is not an IPv" + version + " address");
            }
            return c;
        }
    }

    /**
     * BGPPeer: global (no node) or one node's; the password by reference ({@link PasswordRef}); extensions
     * {@code acceptDefault}, {@code maxPrefixes} {limit, action, restartAfterSeconds} and
     * {@code gracefulRestartNotification} (RFC 8538).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BgpPeerSpec(
            String node,
            @JsonProperty("peerIP") String peerIp,
            Object asNumber,
            PasswordRef password,
            Boolean acceptDefault,
            MaxPrefixes maxPrefixes,
            Boolean gracefulRestartNotification) {
        public BgpPeerSpec {
            if (node != null) {
                Names.check("host", node);
            }
            if (peerIp == null) {
                throw new IllegalArgumentException("peerIP: missing");
            }
            peerIp = Cidr.host(peerIp).ip();
            if (asNumber == null) {
                throw new IllegalArgumentException("asNumber: missing");
            }
            asNumber = AsNumber.parse(asNumber.toString());
        }
    }

    /** A peer's prefix limit. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record MaxPrefixes(Long limit, String action, Integer restartAfterSeconds) {
        public MaxPrefixes {
            toV1(limit, action, restartAfterSeconds);
        }

        /** The v1 limit. */
        public BgpMaxPrefixes toV1() {
            return toV1(limit, action, restartAfterSeconds);
        }

        private static BgpMaxPrefixes toV1(Long limit, String action, Integer restartAfterSeconds) {
            if (limit == null) {
                throw new IllegalArgumentException("limit: missing");
            }
            return new BgpMaxPrefixes(limit, action, restartAfterSeconds);
        }
    }

    /**
     * A password never written in the file itself: {@code file} (its first line; the file only its owner may read),
     * {@code env} (a variable of javactl's environment), or {@code keep: true} (the password now stored stays; what
     * {@code get} prints when one is set, so {@code get | apply} keeps it).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PasswordRef(String file, String env, Boolean keep) {
        @JsonIgnore
        boolean keeps() {
            return Boolean.TRUE.equals(keep);
        }
    }

    /** BGPConfiguration {@code default}: asNumber (default node AS), the node-to-node mesh and its password. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BgpConfigurationSpec(Object asNumber, Boolean nodeToNodeMeshEnabled, PasswordRef nodeMeshPassword) {
        public BgpConfigurationSpec {
            asNumber = asNumber == null ? null : AsNumber.parse(asNumber.toString());
        }
    }

    /** IPAMConfiguration {@code default}: IPAM's settings; all absent: the defaults (no key). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record IpamConfigurationSpec(Boolean strictAffinity, Boolean autoAllocateBlocks, Integer maxBlocksPerHost) {
        boolean isEmpty() {
            return strictAffinity == null && autoAllocateBlocks == null && maxBlocksPerHost == null;
        }
    }

    /** WorkloadEndpoint (shown only): where it is and what felix programs for it. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record WorkloadEndpointSpec(
            String node,
            String orchestrator,
            String workload,
            String endpoint,
            String interfaceName,
            String mac,
            List<Cidr> ipNetworks,
            List<String> profiles,
            String state) {}
}
