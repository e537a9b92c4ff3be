package org.calicojava.felix.calc;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.calicojava.netlink.WorkloadInterface;

/**
 * Felix settings, from (highest first) the environment {@code FELIX_<NAME>} (name upper-cased), this host's
 * {@code /calico/v1/host/HOST/config/<Name>}, the global {@code /calico/v1/config/<Name>}, then defaults.
 * {@code Ipv6Support} (default true) programs ip6tables policy beside iptables.
 */
public record FelixConfig(
        Duration refreshInterval,
        String endpointToHostAction,
        String interfacePrefix,
        int healthPort,
        int metricsPort,
        String dataplaneBackend,
        String iptablesBackend,
        Duration reportingInterval,
        boolean endpointReporting,
        int routeProtocol,
        boolean ipv6Support,
        String healthHost,
        String metricsHost,
        String nftablesWriter) {

    public static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry("IptablesRefreshInterval", "90"),
            Map.entry("DefaultEndpointToHostAction", "DROP"),
            Map.entry("InterfacePrefix", WorkloadInterface.HOST_PREFIX),
            Map.entry("HealthPort", "9099"),
            Map.entry("PrometheusMetricsPort", "9091"),
            Map.entry("DataplaneBackend", "auto"),
            Map.entry("IptablesBackend", "auto"),
            Map.entry("ReportingIntervalSecs", "30"),
            Map.entry("EndpointReportingEnabled", "true"),
            Map.entry("RouteProtocol", "80"),
            Map.entry("Ipv6Support", "true"),
            Map.entry("HealthHost", "127.0.0.1"),
            Map.entry("PrometheusMetricsHost", "0.0.0.0"),
            Map.entry("NftablesWriter", "netlink"));

    public FelixConfig {
        endpointToHostAction = endpointToHostAction.toUpperCase(Locale.ROOT);
        if (!endpointToHostAction.matches("DROP|ACCEPT|RETURN")) {
            throw new IllegalArgumentException("DefaultEndpointToHostAction: "
                    + org.calicojava.model.LogText.quote(endpointToHostAction) + " (expected: DROP, ACCEPT or RETURN)");
        }
        if (!interfacePrefix.matches("[a-zA-Z0-9]{1,10}")) {
            throw new IllegalArgumentException("InterfacePrefix: " + org.calicojava.model.LogText.quote(interfacePrefix)
                    + " (expected: 1-10 letters/digits)");
        }
        checkPort("HealthPort", healthPort);
        checkPort("PrometheusMetricsPort", metricsPort);
        dataplaneBackend = dataplaneBackend.toLowerCase(Locale.ROOT);
        if (!dataplaneBackend.matches("auto|iptables|nftables")) {
            throw new IllegalArgumentException("DataplaneBackend: "
                    + org.calicojava.model.LogText.quote(dataplaneBackend) + " (expected: auto, iptables or nftables)");
        }
        iptablesBackend = iptablesBackend.toLowerCase(Locale.ROOT);
        if (!iptablesBackend.matches("auto|legacy|nft")) {
            throw new IllegalArgumentException("IptablesBackend: " + org.calicojava.model.LogText.quote(iptablesBackend)
                    + " (expected: auto, legacy or nft)");
        }
        nftablesWriter = nftablesWriter.strip().toLowerCase(Locale.ROOT);
        if (!nftablesWriter.matches("netlink|nft")) {
            throw new IllegalArgumentException("NftablesWriter: " + org.calicojava.model.LogText.quote(nftablesWriter)
                    + " (expected: netlink or nft)");
        }
        healthHost = address("HealthHost", healthHost);
        metricsHost = address("PrometheusMetricsHost", metricsHost);
        if (routeProtocol < 5 || routeProtocol > 255) {
            throw new IllegalArgumentException("RouteProtocol: " + routeProtocol + " (expected: 5..255)");
        }
    }

    /** An address to listen on: an IP literal (no names: nothing is resolved), canonical. */
    private static String address(String what, String text) {
        try {
            return org.calicojava.model.Cidr.host(text).ip();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + org.calicojava.model.LogText.quote(text)
                    + " (expected: an IP address to listen on, e.g. 127.0.0.1 or 0.0.0.0)");
        }
    }

    private static void checkPort(String what, int p) {
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException(what + ": " + p + " (expected: 0 (off) or 1..65535)");
        }
    }

    public static FelixConfig defaults() {
        return of(Map.of(), Map.of(), Map.of());
    }

    /** Merges the sources; a bad value throws IllegalArgumentException naming the setting. */
    public static FelixConfig of(Map<String, String> env, Map<String, String> hostConfig, Map<String, String> global) {
        Map<String, String> m = new HashMap<>(DEFAULTS);
        m.putAll(global);
        m.putAll(hostConfig);
        for (String name : DEFAULTS.keySet()) {
            String v = env.get("FELIX_" + name.toUpperCase(Locale.ROOT));
            if (v != null) {
                m.put(name, v);
            }
        }
        return new FelixConfig(
                Duration.ofMillis(millis(m, "IptablesRefreshInterval")),
                m.get("DefaultEndpointToHostAction"),
                m.get("InterfacePrefix"),
                integer(m, "HealthPort"),
                integer(m, "PrometheusMetricsPort"),
                m.get("DataplaneBackend"),
                m.get("IptablesBackend"),
                Duration.ofMillis(millis(m, "ReportingIntervalSecs")),
                Boolean.parseBoolean(m.get("EndpointReportingEnabled")),
                integer(m, "RouteProtocol"),
                bool(m, "Ipv6Support"),
                m.get("HealthHost").strip(),
                m.get("PrometheusMetricsHost").strip(),
                m.get("NftablesWriter"));
    }

    private static boolean bool(Map<String, String> m, String name) {
        String v = m.get(name).strip().toLowerCase(Locale.ROOT);
        if (!v.matches("true|false")) {
            throw new IllegalArgumentException(
                    name + ": " + org.calicojava.model.LogText.quote(m.get(name)) + " (expected: true or false)");
        }
        return v.equals("true");
    }

    private static int integer(Map<String, String> m, String name) {
        try {
            return Integer.parseInt(m.get(name).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    name + ": " + org.calicojava.model.LogText.quote(m.get(name)) + " (expected: a whole number)");
        }
    }

    /** Seconds, fractions allowed (tests use short refresh intervals). */
    private static long millis(Map<String, String> m, String name) {
        try {
            double s = Double.parseDouble(m.get(name).strip());
            if (s < 0) {
                throw new NumberFormatException();
            }
            return (long) (s * 1000);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    name + ": " + org.calicojava.model.LogText.quote(m.get(name)) + " (expected: seconds >= 0)");
        }
    }
}
