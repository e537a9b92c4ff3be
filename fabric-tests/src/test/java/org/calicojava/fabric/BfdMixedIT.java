package org.calicojava.fabric;

/** {@link BfdIT} with BIRD as h3's BGP daemon (confd renders its {@code protocol bfd} and {@code bfd on}). */
class BfdMixedIT extends BfdIT {
    @Override
    String[] upArgs() {
        return new String[] {"--backend", "java", "--backend-of", "3", "bird"};
    }
}
