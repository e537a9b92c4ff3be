package org.calicojava.cni;

/** {@code calico-java-ipam}: the CNI IPAM plugin (see {@link IpamPlugin}). */
public final class IpamMain {
    private IpamMain() {}

    public static void main(String[] args) {
        System.exit(Cli.run(Cli.Kind.IPAM, System.getenv(), System.in, System.out, System.err));
    }
}
