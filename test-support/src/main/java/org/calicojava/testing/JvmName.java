package org.calicojava.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The name bin/javactl and bin/calico-java-cni give the JVM on the PATH in their class-data-sharing archives' names
 * ({@code javactl-<name>.jsa}): its directory (java's path with links resolved, less {@code /bin/java}), without the
 * leading '/', '/' as '+', characters other than letters, digits and {@code ._+-} as '_'.
 */
public final class JvmName {
    private JvmName() {}

    /** The name; null where java is not a JDK's (no libjvm.so beside its path): the launchers use no archive there. */
    public static String ofJavaOnPath() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", "readlink -f \"$(command -v java)\"").start();
        String javabin = new String(p.getInputStream().readAllBytes()).strip();
        if (p.waitFor() != 0 || !javabin.endsWith("/bin/java")) {
            return null;
        }
        String home = javabin.substring(0, javabin.length() - "/bin/java".length());
        if (!Files.exists(Path.of(home, "lib/server/libjvm.so"))) {
            return null;
        }
        return home.substring(1).replace('/', '+').replaceAll("[^A-Za-z0-9._+-]", "_");
    }
}
