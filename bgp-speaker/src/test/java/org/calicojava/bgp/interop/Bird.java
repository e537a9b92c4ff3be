package org.calicojava.bgp.interop;

import java.io.IOException;
import java.nio.file.Files;

/** BIRD 2 in the foreground ({@code bird -f}) with its control socket in the temp dir; queried with birdc. */
final class Bird extends Daemon {
    Bird(String config) {
        super("cj-bird");
        try {
            Files.writeString(
                    dir.resolve("bird.conf"),
                    config.replace("@LOG@", dir.resolve("bird.log").toString()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        start(cmd(
                binary("/usr/sbin/bird"),
                "-c",
                dir.resolve("bird.conf").toString(),
                "-s",
                socket(),
                "-P",
                dir.resolve("bird.pid").toString(),
                "-f"));
    }

    String socket() {
        return dir.resolve("bird.ctl").toString();
    }

    String birdc(String... command) {
        var c = cmd(binary("/usr/sbin/birdc"), "-s", socket());
        c.addAll(java.util.List.of(command));
        return run(c);
    }

    String routes() {
        return birdc("show", "route", "all");
    }

    String protocol(String name) {
        return birdc("show", "protocols", "all", name);
    }

    boolean established(String name) {
        return birdc("show", "protocols", name).contains("Established");
    }

    String log() {
        try {
            return Files.readString(dir.resolve("bird.log"));
        } catch (IOException e) {
            return "";
        }
    }
}
