package org.calicojava.ctl;

import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "version", description = "Show the version of javactl.")
final class VersionCommand implements Runnable {
    @ParentCommand
    Javactl root;

    @Override
    public void run() {
        print(root.out());
    }

    /** Also javactl's {@link FastPath}. */
    static void print(PrintWriter out) {
        String v = Javactl.class.getPackage().getImplementationVersion();
        out.println("javactl version: " + (v == null ? "0.1.0-SNAPSHOT" : v));
        out.println("java: " + System.getProperty("java.version"));
    }
}
