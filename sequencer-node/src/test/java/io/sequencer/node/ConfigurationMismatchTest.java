package io.sequencer.node;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three {@code node} processes, member 0 configured differently from the others (an operator's edit of one member's
 * file): its file lists members 0 and 1 only, or it runs under durability {@code batch} while they run under
 * {@code none}, or it reads another key. With another list it counts its own quorum, and, before every frame carried
 * its sender's configuration, it asked in at every boot timeout and moved the others to a new epoch each time, every
 * 1-2 s, each with a second's stall of their acknowledgements; under another durability its peers' unforced reports
 * counted towards its acknowledgements; with another key its frames were only counted; and nothing said why. Now
 * members 1 and 2 drop its frames, name its configuration (or its failing authentication) in their error logs and
 * acknowledge without an epoch change; member 0 names theirs; and once its configuration is mended and it is
 * restarted, it catches up, and every acknowledged event is in every log.
 */
@Tag("slow") // real processes: left out of the fast lane (README, "Tests")
class ConfigurationMismatchTest
{
    @TempDir
    Path dir;

    private NodeCluster cluster;

    @AfterEach
    void cleanUp()
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "members", "durability", "key" })
    void aMemberConfiguredDifferentlyIsNamedAndMovesNoEpoch(final String difference) throws Exception
    {
        cluster = new NodeCluster(dir, 3).writeConfig(Map.of());
        final String ours;
        final String theirs = "members 0,1,2, durability none";
        if (difference.equals("members"))
        {
            editMemberZero("member.2.", "cluster.members = 0,1");
            ours = "members 0,1, durability none";
        }
        else if (difference.equals("durability"))
        {
            cluster.memberConfig(0, Map.of("durability", "batch"));
            ours = "members 0,1,2, durability batch";
        }
        else
        {
            NodeCluster.cli("keygen", "--file", dir.resolve("other.key").toString()).assertExit(0);
            editMemberZero("authentication.key.file", "authentication.key.file = other.key");
            ours = null; // its frames fail authentication before their configuration is read
        }

        cluster.startAll("--bootstrap", "--load", "500");
        cluster.awaitAcknowledging(1, 300, "member 1 acknowledging with member 2");
        cluster.awaitAcknowledging(2, 300, "member 2 acknowledging with member 1");
        final long epochChanges1 = cluster.counter(1, "epoch changes");
        final long epochChanges2 = cluster.counter(2, "epoch changes");
        cluster.awaitAcknowledging(1, 3_000, "member 1 acknowledging 3,000 more");
        final long more = Math.max(cluster.counter(1, "epoch changes") - epochChanges1,
            cluster.counter(2, "epoch changes") - epochChanges2);
        // none in the runs here, 5 without the check (another list); one allowed for a stall of this shared machine
        assertTrue(more <= 1, more + " epoch changes at member 1 or 2 while member 0 ran with " +
            (ours != null ? ours : "another key") + "\n" +
            cluster.outputs());
        final String named = cluster.errors(1);
        final String naming = cluster.errors(0);
        if (ours != null)
        {
            assertTrue(cluster.counter(1, "frames dropped: other configuration") > 0 &&
                cluster.counter(2, "frames dropped: other configuration") > 0, cluster.outputs());
            assertTrue(named.contains("member 1 runs with " + theirs + "; member 0 with " + ours + ": every member's " +
                "cluster.members and durability must be the same"), named);
            assertTrue(naming.contains("member 0 runs with " + ours + "; member 1 with " + theirs), naming);
        }
        else
        {
            assertTrue(named.contains("claiming to be member 0 of cluster ") && named.contains(
                "fail authentication: a member started with another key (authentication.key.file)"), named);
            assertTrue(naming.contains("claiming to be member 1 of cluster ") &&
                naming.contains("fail authentication"), naming);
        }

        cluster.kill(0);
        cluster.memberConfig(0, Map.of()); // mended: the cluster's own file again
        cluster.start(0, "--load", "500");
        cluster.awaitAcknowledging(0, 200, "member 0 back with the cluster's configuration, caught up, acknowledging");
        cluster.quiesceAndStop();
        System.out.println("ConfigurationMismatchTest (" + difference + "): " + more + " epoch changes at members 1 " +
            "and 2 over 3,000 acknowledgements; " + cluster.checkLogs());
    }

    /** Member 0's own file: the cluster's, without the lines starting with {@code leaveOut}, and with {@code add}. */
    private void editMemberZero(final String leaveOut, final String add) throws java.io.IOException
    {
        cluster.memberConfig(0, Map.of());
        final StringBuilder edited = new StringBuilder();
        for (final String line : Files.readAllLines(cluster.config()))
        {
            final boolean replaced = add.startsWith("cluster.members") && line.startsWith("cluster.members");
            if (!line.startsWith(leaveOut) && !replaced)
            {
                edited.append(line).append('\n');
            }
        }
        Files.writeString(dir.resolve("cluster-0.properties"), edited.append(add).append('\n').toString());
    }

}
