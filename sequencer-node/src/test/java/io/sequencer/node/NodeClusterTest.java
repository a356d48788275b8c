package io.sequencer.node;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

/**
 * Three {@code node} processes from one configuration file (with the default authentication: every frame tagged with
 * the cluster's key from {@code sequencer keygen}) form a cluster on loopback; one is killed with SIGKILL under load
 * and restarted; it catches up; {@code log verify} gives the same final chk on all three, and every line
 * of every {@code --ack-log} is in every log at its position. Under durability {@code none} and {@code batch}.
 */
@Tag("slow") // more than about 8 s, or real processes: left out of the fast lane (README, "Tests")
class NodeClusterTest
{
    @TempDir
    Path dir;

    private NodeCluster cluster;

    @AfterEach
    void killAll()
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void killedMemberCatchesUpAndNothingAcknowledgedIsLost() throws Exception
    {
        cluster = new NodeCluster(dir, 3).writeConfig(Map.of());
        cluster.startAll("--bootstrap", "--load", "200");
        cluster.awaitAllAcknowledging(100, "all three acknowledging");

        cluster.kill(2); // SIGKILL under load
        cluster.awaitAcknowledging(0, 50, "the survivors acknowledging again");

        cluster.start(2, "--load", "200");
        cluster.awaitAcknowledging(2, 20, "member 2 back, caught up and acknowledging");

        cluster.quiesceAndStop();
        System.out.println("NodeClusterTest: " + cluster.checkLogs());
    }

    /**
     * The same under durability {@code batch}: each log forced on a thread of its own while the duty cycle goes on, a
     * member killed while its forces run, its restart forcing what its predecessor appended.
     */
    @Test
    void underBatchAKilledMemberCatchesUpAndNothingAcknowledgedIsLost() throws Exception
    {
        cluster = new NodeCluster(dir, 3).writeConfig(Map.of("durability", "batch"));
        cluster.startAll("--bootstrap", "--load", "200");
        cluster.awaitAllAcknowledging(100, "all three acknowledging");

        cluster.kill(1);
        cluster.awaitAcknowledging(0, 50, "the survivors acknowledging again");

        cluster.start(1, "--load", "200");
        cluster.awaitAcknowledging(1, 20, "member 1 back, caught up and acknowledging");

        cluster.quiesceAndStop();
        System.out.println("NodeClusterTest, batch: " + cluster.checkLogs());
    }
}
