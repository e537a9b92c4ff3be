package org.calicojava.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/javactl}'s class-data-sharing archives, in a copy of its tree: each JVM has its own, named after the
 * JVM's directory, because a JVM silently drops another's (java on the PATH switched to another JDK used to map the
 * old JDK's archive, or rather not, on every run until the jars changed). The first run records this JVM's archive and
 * runs from it; another JVM's archive is left alone. Which archive the JVM got: {@code -XX:+PrintCommandLineFlags};
 * where its main class came from: the JVM's class-loading log.
 */
class CtlLauncherIT {
    static final Path REPO = Path.of("").toAbsolutePath().getParent();
    static final Pattern LOADED = Pattern.compile("\\[class,load\\] (\\S+) source: (.+)$");

    @TempDir
    Path tmp;

    record Run(String archive, String mainSource, List<String> out) {}

    @Test
    void eachJvmRecordsAndMapsAnArchiveOfItsOwn() throws Exception {
        Path target = tmp.resolve("ctl/target");
        Files.createDirectories(target);
        Files.createDirectories(tmp.resolve("bin"));
        Files.createDirectories(tmp.resolve("ctl/src/build"));
        Files.copy(REPO.resolve("bin/javactl"), tmp.resolve("bin/javactl"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(
                REPO.resolve("ctl/src/build/PatchClassVersion.java"),
                tmp.resolve("ctl/src/build/PatchClassVersion.java"));
        try (var jars = Files.list(REPO.resolve("ctl/target"))) {
            for (Path j : jars.filter(p -> p.getFileName().toString().matches("ctl-[^-]+(-SNAPSHOT)?\\.jar"))
                    .toList()) {
                Files.copy(j, target.resolve(j.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        // the jars copied, not linked: the launcher may rewrite picocli's jar (PatchClassVersion), which must not
        // touch the build's tree
        Files.createDirectories(target.resolve("lib"));
        try (var jars = Files.list(REPO.resolve("ctl/target/lib"))) {
            for (Path j : jars.filter(p -> p.getFileName().toString().endsWith(".jar"))
                    .toList()) {
                Files.copy(j, target.resolve("lib").resolve(j.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        // another JVM's archive, newer than the jars and the launcher
        Path other = target.resolve("javactl-fast-opt_other-jdk.jsa");
        Files.writeString(other, "another JVM's archive");
        Path mine = target.resolve("javactl-fast-" + jvmName() + ".jsa");

        Run first = version();
        assertThat(first.archive)
                .as("the archive of this JVM, recorded by the first run")
                .isEqualTo(mine.toString());
        assertThat(mine).exists();
        assertThat(first.mainSource).as("where Main came from").isEqualTo("shared objects file (top)");
        Run next = version();
        assertThat(next.archive).isEqualTo(mine.toString());
        assertThat(next.mainSource).isEqualTo("shared objects file (top)");
        assertThat(Files.readString(other))
                .as("the other JVM's archive, left for it")
                .isEqualTo("another JVM's archive");
        try (var left = Files.list(target)) {
            assertThat(left.map(p -> p.getFileName().toString()).filter(n -> n.matches("javactl.*\\.jsa\\..+")))
                    .as("no temporary archive left")
                    .isEmpty();
        }
    }

    /** The launchers' name for this JVM; the test is not run where java is a wrapper (no archive there). */
    static String jvmName() throws Exception {
        String name = org.calicojava.testing.JvmName.ofJavaOnPath();
        org.junit.jupiter.api.Assumptions.assumeTrue(name != null, "java on the PATH is not a JDK's");
        return name;
    }

    private Run version() throws Exception {
        Path log = tmp.resolve("classes.log");
        Path out = tmp.resolve("out.txt");
        Files.deleteIfExists(log);
        ProcessBuilder pb = new ProcessBuilder(tmp.resolve("bin/javactl").toString(), "version")
                .redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().put("JAVACTL_SOCKET", "");
        pb.environment().remove("JAVACTL_NO_CDS");
        pb.environment().put("JAVACTL_JAVA_OPTS", "-XX:+PrintCommandLineFlags -Xlog:class+load=info:file=" + log);
        Process p = pb.start();
        try {
            assertThat(p.waitFor(120, TimeUnit.SECONDS))
                    .as("javactl version ends")
                    .isTrue();
        } finally {
            p.destroyForcibly();
        }
        List<String> lines = Files.readAllLines(out);
        assertThat(p.exitValue()).as(String.join("\n", lines)).isZero();
        Matcher m = Pattern.compile("-XX:SharedArchiveFile=(\\S+)").matcher(String.join("\n", lines));
        return new Run(m.find() ? m.group(1) : "", sourceOf(log, "org.calicojava.ctl.Main"), lines);
    }

    private static String sourceOf(Path classLog, String className) throws IOException {
        for (String line : Files.readAllLines(classLog)) {
            Matcher m = LOADED.matcher(line);
            if (m.find() && m.group(1).equals(className)) {
                return m.group(2).strip();
            }
        }
        return "(not loaded)";
    }
}
