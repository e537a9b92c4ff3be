package org.calicojava.cni;

/** {@code calico-java-cni}: the CNI network plugin (see {@link NetworkPlugin}). */
public final class CniMain {
    private CniMain() {
    }

    public static void main(String[] args) {
        System.exit(Cli.run(Cli.Kind.NETWORK, System.getenv(), System.in, System.out, System.err));
    }
}
