package org.calicojava.felix.dataplane;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicojava.felix.rules.Chain;

/** Orders chains so that every chain comes after the chains it jumps or goes to (when written in several steps). */
final class ChainOrder {
    private ChainOrder() {}

    static List<Chain> referencedFirst(List<Chain> chains) {
        Map<String, Chain> byName = new HashMap<>();
        chains.forEach(c -> byName.put(c.name(), c));
        List<Chain> out = new ArrayList<>(chains.size());
        Set<String> done = new HashSet<>();
        for (Chain c : chains) {
            visit(c, byName, done, out);
        }
        return out;
    }

    private static void visit(Chain root, Map<String, Chain> byName, Set<String> done, List<Chain> out) {
        // iterative post-order DFS (dispatch trees and endpoint chains are shallow, but stay safe)
        List<Object[]> stack = new ArrayList<>();
        if (!done.add(root.name())) {
            return;
        }
        stack.add(new Object[] {root, 0});
        while (!stack.isEmpty()) {
            Object[] top = stack.get(stack.size() - 1);
            Chain c = (Chain) top[0];
            int i = (int) top[1];
            if (i < c.rules().size()) {
                top[1] = i + 1;
                Chain target = byName.get(c.rules().get(i).target());
                if (target != null && done.add(target.name())) {
                    stack.add(new Object[] {target, 0});
                }
            } else {
                out.add(c);
                stack.remove(stack.size() - 1);
            }
        }
    }
}
