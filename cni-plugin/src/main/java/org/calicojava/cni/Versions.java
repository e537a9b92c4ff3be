package org.calicojava.cni;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.calicojava.model.Json;
import org.calicojava.model.LogText;

/** The CNI spec versions the plugins speak, and the VERSION answer. */
public final class Versions {
    public static final String CURRENT = "1.1.0";
    public static final List<String> SUPPORTED = List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0");
    public static final String PLUGIN_TYPE = "calico-java-cni";
    public static final String IPAM_TYPE = "calico-java-ipam";

    private Versions() {}

    public static void require(String version) {
        if (!SUPPORTED.contains(version)) {
            throw new CniException(
                    CniException.INCOMPATIBLE_VERSION,
                    "cniVersion " + LogText.quote(version) + " is not supported (supported: "
                            + String.join(", ", SUPPORTED) + ")");
        }
    }

    /** CHECK came with 0.4.0. */
    public static boolean hasCheck(String version) {
        return !version.startsWith("0.3.");
    }

    /** 0.3.x and 0.4.0 results carry "version" in each IP config; 1.0.0 dropped it. */
    public static boolean ipVersionField(String version) {
        return version.startsWith("0.");
    }

    /** STATUS and GC came with 1.1.0. */
    public static boolean hasLifecycle(String version) {
        return version.equals("1.1.0");
    }

    public static ObjectNode versionResult(String requested) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("cniVersion", SUPPORTED.contains(requested) ? requested : CURRENT);
        SUPPORTED.forEach(n.putArray("supportedVersions")::add);
        return n;
    }
}
