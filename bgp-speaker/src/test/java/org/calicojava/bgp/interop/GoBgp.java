package org.calicojava.bgp.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

/** gobgpd with a YAML config and its gRPC API on 127.0.0.1:apiPort; driven with the gobgp CLI. */
final class GoBgp extends Daemon {
    final int apiPort;

    GoBgp(String yaml, int apiPort) {
        super("cj-gobgp");
        this.apiPort = apiPort;
        try {
            Files.writeString(dir.resolve("gobgpd.yaml"), yaml);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        start(cmd(
                binary("/usr/bin/gobgpd"),
                "-f",
                dir.resolve("gobgpd.yaml").toString(),
                "-t",
                "yaml",
                "--api-hosts",
                "127.0.0.1:" + apiPort,
                "--pprof-disable"));
    }

    String gobgp(String... args) {
        List<String> c = cmd(binary("/usr/bin/gobgp"), "-p", Integer.toString(apiPort));
        c.addAll(List.of(args));
        return run(c);
    }
}
