package org.calicojava.bgp.policy;

/** One policy term: when {@code match} holds, apply {@code set} and {@code accept} (true) or reject; null = continue. */
public record Term(Match match, Boolean accept, SetActions set) {
    public Term {
        if (match == null) {
            match = Match.ANY;
        }
        if (set == null) {
            set = SetActions.NONE;
        }
    }
}
