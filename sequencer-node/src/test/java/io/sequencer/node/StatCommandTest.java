package io.sequencer.node;

import io.sequencer.core.ClusterConfig;
import io.sequencer.core.memory.InMemoryCheckpointStore;
import io.sequencer.core.memory.InMemoryEventLog;
import io.sequencer.core.memory.InMemoryNetwork;
import io.sequencer.core.memory.InMemoryNodeStore;
import io.sequencer.core.ProtocolContext;
import io.sequencer.core.runtime.NodeStatFile;
import io.sequencer.core.runtime.Sequencer;
import io.sequencer.core.runtime.SequencerClient;
import io.sequencer.sim.AccountLedger;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatCommandTest
{
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        return SequencerCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void statAndErrorsReadALiveNodeFromItsDirectory()
    {
        final File nodeDir = dir.resolve("member-0").toFile();
        final Sequencer.Context context = new Sequencer.Context()
            .protocol(new ProtocolContext().cluster(ClusterConfig.ofSize(3, 1)).memberId(0).bootstrap(true)
                .maxResultLength(AccountLedger.RESULT_LENGTH))
            .directory(nodeDir)
            .log(new InMemoryEventLog())
            .checkpoints(new InMemoryCheckpointStore())
            .store(new InMemoryNodeStore())
            .transport(InMemoryNetwork.immediate(0).endpoint(0))
            .idleStrategy(new YieldingIdleStrategy())
            .counterSource("transport: frames published", () -> 4242); // as DurableMember adds the transport's
        try (Sequencer node = Sequencer.launch(context, new AccountLedger());
            SequencerClient client = node.newClient())
        {
            final UnsafeBuffer event = new UnsafeBuffer(new byte[32]);
            final int length = AccountLedger.encodeTransfer(event, 0, 1, 2, 3, 0);
            assertTrue(client.submitAndWait(event, 0, length, 10_000_000_000L, new YieldingIdleStrategy())
                .completed());

            assertEquals(0, run("stat", "--dir", nodeDir.getPath()), err.toString());
            final String stat = out.toString();
            assertTrue(stat.contains("member 0, pid "), stat);
            assertTrue(stat.contains("running"), stat);
            assertTrue(stat.contains("- epoch"), stat);
            assertTrue(stat.contains("- frames dropped: wrong cluster"), stat);
            assertTrue(stat.contains("4,242 - transport: frames published"), stat);
            assertTrue(stat.contains("- coordinator of the epoch (member id)"), stat);
            assertTrue(stat.contains("- base owner (member id; -1 before the decision)"), stat);

            out.getBuffer().setLength(0);
            assertEquals(0, run("errors", "--dir", nodeDir.getPath()));
            assertTrue(out.toString().contains("0 distinct errors"), out.toString());
        }
        out.getBuffer().setLength(0);
        assertEquals(0, run("stat", "--dir", nodeDir.getPath()));
        assertTrue(out.toString().contains("closed "), "marked closed after close: " + out);
    }

    @Test
    void aNodeThatDiedWithoutClosingIsToldFromARunningOne() throws Exception
    {
        final File nodeDir = Files.createDirectories(dir.resolve("member-1")).toFile();
        try (NodeStatFile file = NodeStatFile.create(nodeDir, 1, 8, 4096, System.currentTimeMillis()))
        {
            assertEquals(ProcessHandle.current().pid(), file.pid(), "held open, as a running node holds it");
            assertEquals(0, run("stat", "--dir", nodeDir.getPath()), err.toString());
            assertTrue(out.toString().contains(", running"), "this process wrote it and runs: " + out);

            final Process gone = new ProcessBuilder("true").start();
            assertEquals(0, gone.waitFor());
            try (java.io.RandomAccessFile raw = new java.io.RandomAccessFile(new File(nodeDir,
                NodeStatFile.FILE_NAME), "rw"))
            {
                raw.seek(16); // the pid, little-endian: now that of a process that has exited
                raw.write(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .putLong(gone.pid()).array());
            }
            out.getBuffer().setLength(0);
            assertEquals(0, run("stat", "--dir", nodeDir.getPath()), err.toString());
            assertTrue(out.toString().contains("died without closing (no process " + gone.pid()), out.toString());
        }
    }

    /** --watch: every print after the first shows each counter's rise per second since the one before. */
    @Test
    void watchShowsHowFastEachCounterRises() throws Exception
    {
        assertEquals("+1,000/s", StatCommand.rise(1_500, 500, 1_000_000_000L));
        assertEquals("", StatCommand.rise(5, 9, 1_000_000_000L), "a gauge that fell shows no rate");
        assertEquals("", StatCommand.rise(9, 9, 1_000_000_000L));

        final File nodeDir = Files.createDirectories(dir.resolve("member-2")).toFile();
        try (NodeStatFile file = NodeStatFile.create(nodeDir, 2, 8, 4096, System.currentTimeMillis()))
        {
            final org.agrona.concurrent.status.CountersManager manager =
                new org.agrona.concurrent.status.CountersManager(file.metaDataBuffer(), file.valuesBuffer());
            final org.agrona.concurrent.status.AtomicCounter have = manager.newCounter("have", 9001);
            final org.agrona.concurrent.status.CountersReader reader =
                new org.agrona.concurrent.status.CountersReader(file.metaDataBuffer(), file.valuesBuffer());
            have.set(100);
            final StringWriter first = new StringWriter();
            final StatCommand.Rates rates = StatCommand.print(new PrintWriter(first, true), file, reader, null);
            assertTrue(first.toString().contains("100 - have"), first.toString());

            have.set(100 + 5_000);
            final StringWriter second = new StringWriter();
            StatCommand.print(new PrintWriter(second, true), file, reader,
                new StatCommand.Rates(rates.values(), rates.atNs() - 2_000_000_000L)); // as if 2 s had passed
            final String line = second.toString().lines().filter(l -> l.endsWith("- have")).findFirst().orElseThrow();
            assertTrue(line.matches(".*5,100 +\\+2,[0-9]{3}/s - have"), line); // 5,000 in a bit over 2 s
        }
    }

    @Test
    void notANodeDirectoryIsAClearError()
    {
        assertEquals(1, run("stat", "--dir", dir.toString()));
        assertTrue(err.toString().contains("no node-stat.dat in"), err.toString());
        assertEquals(1, run("errors", "--dir", dir.toString()));
    }
}
