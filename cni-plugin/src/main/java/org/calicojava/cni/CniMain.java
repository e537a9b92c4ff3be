package org.calicojava.cni;

/**
 * {@code calico-java-cni}: the CNI network plugin (see {@link NetworkPlugin}); {@code calico-java-cni serve ...}: the
 * resident CNI server ({@link ServeMain}).
 */
public final class CniMain {
    private CniMain() {}

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("serve")) {
            System.exit(ServeMain.run(args));
        }
        System.exit(Cli.run(Cli.Kind.NETWORK, System.getenv(), System.in, System.out, System.err));
    }
}
