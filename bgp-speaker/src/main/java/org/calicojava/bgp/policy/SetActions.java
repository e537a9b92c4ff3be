package org.calicojava.bgp.policy;

import java.util.Arrays;
import java.util.List;
import org.calicojava.bgp.codec.AsPath;
import org.calicojava.bgp.codec.PathAttributes;

/**
 * The {@code set:} part of a term: LOCAL_PREF, MED, communities and large communities to add or remove, AS prepends.
 *
 * @param localPref -1 = unchanged
 * @param med       -1 = unchanged
 * @param prepend   how many times to prepend {@code prependAs} (our AS when 0)
 */
public record SetActions(
        long localPref,
        long med,
        List<Integer> addCommunities,
        List<Integer> removeCommunities,
        List<int[]> addLarge,
        List<int[]> removeLarge,
        int prepend,
        long prependAs) {
    public static final SetActions NONE = new SetActions(-1, -1, List.of(), List.of(), List.of(), List.of(), 0, 0);

    public SetActions {
        addCommunities = List.copyOf(addCommunities);
        removeCommunities = List.copyOf(removeCommunities);
        addLarge = List.copyOf(addLarge);
        removeLarge = List.copyOf(removeLarge);
        if (prepend < 0 || prepend > 32) {
            throw new IllegalArgumentException("prepend: " + prepend + " (expected: 0..32)");
        }
    }

    public boolean isNone() {
        return equals(NONE) || this == NONE;
    }

    public PathAttributes apply(PathAttributes a, long ourAs) {
        if (this == NONE) {
            return a;
        }
        PathAttributes.Builder b = a.toBuilder();
        if (localPref >= 0) {
            b.localPref(localPref);
        }
        if (med >= 0) {
            b.med(med);
        }
        if (!addCommunities.isEmpty() || !removeCommunities.isEmpty()) {
            int[] have = a.communities() == null ? new int[0] : a.communities();
            int[] out = Arrays.stream(have)
                    .filter(c -> !removeCommunities.contains(c))
                    .toArray();
            for (int c : addCommunities)
                if (Arrays.stream(out).noneMatch(x -> x == c)) {
                    out = Arrays.copyOf(out, out.length + 1);
                    out[out.length - 1] = c;
                }
            b.communities(out.length == 0 ? null : out);
        }
        if (!addLarge.isEmpty() || !removeLarge.isEmpty()) {
            int[] have = a.largeCommunities() == null ? new int[0] : a.largeCommunities();
            java.util.List<int[]> keep = new java.util.ArrayList<>();
            for (int i = 0; i < have.length; i += 3) {
                int[] t = {have[i], have[i + 1], have[i + 2]};
                if (removeLarge.stream().noneMatch(r -> Arrays.equals(r, t))) {
                    keep.add(t);
                }
            }
            for (int[] t : addLarge) {
                if (keep.stream().noneMatch(k -> Arrays.equals(k, t))) {
                    keep.add(t);
                }
            }
            int[] out = new int[keep.size() * 3];
            for (int i = 0; i < keep.size(); i++) {
                System.arraycopy(keep.get(i), 0, out, i * 3, 3);
            }
            b.largeCommunities(out.length == 0 ? null : out);
        }
        if (prepend > 0) {
            AsPath p = a.asPath() == null ? AsPath.EMPTY : a.asPath();
            for (int i = 0; i < prepend; i++) {
                p = p.prepend(prependAs > 0 ? prependAs : ourAs);
            }
            b.asPath(p);
        }
        return b.build();
    }
}
