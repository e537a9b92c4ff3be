package org.calicojava.ctl;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "version", description = "Show the version of javactl.")
final class VersionCommand implements Runnable {
    @ParentCommand
    Javactl root;

    @Override
    public void run() {
        String v = Javactl.class.getPackage().getImplementationVersion();
        root.out().println("javactl version: " + (v == null ? "0.1.0-SNAPSHOT" : v));
        root.out().println("java: " + System.getProperty("java.version"));
    }
}
