package io.sequencer.storage;

import io.sequencer.core.EventLogContract;
import io.sequencer.core.LogEntry;
import io.sequencer.core.runtime.NodeCounters;
import io.sequencer.core.runtime.NodeStatFile;
import org.agrona.IoUtil;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CommittedLogReader} against a member simulated in this process: a writing {@link ChronicleEventLog} in the
 * member's {@code log} directory and a counters file with the two counters a node publishes (its cuts of the log,
 * then {@code g}). The reader hands on exactly the entries at or below {@code g}; after an unroll, which puts a staged
 * copy of a cycle file in place of the one the reader has mapped, it reads the new entries, not the cut ones its old
 * mapping still shows; a member whose log was replaced by one that differs makes it stop with an error.
 */
class CommittedLogReaderTest
{
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(10);

    @TempDir
    Path member;

    private ChronicleEventLog writer;
    private NodeStatFile stat;
    private AtomicCounter cuts;
    private AtomicCounter guaranteed;
    private CommittedLogReader reader;

    @AfterEach
    void close()
    {
        org.agrona.CloseHelper.quietCloseAll(reader, writer, stat);
    }

    @Test
    void handsOnOnlyCommittedEntriesAndTheNewOnesAfterAnUnroll()
    {
        startMember();
        EventLogContract.appendMany(writer, 100, 5);
        publish(0, 70);
        reader = CommittedLogReader.open(member, 1);
        final List<LogEntry> read = new ArrayList<>();
        readUpTo(70, read); // into cycle 2 (entries 65..128): the reader has its file mapped
        assertEquals(70, read.size());
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        assertEquals(0, reader.poll(entry -> read.add(copy(entry)), 100), "nothing above g = 70");

        // an unroll to 80 (entries 81..100 cut; cycle 2's file is replaced by a staged copy), then other entries
        writer.unrollTo(80, 70);
        EventLogContract.appendMany(writer, 40, 7);
        publish(1, 110);
        readUpTo(110, read);
        for (final LogEntry entry : read)
        {
            assertEquals(writer.chkAt(entry.position()), entry.chk(), "entry " + entry.position() + " as the log " +
                "holds it now");
        }
        assertEquals(110, read.size());
        assertEquals(110, read.get(109).position());
    }

    @Test
    void startingLaterChecksTheFirstEntryAgainstTheOneBefore()
    {
        startMember();
        EventLogContract.appendMany(writer, 30, 5);
        publish(0, 30);
        reader = CommittedLogReader.open(member, 11);
        final List<LogEntry> read = new ArrayList<>();
        readUpTo(30, read);
        assertEquals(20, read.size());
        assertEquals(11, read.get(0).position());
        assertEquals(writer.chkAt(11), read.get(0).chk());
    }

    @Test
    void startingRightAboveTheLogsBaseAnchorsOnTheChkKeptThere()
    {
        startMember();
        EventLogContract.appendMany(writer, 100, 5);
        final long chkAt64 = writer.chkAt(64);
        writer.discardUpTo(70); // the first cycle file (entries 1..64) goes: the log starts at 65
        assertEquals(64, writer.base());
        writer.close(); // the background writer records the base before the reader opens
        stat.close();
        startMember();
        publish(0, 100);
        reader = CommittedLogReader.open(member, 65); // a checkpoint at 64, the base: where a snapshot thread starts
        final List<LogEntry> read = new ArrayList<>();
        readUpTo(100, read);
        assertEquals(36, read.size());
        assertEquals(65, read.get(0).position());
        assertEquals(read.get(0).expectedChk(chkAt64), read.get(0).chk(),
            "the first entry chains onto the chk kept at the base");

        final CommittedLogReader below = CommittedLogReader.open(member, 10);
        try
        {
            assertThrows(io.sequencer.core.RecoveredFault.class, () -> below.poll(entry -> {}, 10),
                "entries below the base are gone: told, not waited for");
        }
        finally
        {
            below.close();
        }
    }

    @Test
    void aReplacedLogThatDiffersStopsTheReader()
    {
        startMember();
        EventLogContract.appendMany(writer, 50, 5);
        publish(0, 50);
        reader = CommittedLogReader.open(member, 1);
        readUpTo(50, new ArrayList<>());

        // the member's disk is replaced by a log of other entries, and it restarts (a new counters file)
        writer.close();
        stat.close();
        IoUtil.delete(member.resolve(NodeStorage.LOG_DIRECTORY).toFile(), false);
        startMember();
        EventLogContract.appendMany(writer, 80, 9);
        publish(0, 80);
        final long deadline = System.nanoTime() + DEADLINE_NS;
        final IllegalStateException refused = assertThrows(IllegalStateException.class, () ->
        {
            while (System.nanoTime() - deadline < 0)
            {
                reader.poll(entry -> {}, 100);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        });
        assertTrue(refused.getMessage().contains("was replaced and differs from what was read before at entry 50"),
            refused.getMessage());
    }

    /**
     * {@link CommittedLogReader#poll} allocates nothing once warm: of four windows of 5,000 entries after 20,000 of
     * warm-up, at least one allocates no byte at all (a steady allocation per entry or per poll would show in every
     * window; once in a while the JVM's own warm-up charges the thread a few bytes).
     */
    @Test
    void pollAllocatesNothing()
    {
        writer = ChronicleEventLog.open(new ChronicleLogContext().directory(member.resolve(NodeStorage.LOG_DIRECTORY))
            .clusterId(9));
        startCounters();
        EventLogContract.appendMany(writer, 40_000, 5);
        publish(0, 40_000);
        reader = CommittedLogReader.open(member, 1);
        final long[] sum = { 0 };
        final io.sequencer.core.CommittedEntries.Handler handler = entry -> sum[0] += entry.chk();
        while (reader.nextPosition() <= 20_000)
        {
            reader.poll(handler, 100); // warm: compiled, the cycle file mapped
        }
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().getId();
        final long measuring = threads.getThreadAllocatedBytes(threadId);
        final long cost = threads.getThreadAllocatedBytes(threadId) - measuring; // what one reading allocates
        final long[] windows = new long[4];
        for (int w = 0; w < windows.length; w++)
        {
            final long before = threads.getThreadAllocatedBytes(threadId);
            final long end = 20_000 + 5_000L * (w + 1);
            while (reader.nextPosition() <= end)
            {
                reader.poll(handler, 100);
            }
            windows[w] = threads.getThreadAllocatedBytes(threadId) - before - cost;
        }
        assertEquals(0, java.util.Arrays.stream(windows).min().getAsLong(), "bytes allocated in each window of 5,000 " +
            "entries: " + java.util.Arrays.toString(windows) + " (checksum sum " + sum[0] + ")");
    }

    private void startMember()
    {
        writer = ChronicleEventLog.open(ChronicleEventLogDamageTest.context(member.resolve(NodeStorage.LOG_DIRECTORY)));
        startCounters();
    }

    private void startCounters()
    {
        stat = NodeStatFile.create(member.toFile(), 0, 8, 4096, System.currentTimeMillis());
        final CountersManager counters = new CountersManager(stat.metaDataBuffer(), stat.valuesBuffer());
        cuts = counters.newCounter(NodeCounters.LOG_CUTS_LABEL);
        guaranteed = counters.newCounter(NodeCounters.GUARANTEED_LABEL);
    }

    /** As a node publishes them: the cuts, then g. */
    private void publish(final long logCuts, final long g)
    {
        cuts.setRelease(logCuts);
        guaranteed.setRelease(g);
    }

    private void readUpTo(final long position, final List<LogEntry> read)
    {
        final long deadline = System.nanoTime() + DEADLINE_NS;
        while (reader.nextPosition() <= position)
        {
            assertTrue(System.nanoTime() - deadline < 0, "read up to " + (reader.nextPosition() - 1) + " of " +
                position);
            if (reader.poll(entry -> read.add(copy(entry)), 100) == 0)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
    }

    private static LogEntry copy(final LogEntry entry)
    {
        final byte[] payload = new byte[entry.payloadLength()];
        entry.payload().getBytes(entry.payloadOffset(), payload);
        return new LogEntry().set(entry.position(), entry.type(), entry.epoch(), entry.counter(), entry.originId(),
            entry.incarnation(), entry.localSeq(), entry.timestamp(), entry.chk(),
            new org.agrona.concurrent.UnsafeBuffer(payload), 0, payload.length);
    }
}
