package io.sequencer.node;

import io.sequencer.storage.DurableFiles;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retention and snapshot transfer with real {@code node} processes (docs/protocol.md §13): while one member is down
 * and its directory is wiped, the others discard whole cycle files of their logs; the wiped member comes back by a
 * snapshot and the log from the sender's first position, and every member ends with the same log (same last position
 * and checksum) and every acknowledged event at its place.
 */
@Tag("slow") // more than about 8 s, or real processes: left out of the fast lane (README, "Tests")
class SnapshotTransferProcessTest
{
    private static final Pattern VERIFIED = Pattern.compile("log verified: (\\d+) entries(.*), chk ([0-9a-f]+)");

    @TempDir
    Path root;

    @Test
    void aWipedMemberComesBackBySnapshotTransferOnceThePeersDiscardedWhatItNeeds() throws Exception
    {
        final Map<String, String> settings = new LinkedHashMap<>();
        settings.put("checkpoint.interval", "8000");
        settings.put("checkpoint.keep", "1");
        settings.put("log.retain.entries", "0");
        try (NodeCluster cluster = new NodeCluster(root, 3))
        {
            cluster.writeConfig(settings);
            cluster.start(0, "--bootstrap", "--load", "15000");
            cluster.start(1, "--bootstrap", "--load", "1000");
            cluster.start(2, "--bootstrap", "--load", "50");
            cluster.await(() -> cluster.running(0) && cluster.running(1) && cluster.running(2), "all three running");
            cluster.awaitAllAcknowledging(5, "every member acknowledging");
            cluster.kill(2);
            DurableFiles.deleteTree(cluster.memberDir(2)); // the disk is lost; the ack log beside it is kept

            // a cycle file is 65,536 entries: the first one goes once a checkpoint lies past it
            cluster.await(() -> cluster.counter(0, "retention discards") >= 1 &&
                cluster.counter(1, "retention discards") >= 1, "both logs to discard their first cycle file",
                TimeUnit.MINUTES.toNanos(5));

            cluster.start(2, "--load", "50");
            cluster.await(() -> cluster.running(2) && cluster.counter(2, "snapshots installed") >= 1,
                "the wiped member to come back by a snapshot", TimeUnit.MINUTES.toNanos(3));
            cluster.awaitAcknowledging(2, 5, "the wiped member acknowledging again");
            cluster.quiesceAndStop();

            String chk = null;
            for (int id = 0; id < 3; id++)
            {
                final String verified = NodeCluster.run("log", "verify", "--dir", cluster.memberDir(id).toString());
                final Matcher m = VERIFIED.matcher(verified);
                assertTrue(m.find(), verified);
                assertTrue(m.group(2).contains("discarded by retention"), "member " + id + ": " + verified);
                chk = chk == null ? m.group(3) : chk;
                assertEquals(chk, m.group(3), "member " + id + " ends with the same log: " + verified);
                final String acks = NodeCluster.run("log", "check-acks", "--dir", cluster.memberDir(id).toString(),
                    "--ack-log", cluster.ackLog(id).toString());
                assertTrue(acks.startsWith("all "), acks);
            }
        }
    }
}
