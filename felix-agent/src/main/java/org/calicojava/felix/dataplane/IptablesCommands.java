package org.calicojava.felix.dataplane;

import java.util.List;

/**
 * Which iptables binaries to run: {@code auto} uses the system's {@code iptables-restore}/{@code iptables-save}
 * (Debian: the nft variant), {@code legacy} and {@code nft} pick one explicitly. Restore always gets
 * {@code --noflush} and {@code -w} (honour the xtables lock). {@link #forVersion} gives the ip6tables binaries.
 */
public record IptablesCommands(String restoreBinary, String saveBinary) {
    public static IptablesCommands of(String backend) {
        return switch (backend) {
            case "auto" -> new IptablesCommands("iptables-restore", "iptables-save");
            case "legacy" -> new IptablesCommands("iptables-legacy-restore", "iptables-legacy-save");
            case "nft" -> new IptablesCommands("iptables-nft-restore", "iptables-nft-save");
            default ->
                throw new IllegalArgumentException(
                        "IptablesBackend: '" + backend + "' (expected: auto, legacy or nft)");
        };
    }

    /**
     * The same backend for IP version 4 or 6: {@code ip6tables-restore}/{@code ip6tables-save} (and their legacy/nft
     * variants) for 6.
     */
    public IptablesCommands forVersion(int version) {
        if (version != 4 && version != 6) {
            throw new IllegalArgumentException("IP version: " + version + " (expected: 4 or 6)");
        }
        return version == version()
                ? this
                : version == 6
                        ? new IptablesCommands(
                                restoreBinary.replaceFirst("^iptables", "ip6tables"),
                                saveBinary.replaceFirst("^iptables", "ip6tables"))
                        : new IptablesCommands(
                                restoreBinary.replaceFirst("^ip6tables", "iptables"),
                                saveBinary.replaceFirst("^ip6tables", "iptables"));
    }

    /** 6 for the ip6tables binaries, else 4. */
    public int version() {
        return restoreBinary.startsWith("ip6") ? 6 : 4;
    }

    public List<String> restore() {
        return List.of(restoreBinary, "--noflush", "-w", "10");
    }

    public List<String> save(String table) {
        return List.of(saveBinary, "-t", table);
    }
}
