package org.calicojava.ctl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.calicojava.model.Names;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "stop",
        description = "Stop a node started with 'node run' (its processes stop; routes and rules stay).")
final class NodeStop extends Sub {
    @Option(names = "--name", required = true, paramLabel = "NAME")
    String name;

    @Option(names = "--run-dir", paramLabel = "DIR")
    Path runDir;

    @Override
    public void run() {
        Path dir = NodeRun.runDir(runDir, Names.check("host", name));
        Path pidFile = dir.resolve("node.pid");
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile).trim());
        } catch (IOException | NumberFormatException e) {
            throw fail("node " + name + " is not running (no " + pidFile + ")");
        }
        ProcessHandle h = ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .orElseThrow(() -> fail("node " + name + " is not running (pid " + pid + " is gone)"));
        ProcCmdline cmd = ProcCmdline.of(pid)
                .orElseThrow(() -> fail("node " + name + " is not running (pid " + pid + " is gone)"));
        if (!cmd.isNodeRun(name)) {
            throw fail("node " + name + " is not running: " + pidFile + " is stale, pid " + pid + " is another "
                    + "program (" + cmd.describe() + "); not signalled");
        }
        h.destroy();
        try {
            h.onExit().get(40, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw fail("node " + name + " (pid " + pid + ") did not stop within 40 s");
        }
        out().println("Stopped node " + name);
    }
}
