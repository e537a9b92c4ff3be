package org.calicojava.bgp.yaml;

import java.util.List;
import org.calicojava.bgp.codec.Ip;
import org.calicojava.bgp.policy.Match;
import org.calicojava.bgp.policy.PrefixRange;
import org.calicojava.bgp.policy.RouteSource;
import org.calicojava.bgp.policy.SetActions;

/**
 * One term of a policy: {@code {match: {prefixes, communities, largeCommunities, asPath, nextHop, origin, source},
 * action: accept|reject, set: {localPref, med, communities{add, remove}, largeCommunities{add, remove}, prepend}}}.
 * Each record refuses in its constructor what its conversion would refuse.
 */
record PolicyYaml(MatchYaml match, String action, SetYaml set) {
    private static final List<String> ACTIONS = List.of("accept", "reject");

    PolicyYaml {
        accept(action);
    }

    org.calicojava.bgp.policy.Term term() {
        return new org.calicojava.bgp.policy.Term(
                match == null ? Match.ANY : match.value(), accept(action), set == null ? SetActions.NONE : set.value());
    }

    private static Boolean accept(String action) {
        return action == null
                ? null
                : Scalars.choice("action", action, ACTIONS, List.of(true, false), "accept or reject");
    }

    /** A term's {@code match}. */
    record MatchYaml(
            List<String> prefixes,
            List<String> communities,
            List<String> largeCommunities,
            String asPath,
            String nextHop,
            String origin,
            String source) {
        private static final List<String> ORIGINS = List.of("igp", "egp", "incomplete");
        private static final List<String> SOURCES = List.of("bgp", "kernel", "static");

        MatchYaml {
            value(prefixes, communities, largeCommunities, asPath, nextHop, origin, source);
        }

        Match value() {
            return value(prefixes, communities, largeCommunities, asPath, nextHop, origin, source);
        }

        private static Match value(
                List<String> prefixes,
                List<String> communities,
                List<String> largeCommunities,
                String asPath,
                String nextHop,
                String origin,
                String source) {
            return new Match(
                    Scalars.each("prefixes", prefixes, p -> Scalars.named("prefixes", () -> PrefixRange.parse(p))),
                    Scalars.each("communities", communities, c -> Scalars.community("communities", c)),
                    asPath == null ? -1 : Scalars.asNumber("asPath", asPath),
                    nextHop == null ? null : Scalars.named("nextHop", () -> Ip.v4Int(nextHop)),
                    origin == null
                            ? -1
                            : Scalars.choice("origin", origin, ORIGINS, List.of(0, 1, 2), "igp, egp or incomplete"),
                    source == null
                            ? null
                            : Scalars.choice(
                                    "source",
                                    source,
                                    SOURCES,
                                    List.of(RouteSource.BGP, RouteSource.KERNEL, RouteSource.STATIC),
                                    "bgp, kernel or static"),
                    Scalars.each("largeCommunities", largeCommunities, c -> Scalars.large("largeCommunities", c)));
        }
    }

    /** A term's {@code set}. */
    record SetYaml(
            String localPref, String med, Communities communities, LargeCommunities largeCommunities, String prepend) {
        SetYaml {
            value(localPref, med, communities, largeCommunities, prepend);
        }

        SetActions value() {
            return value(localPref, med, communities, largeCommunities, prepend);
        }

        private static SetActions value(
                String localPref,
                String med,
                Communities communities,
                LargeCommunities largeCommunities,
                String prepend) {
            Communities c = communities == null ? new Communities(null, null) : communities;
            LargeCommunities l = largeCommunities == null ? new LargeCommunities(null, null) : largeCommunities;
            return new SetActions(
                    Scalars.integer("localPref", localPref, 0, Integer.MAX_VALUE, -1),
                    Scalars.integer("med", med, 0, Integer.MAX_VALUE, -1),
                    Communities.values(c.add(), "add"),
                    Communities.values(c.remove(), "remove"),
                    LargeCommunities.values(l.add(), "add"),
                    LargeCommunities.values(l.remove(), "remove"),
                    Scalars.integer("prepend", prepend, 0, 32, 0),
                    0);
        }
    }

    /** {@code set.communities: {add, remove}}: lists of {@code ASN:VALUE}. */
    record Communities(List<String> add, List<String> remove) {
        Communities {
            values(add, "add");
            values(remove, "remove");
        }

        private static List<Integer> values(List<String> list, String key) {
            return Scalars.each(key, list, c -> Scalars.community(key, c));
        }
    }

    /** {@code set.largeCommunities: {add, remove}}: lists of {@code GLOBAL:LOCAL1:LOCAL2}. */
    record LargeCommunities(List<String> add, List<String> remove) {
        LargeCommunities {
            values(add, "add");
            values(remove, "remove");
        }

        private static List<int[]> values(List<String> list, String key) {
            return Scalars.each(key, list, c -> Scalars.large(key, c));
        }
    }
}
