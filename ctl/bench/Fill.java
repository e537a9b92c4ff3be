import java.util.Map;
import org.calicojava.ipam.Ipam;
import org.calicojava.model.Cidr;
import org.calicojava.model.Keys;
import org.calicojava.store.EtcdConfig;
import org.calicojava.store.JetcdStore;

/**
 * ctl/bench/checks.sh's datastore: N workloads over H hosts, as the CNI plugin leaves them (an IPAM address under the
 * handle cni.ID.eth0, then the endpoint record carrying it). Args: ENDPOINTS PREFIX N H. Progress every 1,000.
 */
public class Fill {
    public static void main(String[] a) {
        int n = Integer.parseInt(a[2]);
        int hosts = Integer.parseInt(a[3]);
        Keys keys = new Keys(a[1]);
        try (JetcdStore store = new JetcdStore(EtcdConfig.of(a[0]))) {
            Ipam ipam = new Ipam(store, keys);
            for (int i = 0; i < n; i++) {
                String host = "h" + (i % hosts + 1);
                String id = String.format("%064x", i);
                Cidr ip = ipam.autoAssign(
                        new Ipam.AutoRequest(host, "cni." + id + ".eth0", Map.of("node", host), 4, null));
                String name = "cali" + id.substring(53);
                store.put(
                        keys.endpoint(host, "cni", id, "eth0"),
                        "{\"state\":\"active\",\"name\":\"" + name + "\",\"profile_ids\":[\"web\"],\"ipv4_nets\":[\""
                                + ip + "\"]}");
                if ((i + 1) % 1000 == 0) {
                    System.err.println("  filled " + (i + 1) + " of " + n);
                }
            }
        }
    }
}
