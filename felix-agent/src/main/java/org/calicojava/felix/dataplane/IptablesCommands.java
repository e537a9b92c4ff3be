package org.calicojava.felix.dataplane;

import java.util.List;

/**
 * Which iptables binaries to run: {@code auto} uses the system's {@code iptables-restore}/{@code iptables-save}
 * (Debian: the nft variant), {@code legacy} and {@code nft} pick one explicitly. Restore always gets
 * {@code --noflush} and {@code -w} (honour the xtables lock).
 */
public record IptablesCommands(String restoreBinary, String saveBinary) {
    public static IptablesCommands of(String backend) {
        return switch (backend) {
            case "auto" -> new IptablesCommands("iptables-restore", "iptables-save");
            case "legacy" -> new IptablesCommands("iptables-legacy-restore", "iptables-legacy-save");
            case "nft" -> new IptablesCommands("iptables-nft-restore", "iptables-nft-save");
            default -> throw new IllegalArgumentException("IptablesBackend: '" + backend
                    + "' (expected: auto, legacy or nft)");
        };
    }

    public List<String> restore() {
        return List.of(restoreBinary, "--noflush", "-w", "10");
    }

    public List<String> save(String table) {
        return List.of(saveBinary, "-t", table);
    }
}
