package io.sequencer.node;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/protocol.md B1 with real processes: a member killed while it catches up outside the running epoch (left out,
 * far behind) goes back into that epoch at its restart instead of entering a new one, so the running pair changes
 * epoch once, to admit it, where the old rule had it change for the restart itself, again when the far-behind member
 * handed the decision on, and then for the admission.
 */
@Tag("slow") // more than about 8 s, or real processes: left out of the fast lane (README, "Tests")
class RestartOutsideEpochTest
{
    @TempDir
    Path dir;

    @Test
    void aMemberKilledWhileOutsideTheRunningEpochRejoinsIt() throws Exception
    {
        try (NodeCluster cluster = new NodeCluster(dir, 3))
        {
            killAnOutsiderAndRestartIt(cluster.writeConfig(Map.of()));
        }
    }

    private void killAnOutsiderAndRestartIt(final NodeCluster cluster) throws Exception
    {
        cluster.startAll("--bootstrap", "--load", "2000");
        cluster.awaitAllAcknowledging(100, "all three acknowledging");
        cluster.killAndFallBehind(2, 1, 30_000, TimeUnit.MINUTES.toNanos(2));

        // Restarted 30,000 entries behind (above admissionLag): the running epoch's decision leaves it out, and it
        // catches up outside. Killed there, before it has asked in.
        final Path output = dir.resolve("out-2.txt");
        final long from = Files.size(output);
        cluster.start(2, "--load", "200");
        cluster.await(() -> NodeCluster.linesSince(output, from).contains("decided epoch") &&
            !NodeCluster.linesSince(output, from).contains("asking in"),
            "member 2 holding a decision that leaves it out");
        assertTrue(!decisionLine(output, from).contains("active 0,1,2"), "left out: " + decisionLine(output, from));
        cluster.kill(2);
        final long epochAtKill = cluster.counter(0, "epoch");
        final long[] changesAtKill = { cluster.counter(0, "epoch changes"), cluster.counter(1, "epoch changes") };

        final long restartFrom = Files.size(output);
        cluster.start(2, "--load", "200");
        cluster.await(() -> cluster.running(2) && cluster.counter(2, "epoch") > epochAtKill,
            "member 2 admitted", TimeUnit.MINUTES.toNanos(2));
        cluster.awaitAllAcknowledging(50, "all three acknowledging");
        final String restart = NodeCluster.linesSince(output, restartFrom);
        assertTrue(restart.contains("rejoined the epoch it was in"), restart);
        assertEquals(1, cluster.counter(2, "epochs rejoined at a restart"), restart);
        assertEquals(1, cluster.counter(0, "epoch changes") - changesAtKill[0],
            "member 0 changed epoch once, to admit member 2:\n" + restart);
        assertEquals(1, cluster.counter(1, "epoch changes") - changesAtKill[1], restart);

        cluster.quiesceAndStop();
        System.out.println("RestartOutsideEpochTest: " + cluster.checkLogs());
    }

    private static String decisionLine(final Path output, final long from)
    {
        for (final String line : NodeCluster.linesSince(output, from).split("\n"))
        {
            if (line.contains("decided epoch"))
            {
                return line;
            }
        }
        return "";
    }
}
