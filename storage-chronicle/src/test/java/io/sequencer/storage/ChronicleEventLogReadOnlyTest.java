package io.sequencer.storage;

import io.sequencer.core.EntryType;
import io.sequencer.core.EventLogContract;
import io.sequencer.core.LogEntry;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.sequencer.core.EventLogContract.assertMatches;
import static io.sequencer.storage.ChronicleEventLogDamageTest.DAMAGED;
import static io.sequencer.storage.ChronicleEventLogDamageTest.K;
import static io.sequencer.storage.ChronicleEventLogDamageTest.NEWEST_CYCLE;
import static io.sequencer.storage.ChronicleEventLogDamageTest.TOTAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ChronicleEventLog#openReadOnly}, what the log tools use: whatever the log holds — sound, torn, cut part way
 * by an unroll, damaged, left by a writer that never closed it — the directory's files, sizes, bytes and
 * modification times are the same after the open as before it. The logs are made as {@link
 * ChronicleEventLogDamageTest} makes them; a writer killed for real is {@link CrashTest}'s.
 */
class ChronicleEventLogReadOnlyTest
{
    @TempDir
    Path root;

    /** @return the log's directory, inside the temporary one (some tests need a second directory beside it). */
    private Path directory()
    {
        return root.resolve("log");
    }

    @Test
    void aSoundLogReadsWholeAndNothingChanges() throws IOException
    {
        final List<EventLogContract.Appended> appended = ChronicleEventLogDamageTest.write(directory(), TOTAL);
        final long logId;
        final long lastChk;
        try (ChronicleEventLog writer = ChronicleEventLogDamageTest.open(directory()))
        {
            logId = writer.logId();
            lastChk = writer.chkAt(TOTAL);
        }
        final Map<String, String> before = DirectorySnapshot.of(directory());

        try (ChronicleEventLog log = ChronicleEventLog.openReadOnly(directory()))
        {
            assertFalse(log.damagedAtOpen());
            assertFalse(log.tornWriteAtOpen());
            assertEquals(0, log.droppedAtOpen());
            assertEquals(TOTAL, log.have());
            assertEquals(logId, log.logId());
            assertEquals(lastChk, log.chkAt(TOTAL));
            assertEquals(K, log.entriesPerCycle(), "the layout comes from the log's header");
            assertMatches(log, appended, TOTAL);
        }
        assertEquals(before, DirectorySnapshot.of(directory()));
    }

    @Test
    void everyChangeIsRefused() throws IOException
    {
        ChronicleEventLogDamageTest.write(directory(), TOTAL);
        final Map<String, String> before = DirectorySnapshot.of(directory());

        try (ChronicleEventLog log = ChronicleEventLog.openReadOnly(directory()))
        {
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
            assertReadOnly(assertThrows(IllegalStateException.class,
                () -> log.append(new LogEntry().header(EntryType.EVENT, 9, 9, 1, 9, 9, 9)
                        .payload(payload, 0, 8))), "append");
            assertReadOnly(assertThrows(IllegalStateException.class, () -> log.unrollTo(K, 0)), "unrollTo");
            assertReadOnly(assertThrows(IllegalStateException.class, () -> log.unrollTo(TOTAL, 0)), "unrollTo");
            assertReadOnly(assertThrows(IllegalStateException.class, log::force), "force");
            assertEquals(TOTAL, log.have());
            assertEquals(0, log.forcedPosition(), "a read-only open forces nothing");
            assertTrue(log.read(TOTAL, new LogEntry()));
        }
        assertEquals(before, DirectorySnapshot.of(directory()));
    }

    @Test
    void aTornLastWriteIsReportedAndLeftForTheRepair() throws IOException
    {
        record Torn(String what, List<EventLogContract.Appended> appended, long dropped)
        {
        }

        final Path unfinished = root.resolve("unfinished");
        final Path complete = root.resolve("complete");
        final Torn[] torn = {
            new Torn("an append that never completed", ChronicleEventLogDamageTest.writeWithAnUnfinishedLastAppend(
                unfinished), 0),
            new Torn("a complete last entry that fails its checks", ChronicleEventLogDamageTest
                .writeWithADamagedLastEntry(complete), 1),
        };
        final Path[] directories = {unfinished, complete};
        for (int i = 0; i < torn.length; i++)
        {
            final Path log = directories[i];
            final String what = torn[i].what();
            final Map<String, String> before = DirectorySnapshot.of(log);
            try (ChronicleEventLog readOnly = ChronicleEventLog.openReadOnly(log))
            {
                assertTrue(readOnly.tornWriteAtOpen(), what);
                assertFalse(readOnly.damagedAtOpen(), what + ": " + readOnly.damageReport());
                assertEquals(torn[i].dropped(), readOnly.droppedAtOpen(), what);
                assertEquals(TOTAL - 1, readOnly.have(), what + ": reads stop at the last entry that verifies");
                assertFalse(readOnly.read(TOTAL, new LogEntry()), what);
                assertMatches(readOnly, torn[i].appended(), TOTAL - 1);
            }
            assertEquals(before, DirectorySnapshot.of(log), what + ": nothing cut");
            try (ChronicleEventLog readOnly = ChronicleEventLog.openReadOnly(log))
            {
                assertTrue(readOnly.tornWriteAtOpen(), what + ": the next open finds it again");
            }
        }
        final Path newest = QueueFiles.cycleFile(complete, NEWEST_CYCLE);
        assertEquals(40, QueueFiles.dataDocuments(newest).length, "the torn entry is still on disk");
        try (ChronicleEventLog repair = ChronicleEventLog.openExisting(complete))
        {
            assertEquals(TOTAL - 1, repair.have());
        }
        assertEquals(39, QueueFiles.dataDocuments(newest).length, "the writing open is the one that cuts");
    }

    @Test
    void anInterruptedUnrollIsRefusedNamingTheRepair() throws IOException
    {
        final List<EventLogContract.Appended> appended = ChronicleEventLogDamageTest.write(directory(), TOTAL);
        QueueFiles.interruptUnroll(directory(), K + 5);
        // what a kill while staging leaves beside the intent: a part of the copy
        Files.write(Files.createDirectories(directory().resolve(ChronicleEventLog.STAGING_DIRECTORY))
            .resolve(ChronicleEventLog.cycleFileName(2)), new byte[100]);
        final Map<String, String> before = DirectorySnapshot.of(directory());

        final UnrollInterruptedException ex = assertThrows(UnrollInterruptedException.class,
            () -> ChronicleEventLog.openReadOnly(directory()));
        assertTrue(ex.getMessage().contains("an unroll to entry " + (K + 5) + " was interrupted"), ex.getMessage());
        assertTrue(ex.getMessage().contains("'sequencer log repair --dir " + directory() + "'"), ex.getMessage());
        assertEquals(before, DirectorySnapshot.of(directory()), "neither finished nor cleaned up");

        try (ChronicleEventLog repair = ChronicleEventLog.openExisting(directory()))
        {
            assertTrue(repair.unrollRedoneAtOpen());
            assertEquals(K + 5, repair.have());
            assertMatches(repair, appended, K + 5);
        }
        try (ChronicleEventLog log = ChronicleEventLog.openReadOnly(directory()))
        {
            assertEquals(K + 5, log.have(), "once repaired, the log opens read-only");
        }
    }

    @Test
    void damageInTheMiddleOfTheNewestFileIsReportedAndLeft() throws IOException
    {
        final List<EventLogContract.Appended> appended =
            ChronicleEventLogDamageTest.writeWithDamageInTheNewestFile(directory());
        final Map<String, String> before = DirectorySnapshot.of(directory());

        for (int open = 0; open < 2; open++)
        {
            try (ChronicleEventLog log = ChronicleEventLog.openReadOnly(directory()))
            {
                assertTrue(log.damagedAtOpen(), "open " + open);
                assertFalse(log.tornWriteAtOpen(), "open " + open);
                assertEquals(DAMAGED - 1, log.have(), "open " + open + ": reads stop before the damage");
                assertEquals(TOTAL - (DAMAGED - 1), log.droppedAtOpen(), "open " + open);
                assertTrue(log.damageReport().contains("Opened read-only: nothing is cut, reads stop at entry " +
                    (DAMAGED - 1)), log.damageReport());
                assertFalse(log.read(DAMAGED, new LogEntry()));
                assertMatches(log, appended, DAMAGED - 1);
            }
            assertEquals(before, DirectorySnapshot.of(directory()), "open " + open + ": the evidence stays");
        }
    }

    @Test
    void aCycleFileCutShortIsReportedAndNotExtended() throws IOException
    {
        final List<EventLogContract.Appended> appended = ChronicleEventLogDamageTest.write(directory(), TOTAL);
        final Path middle = QueueFiles.cycleFile(directory(), 3);
        // inside the 11th entry: a writing open's Chronicle would map the file and extend it with zeros
        QueueFiles.truncate(middle, QueueFiles.dataDocuments(middle)[10] + 30);
        final long have = ChronicleEventLogDamageTest.firstOf(3) - 1 + 10;
        final Map<String, String> before = DirectorySnapshot.of(directory());

        try (ChronicleEventLog log = ChronicleEventLog.openReadOnly(directory()))
        {
            assertTrue(log.damagedAtOpen());
            assertEquals(have, log.have());
            assertEquals(TOTAL - have, log.droppedAtOpen(), log.damageReport());
            assertMatches(log, appended, have);
        }
        assertEquals(before, DirectorySnapshot.of(directory()));
    }

    @Test
    void aLogWhoseWriterNeverClosedItOpensReadOnly() throws IOException
    {
        // what a writer that died leaves, as far as one process can show it: mapped files, Chronicle's metadata and
        // appender state as they were mid-run (a writer really killed, mid-append, is CrashTest's)
        // as a member under durability none writes it: seals without an fsync, the next cycle file written ahead
        final ChronicleEventLog writer = ChronicleEventLog.open(
            ChronicleEventLogDamageTest.context(directory()).bootId(1).forceFullCycles(false));
        try
        {
            final List<EventLogContract.Appended> appended = EventLogContract.appendMany(writer, TOTAL, 3);
            // the writer seals its full cycles, and writes the next cycle's file ahead, on a thread of its own: the
            // snapshot is taken once all four seals and the last file written ahead are in
            final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
            final Path ahead = directory().resolve(ChronicleEventLog.QUEUE_DIRECTORY).resolve(
                ChronicleEventLog.precreatedFileName(ChronicleEventLogDamageTest.NEWEST_CYCLE + 1));
            while (CycleSeal.readAll(directory().resolve(CycleSeal.FILE)).size() < 4 || !Files.exists(ahead))
            {
                assertTrue(System.nanoTime() < deadline, "the writer's seals written");
                Thread.onSpinWait();
            }
            final Map<String, String> before = DirectorySnapshot.of(directory());
            try (ChronicleEventLog log = ChronicleEventLog.openReadOnly(directory()))
            {
                assertFalse(log.damagedAtOpen(), log.damageReport());
                assertEquals(TOTAL, log.have());
                assertMatches(log, appended, TOTAL);
            }
            assertEquals(before, DirectorySnapshot.of(directory()));
        }
        finally
        {
            writer.close();
        }
    }

    @Test
    void aDirectoryWithoutALogIsRefusedAndNotCreated() throws IOException
    {
        final Path absent = root.resolve("absent");
        IllegalStateException ex =
            assertThrows(IllegalStateException.class, () -> ChronicleEventLog.openReadOnly(absent));
        assertTrue(ex.getMessage().contains("no event log in " + absent), ex.getMessage());
        assertFalse(Files.exists(absent), "nothing created");

        Files.createDirectories(directory());
        ex = assertThrows(IllegalStateException.class, () -> ChronicleEventLog.openReadOnly(directory()));
        assertTrue(ex.getMessage().contains("no event log in " + directory()), ex.getMessage());
        assertEquals(Map.of("", DirectorySnapshot.of(directory()).get("")), DirectorySnapshot.of(directory()),
            "an empty directory stays empty");
    }

    @Test
    void aLogOfNoEntriesOpensWithoutItsQueue() throws IOException
    {
        ChronicleEventLogDamageTest.open(directory()).close();
        final Map<String, String> before = DirectorySnapshot.of(directory());
        try (ChronicleEventLog log = ChronicleEventLog.openReadOnly(directory()))
        {
            assertEquals(0, log.have());
            assertFalse(log.read(1, new LogEntry()));
            assertEquals(0, log.lastEpochStartPosition());
        }
        assertEquals(before, DirectorySnapshot.of(directory()));
    }

    private static void assertReadOnly(final IllegalStateException ex, final String change)
    {
        assertTrue(ex.getMessage().contains("opened read-only: " + change + " refused"), ex.getMessage());
    }
}
