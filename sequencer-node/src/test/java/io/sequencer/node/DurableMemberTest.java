package io.sequencer.node;

import io.sequencer.core.runtime.SequencerClient;
import io.sequencer.sim.AccountLedger;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The public launcher as an application uses it: a durable member from the cluster's configuration file, the
 * application's state machine, a client that submits and waits; what the protocol does is logged through SLF4J.
 */
class DurableMemberTest
{
    @TempDir
    Path dir;

    @Test
    void anApplicationLaunchesADurableMemberAndSubmits() throws Exception
    {
        final NodeCluster cluster = new NodeCluster(dir, 1).writeConfig(Map.of());
        final NodeConfig config = NodeConfig.load(cluster.config(), Map.of());
        final PrintStream err = System.err;
        final ByteArrayOutputStream logged = new ByteArrayOutputStream();
        System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8)); // slf4j-simple writes to System.err
        final long position;
        try (DurableMember member = DurableMember.launch(config, 0, AccountLedger::new, true);
            SequencerClient client = member.sequencer().newClient())
        {
            final UnsafeBuffer event = new UnsafeBuffer(new byte[64]);
            final int length = AccountLedger.encodeTransfer(event, 0, 1, 2, 100, 0);
            SequencerClient.Outcome outcome = null;
            final long deadline = System.nanoTime() + 20_000_000_000L;
            while (outcome == null || outcome.position() <= 0)
            {
                assertTrue(System.nanoTime() < deadline, "the event acknowledged: " + outcome);
                outcome = client.submitAndWait(event, 0, length, 1_000_000_000L, new SleepingMillisIdleStrategy(1));
            }
            position = outcome.position();
        }
        finally
        {
            System.setErr(err);
            cluster.close();
        }
        assertTrue(position > 0, "durable at " + position);
        final String text = logged.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("io.sequencer.events - member 0: running in epoch "), text);
    }

    @Test
    void whatTheTransportReportsWhileStartingIsInTheNodesErrorLog() throws Exception
    {
        final java.io.File aeronDir = dir.resolve("aeron-0").toFile();
        final NodeCluster cluster = new NodeCluster(dir, 1).writeConfig(Map.of("aeron.dir", aeronDir.getPath()));
        final NodeConfig config = NodeConfig.load(cluster.config(), Map.of());
        assertTrue(aeronDir.mkdirs());
        // a driver killed in its first milliseconds: its CnC file created, never initialised (DriverDirectoryTest)
        try (java.io.RandomAccessFile cnc = new java.io.RandomAccessFile(new java.io.File(aeronDir, "cnc.dat"), "rw"))
        {
            cnc.setLength(1024 * 1024);
        }
        final PrintStream err = System.err;
        System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)); // its stack trace
        try (DurableMember member = DurableMember.launch(config, 0, AccountLedger::new, true))
        {
            assertNotNull(member.sequencer());
        }
        finally
        {
            System.setErr(err);
            cluster.close();
            org.agrona.IoUtil.delete(aeronDir, true); // the driver's close removed it, unless the launch failed
        }
        final StringWriter out = new StringWriter();
        final StringWriter errors = new StringWriter();
        assertEquals(0, SequencerCli.commandLine(new PrintWriter(out, true), new PrintWriter(errors, true))
            .execute("errors", "--dir", config.member(0).directory().getPath()), errors.toString());
        assertTrue(out.toString().contains("never finished starting") && out.toString().contains("1 distinct error"),
            out.toString());
    }

    @Test
    void anOperatorAsksARunningMemberForACheckpointAndTheSnapshotThreadWritesIt() throws Exception
    {
        final NodeCluster cluster = new NodeCluster(dir, 1).writeConfig(Map.of());
        final NodeConfig config = NodeConfig.load(cluster.config(), Map.of());
        final Path memberDir = config.member(0).directory().toPath();
        long position = 0;
        try (DurableMember member = DurableMember.launch(config, 0, AccountLedger::new, true);
            SequencerClient client = member.sequencer().newClient())
        {
            final UnsafeBuffer event = new UnsafeBuffer(new byte[64]);
            final long deadline = System.nanoTime() + 20_000_000_000L;
            for (int k = 0; k < 20; k++)
            {
                final int length = AccountLedger.encodeTransfer(event, 0, k % 8, (k + 1) % 8, 1 + k, 0);
                SequencerClient.Outcome outcome = null;
                while (outcome == null || outcome.position() <= 0)
                {
                    assertTrue(System.nanoTime() < deadline, "the event acknowledged: " + outcome);
                    outcome = client.submitAndWait(event, 0, length, 1_000_000_000L,
                        new SleepingMillisIdleStrategy(1));
                }
                position = outcome.position();
            }
            final StringWriter out = new StringWriter();
            final StringWriter err = new StringWriter();
            final int exit = SequencerCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute("snapshot", "--dir", memberDir.toString());
            assertEquals(0, exit, err.toString());
            final java.util.regex.Matcher written =
                java.util.regex.Pattern.compile("checkpoint at position (\\d+) written").matcher(out.toString());
            assertTrue(written.find(), out.toString());
            final long at = Long.parseLong(written.group(1));
            assertTrue(at > 0 && at <= member.sequencer().protocol().guaranteed(), out + " (g " +
                member.sequencer().protocol().guaranteed() + ")");
            assertFalse(java.nio.file.Files.exists(memberDir.resolve(
                io.sequencer.core.runtime.SnapshotAgent.REQUEST_FILE)), "the request is removed once done");
            final StringWriter again = new StringWriter();
            assertEquals(0, SequencerCli.commandLine(new PrintWriter(again, true), new PrintWriter(err, true))
                .execute("snapshot", "--dir", memberDir.toString()), err.toString());
            assertTrue(again.toString().contains("checkpoint at position " + at + " written"), "nothing new: the " +
                "checkpoint already there answers: " + again);
            try (io.sequencer.storage.FileCheckpointStore store = new io.sequencer.storage.FileCheckpointStore(
                memberDir.resolve(io.sequencer.storage.NodeStorage.CHECKPOINT_DIRECTORY));
                io.sequencer.core.CheckpointFile.Reader reader = store.open(at))
            {
                assertNotNull(reader, "the checkpoint at " + at + " is whole and sound");
                assertTrue(reader.remaining() > io.sequencer.core.ClusterConfig.MAX_MEMBERS * 16L, "it holds the " +
                    "dedup index, the timers and the ledger: " + reader.remaining() + " bytes");
            }
        }
        finally
        {
            cluster.close();
        }
        assertTrue(position > 0);

        final StringWriter err = new StringWriter();
        final int exit = SequencerCli.commandLine(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true))
            .execute("snapshot", "--dir", memberDir.toString());
        assertEquals(1, exit);
        assertTrue(err.toString().contains("is not running"), err.toString());
    }
}
