package org.calicojava.felix.rules;

import java.util.List;

/** An iptables chain of ours (name starts with "cali-", at most {@value ChainNames#MAX_LENGTH} characters). */
public record Chain(String name, List<Rule> rules) {
    public Chain {
        ChainNames.check(name);
        rules = List.copyOf(rules);
    }
}
