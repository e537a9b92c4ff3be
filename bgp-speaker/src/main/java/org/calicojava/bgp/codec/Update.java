package org.calicojava.bgp.codec;

/**
 * UPDATE (RFC 4271 section 4.3) with its MP-BGP parts (RFC 4760) and the RFC 7606 outcome of decoding it.
 * IPv4 withdrawn/NLRI fields are packed {@link Nlri}; attributes are one shared {@link PathAttributes} (null when the
 * message has none). After {@link Outcome#TREAT_AS_WITHDRAW} every prefix in {@link #nlri()} and {@link #mpReach()}
 * must be handled as withdrawn; {@link #error()} says why.
 */
public final class Update implements Message {
    /** RFC 7606 result of decoding; session reset is a {@link BgpException} instead. */
    public enum Outcome {
        NORMAL,
        ATTRIBUTE_DISCARD,
        TREAT_AS_WITHDRAW
    }

    private static final Nlri NO_V4 = Nlri.empty(Family.IPV4_UNICAST);

    private final Nlri withdrawn;
    private final PathAttributes attributes;
    private final Nlri nlri;
    private final MpReach mpReach;
    private final MpUnreach mpUnreach;
    private final Outcome outcome;
    private final BgpError error;

    public Update(Nlri withdrawn, PathAttributes attributes, Nlri nlri, MpReach mpReach, MpUnreach mpUnreach) {
        this(withdrawn, attributes, nlri, mpReach, mpUnreach, Outcome.NORMAL, null);
    }

    Update(
            Nlri withdrawn,
            PathAttributes attributes,
            Nlri nlri,
            MpReach mpReach,
            MpUnreach mpUnreach,
            Outcome outcome,
            BgpError error) {
        this.withdrawn = withdrawn == null ? NO_V4 : check(withdrawn);
        this.nlri = nlri == null ? NO_V4 : check(nlri);
        this.attributes = attributes;
        this.mpReach = mpReach;
        this.mpUnreach = mpUnreach;
        this.outcome = outcome;
        this.error = error;
        if (!this.nlri.isEmpty() && attributes == null) {
            throw new IllegalArgumentException("NLRI without path attributes");
        }
        if (mpReach != null && attributes == null) {
            throw new IllegalArgumentException("MP_REACH_NLRI without path attributes");
        }
    }

    private static Nlri check(Nlri n) {
        if (n.family() != Family.IPV4_UNICAST) {
            throw new IllegalArgumentException("NLRI field: " + n.family() + " (expected: IPV4_UNICAST)");
        }
        return n;
    }

    /** IPv4 prefixes announced in the NLRI field with {@code attributes} (NEXT_HOP must be set). */
    public static Update announce(PathAttributes attributes, Nlri nlri) {
        return new Update(null, attributes, nlri, null, null);
    }

    /** Prefixes of any family announced through MP_REACH_NLRI. */
    public static Update announce(PathAttributes attributes, MpReach reach) {
        return new Update(null, attributes, null, reach, null);
    }

    /** IPv4 prefixes withdrawn in the Withdrawn Routes field, other families through MP_UNREACH_NLRI. */
    public static Update withdraw(Nlri prefixes) {
        return prefixes.family() == Family.IPV4_UNICAST
                ? new Update(prefixes, null, null, null, null)
                : new Update(null, null, null, null, new MpUnreach(prefixes.family(), prefixes));
    }

    /** End-of-RIB marker (RFC 4724 section 2). */
    public static Update endOfRib(Family f) {
        return f == Family.IPV4_UNICAST
                ? new Update(null, null, null, null, null)
                : new Update(null, null, null, null, new MpUnreach(f, Nlri.empty(f)));
    }

    public Nlri withdrawn() {
        return withdrawn;
    }

    public PathAttributes attributes() {
        return attributes;
    }

    public Nlri nlri() {
        return nlri;
    }

    public MpReach mpReach() {
        return mpReach;
    }

    public MpUnreach mpUnreach() {
        return mpUnreach;
    }

    public Outcome outcome() {
        return outcome;
    }

    public boolean treatAsWithdraw() {
        return outcome == Outcome.TREAT_AS_WITHDRAW;
    }

    /** The first RFC 7606 error met while decoding, or null. */
    public BgpError error() {
        return error;
    }

    /** The family this UPDATE marks End-of-RIB for, or null. */
    public Family endOfRibFamily() {
        if (!withdrawn.isEmpty() || !nlri.isEmpty() || mpReach != null) {
            return null;
        }
        if (mpUnreach == null) {
            return attributes == null ? Family.IPV4_UNICAST : null;
        }
        return mpUnreach.nlri().isEmpty() ? mpUnreach.family() : null;
    }

    @Override
    public int type() {
        return UPDATE;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Update u
                && u.withdrawn.equals(withdrawn)
                && java.util.Objects.equals(u.attributes, attributes)
                && u.nlri.equals(nlri)
                && java.util.Objects.equals(u.mpReach, mpReach)
                && java.util.Objects.equals(u.mpUnreach, mpUnreach)
                && u.outcome == outcome
                && java.util.Objects.equals(u.error, error);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(withdrawn, attributes, nlri, mpReach, mpUnreach, outcome);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("UPDATE");
        if (!withdrawn.isEmpty()) {
            sb.append(" withdrawn ").append(withdrawn);
        }
        if (attributes != null) {
            sb.append(" {").append(attributes).append('}');
        }
        if (!nlri.isEmpty()) {
            sb.append(" nlri ").append(nlri);
        }
        if (mpReach != null) {
            sb.append(' ').append(mpReach);
        }
        if (mpUnreach != null) {
            sb.append(' ').append(mpUnreach);
        }
        if (outcome != Outcome.NORMAL) {
            sb.append(' ').append(outcome).append(": ").append(error);
        }
        return sb.toString();
    }
}
