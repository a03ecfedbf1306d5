// A single-node OpenSearch on 127.0.0.1 at any HTTP port, started by bin/opensearch.
//
// codelibs' OpenSearchRunner main() only takes HTTP ports up to 9299 (it picks base+1 and
// refuses beyond its maximum); here the port is set exactly, without the runner's search for
// a free one. Run as a source file (java -cp CLASSPATH engine/TalentHubNode.java ...), so
// nothing is compiled into the repository.
//
//   TalentHubNode BASE_PATH HTTP_PORT CLUSTER_NAME PLUGIN_CLASSES
import org.codelibs.opensearch.runner.OpenSearchRunner;

public class TalentHubNode {
    public static void main(String[] args) throws Exception {
        String basePath = args[0];
        int httpPort = Integer.parseInt(args[1]);
        String clusterName = args[2];
        String pluginTypes = args[3];

        OpenSearchRunner runner = new OpenSearchRunner();
        runner.setMaxHttpPort(-1); // use base + 1 as it is, no probing, no upper limit
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (Exception e) {
                System.err.println("closing OpenSearch: " + e);
            }
        }));
        runner.build(OpenSearchRunner.newConfigs()
                .basePath(basePath)
                .numOfNode(1)
                .baseHttpPort(httpPort - 1)
                .clusterName(clusterName)
                .pluginTypes(pluginTypes)
                .printOnFailure());
        while (!runner.isClosed()) {
            Thread.sleep(5000);
        }
    }
}
