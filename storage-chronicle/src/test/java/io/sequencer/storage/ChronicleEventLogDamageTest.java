package io.sequencer.storage;

import io.sequencer.core.LogEntry;
import io.sequencer.core.EntryType;
import io.sequencer.core.EventLogContract;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.sequencer.core.EventLogContract.assertMatches;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damage an open must tell from a torn last write, made on real cycle files the way it happens outside the
 * simulator: random bytes written into the middle of a file, a file cut short, a cycle file lost or with its store
 * header destroyed. In each case Chronicle's own reader stops early and reads like the end of the log; the open must
 * still report every entry written after the break as lost and the node as not intact, keep the evidence on disk
 * until the log's first change, and then cut it.
 */
class ChronicleEventLogDamageTest
{
    static final int K = 64;
    /** Five cycle files, the newest with 40 entries. */
    static final int TOTAL = 4 * K + 40;
    static final int NEWEST_CYCLE = 5;
    /** The entry {@link #writeWithDamageInTheNewestFile} damages: the 21st of the newest file's 40. */
    static final long DAMAGED = 4 * K + 21;

    @TempDir
    Path root;

    static ChronicleLogContext context(final Path directory)
    {
        return new ChronicleLogContext().directory(directory).clusterId(9).entriesPerCycle(K).blockSize(256 * 1024);
    }

    static ChronicleEventLog open(final Path directory)
    {
        return ChronicleEventLog.open(context(directory));
    }

    /** An open that walks every cycle file, the seals of full cycles ignored (as {@code log verify} opens). */
    static ChronicleEventLog openWalking(final Path directory)
    {
        return ChronicleEventLog.open(context(directory).verifyWholeLogAtOpen(true));
    }

    static List<EventLogContract.Appended> write(final Path directory, final int count)
    {
        try (ChronicleEventLog log = open(directory))
        {
            return new ArrayList<>(EventLogContract.appendMany(log, count, 5));
        }
    }

    /** @return the first position stored in {@code cycle}. */
    static long firstOf(final int cycle)
    {
        return (long)(cycle - ChronicleEventLog.FIRST_CYCLE) * K + 1;
    }

    /**
     * Write {@link #TOTAL} entries and random bytes over entry {@link #DAMAGED}, in the middle of the newest file.
     *
     * @return the entries written.
     */
    static List<EventLogContract.Appended> writeWithDamageInTheNewestFile(final Path directory) throws IOException
    {
        final List<EventLogContract.Appended> appended = write(directory, TOTAL);
        final Path newest = QueueFiles.cycleFile(directory, NEWEST_CYCLE);
        final long[] documents = QueueFiles.dataDocuments(newest);
        assertEquals(40, documents.length);
        // over the upper half of entry 277's header word and into its body: what Chronicle reads there is no longer
        // a document it can frame, so it stops and reports the end of the queue
        QueueFiles.writeRandom(newest, documents[(int)(DAMAGED - firstOf(NEWEST_CYCLE))] + 2, 64, 0x5EED);
        return appended;
    }

    @Test
    void randomBytesInTheMiddleOfTheNewestCycleFileAreDamageNotATornWrite() throws IOException
    {
        final Path directory = root.resolve("log");
        final List<EventLogContract.Appended> appended = writeWithDamageInTheNewestFile(directory);
        final Path newest = QueueFiles.cycleFile(directory, NEWEST_CYCLE);
        final long damaged = DAMAGED;
        final byte[] before = Files.readAllBytes(newest);

        try (ChronicleEventLog log = open(directory))
        {
            assertTrue(log.damagedAtOpen(), "20 entries lost after the damage: not a torn last write");
            assertEquals(damaged - 1, log.have());
            assertEquals(TOTAL - (damaged - 1), log.droppedAtOpen(), "Chronicle's header counts what was written");
            final String report = log.damageReport();
            assertTrue(report.contains("entry " + damaged + ":") || report.contains("entry " + damaged + " "), report);
            assertTrue(report.contains(ChronicleEventLog.cycleFileName(5)), report);
            assertTrue(report.contains("at least " + (TOTAL - damaged + 1) + " entries lost"), report);
            assertMatches(log, appended, damaged - 1);
        }
        assertArrayEquals(before, Files.readAllBytes(newest), "an open followed by no change leaves the evidence");

        try (ChronicleEventLog log = open(directory))
        {
            assertTrue(log.damagedAtOpen(), "the next open finds the same damage");
            assertEquals(damaged, log.append(new LogEntry().header(EntryType.EVENT, 7, 7, 1, 7, 7, 7)
                    .payload(new UnsafeBuffer(new byte[3]), 0, 3)),
                "the first change cuts the damage, then appends after the last good entry");
        }
        try (ChronicleEventLog log = open(directory))
        {
            assertFalse(log.damagedAtOpen(), "once cut, the damage is gone");
            assertNull(log.damageReport());
            assertEquals(damaged, log.have());
            assertMatches(log, appended, damaged - 1);
        }
    }

    @Test
    void damageOverTheLastEntriesIsToldFromATornWriteByChroniclesHeader() throws IOException
    {
        final Path directory = root.resolve("log");
        final List<EventLogContract.Appended> appended = write(directory, TOTAL);
        final Path newest = QueueFiles.cycleFile(directory, 5);
        final long[] documents = QueueFiles.dataDocuments(newest);
        // the last three entries' bytes, to the end of the written part: no intact entry is left after the break,
        // and the damaged bytes lie within the reach of one torn write
        final long from = documents[37];
        final long end = documents[39] + 8 + ChronicleEventLog.ENTRY_HEADER_LENGTH;
        QueueFiles.write(newest, from, new byte[(int)(end - from)]);

        try (ChronicleEventLog log = open(directory))
        {
            assertTrue(log.damagedAtOpen(), log.toString());
            assertEquals(TOTAL - 3, log.have());
            assertEquals(3, log.droppedAtOpen());
            assertTrue(log.damageReport().contains("Chronicle's store header of " +
                ChronicleEventLog.cycleFileName(5) + " records entry " + TOTAL), log.damageReport());
            assertMatches(log, appended, TOTAL - 3);
        }
    }

    @Test
    void aCycleFileCutShortIsDamage() throws IOException
    {
        record Cut(String what, int cycle, long keptEntries, boolean countKnown)
        {
        }

        final Cut[] cuts = {
            new Cut("inside an entry of the newest file", 5, 25, true),
            new Cut("at an entry's boundary in the newest file", 5, 30, true),
            new Cut("inside the newest file's store header", 5, 0, false),
            new Cut("to two bytes", 5, 0, false),
            new Cut("inside an entry of a middle file", 3, 10, true),
        };
        for (int i = 0; i < cuts.length; i++)
        {
            final Cut cut = cuts[i];
            final Path directory = root.resolve("log-" + i);
            final List<EventLogContract.Appended> appended = write(directory, TOTAL);
            final Path file = QueueFiles.cycleFile(directory, cut.cycle);
            final long[] documents = QueueFiles.dataDocuments(file);
            final long size = switch (i)
            {
                case 0, 4 -> documents[(int)cut.keptEntries] + 30;
                case 1 -> documents[(int)cut.keptEntries];
                case 2 -> 100;
                default -> 2;
            };
            QueueFiles.truncate(file, size);
            final long have = firstOf(cut.cycle) - 1 + cut.keptEntries;

            try (ChronicleEventLog log = open(directory))
            {
                assertTrue(log.damagedAtOpen(), cut.what + ": " + log.damageReport());
                assertEquals(have, log.have(), cut.what);
                if (cut.countKnown)
                {
                    assertEquals(TOTAL - have, log.droppedAtOpen(), cut.what + ": " + log.damageReport());
                }
                assertTrue(log.damageReport().contains(ChronicleEventLog.cycleFileName(cut.cycle)),
                    cut.what + ": " + log.damageReport());
                assertMatches(log, appended, have);
            }
        }
    }

    /** Damage in full cycles, found by an open that walks them (a plain open trusts their seals: see below). */
    @Test
    void laterCycleFilesBeyondADamagedPointCountAsLost() throws IOException
    {
        final String[] damages = {
            "a flipped byte in an entry of cycle 2",
            "the header word of an entry of cycle 2 zeroed, where Chronicle stops reading",
            "cycle file 3 deleted",
            "cycle file 3 emptied",
            "the store header of cycle file 3 zeroed, which Chronicle waits for and then skips",
        };
        final long[] expectedHave = {K + 17, K + 17, 2 * K, 2 * K, 2 * K};
        for (int i = 0; i < damages.length; i++)
        {
            final Path directory = root.resolve("log-" + i);
            final List<EventLogContract.Appended> appended = write(directory, TOTAL);
            final Path second = QueueFiles.cycleFile(directory, 2);
            final Path third = QueueFiles.cycleFile(directory, 3);
            switch (i)
            {
                case 0 -> QueueFiles.write(second, QueueFiles.dataDocuments(second)[17] + 4 + 30, new byte[]{0x55});
                case 1 -> QueueFiles.write(second, QueueFiles.dataDocuments(second)[17], new byte[4]);
                case 2 -> Files.delete(third);
                case 3 -> QueueFiles.truncate(third, 0);
                default -> QueueFiles.write(third, 0, new byte[4]);
            }

            try (ChronicleEventLog log = openWalking(directory))
            {
                assertTrue(log.damagedAtOpen(), damages[i]);
                assertEquals(expectedHave[i], log.have(), damages[i]);
                assertEquals(TOTAL - expectedHave[i], log.droppedAtOpen(), damages[i] + ": " + log.damageReport());
                assertMatches(log, appended, expectedHave[i]);
            }
            try (ChronicleEventLog log = openWalking(directory))
            {
                assertTrue(log.damagedAtOpen(), damages[i] + ": still there while nothing changed the log");
                log.unrollTo(log.have(), 0); // a change: the protocol's unroll to where the log ends cuts the damage
            }
            try (ChronicleEventLog log = openWalking(directory))
            {
                assertFalse(log.damagedAtOpen(), damages[i] + ": cut");
                assertEquals(expectedHave[i], log.have());
                assertFalse(Files.exists(QueueFiles.cycleFile(directory, 4)),
                    damages[i] + ": later cycle files deleted");
            }
        }
    }

    /**
     * Write {@link #TOTAL} entries, the last one as an append killed before it completed leaves it.
     *
     * @return the entries written before it.
     */
    static List<EventLogContract.Appended> writeWithAnUnfinishedLastAppend(final Path directory) throws IOException
    {
        final List<EventLogContract.Appended> appended = write(directory, TOTAL - 1);
        final Path newest = QueueFiles.cycleFile(directory, NEWEST_CYCLE);
        final byte[] storeHeaderBefore = Arrays.copyOf(Files.readAllBytes(newest), 4096);
        try (ChronicleEventLog log = open(directory))
        {
            EventLogContract.appendMany(log, 1, 6);
        }
        // Chronicle writes a document's header word last, then records the document in its store header: an append
        // killed before then leaves the entry's bytes after a zero word, and the store header as it was
        QueueFiles.write(newest, QueueFiles.dataDocuments(newest)[39], new byte[4]);
        QueueFiles.write(newest, 0, storeHeaderBefore);
        return appended;
    }

    /** Write {@link #TOTAL} entries and damage the last one's bytes, as a torn write of a complete document. */
    static List<EventLogContract.Appended> writeWithADamagedLastEntry(final Path directory) throws IOException
    {
        final List<EventLogContract.Appended> appended = write(directory, TOTAL);
        final Path newest = QueueFiles.cycleFile(directory, NEWEST_CYCLE);
        QueueFiles.write(newest, QueueFiles.dataDocuments(newest)[39] + 4 + 40, new byte[]{0x11, 0x22});
        return appended;
    }

    @Test
    void anAppendKilledBeforeItsHeaderWordWasWrittenIsATornWriteNotDamage() throws IOException
    {
        final Path directory = root.resolve("log");
        final List<EventLogContract.Appended> appended = writeWithAnUnfinishedLastAppend(directory);

        try (ChronicleEventLog log = open(directory))
        {
            assertFalse(log.damagedAtOpen(), log.damageReport());
            assertNull(log.damageReport());
            assertTrue(log.tornWriteAtOpen());
            assertEquals(0, log.droppedAtOpen(), "the torn entry never completed: nothing written is lost");
            assertEquals(TOTAL - 1, log.have());
            assertMatches(log, appended, TOTAL - 1);
            // shorter than the torn entry: Chronicle writes over it and leaves the rest of its bytes behind
            assertEquals(TOTAL, log.append(new LogEntry().header(EntryType.EVENT, 8, 8, 1, 8, 8, 8)
                    .payload(new UnsafeBuffer(new byte[0]), 0, 0)));
        }
        try (ChronicleEventLog log = open(directory))
        {
            assertFalse(log.damagedAtOpen(), "what is left of an overwritten torn write: " + log.damageReport());
            assertEquals(TOTAL, log.have());
            assertMatches(log, appended, TOTAL - 1);
        }
    }

    @Test
    void aCompleteLastEntryThatFailsItsChecksumIsOneTornWriteCutAtOnce() throws IOException
    {
        final Path directory = root.resolve("log");
        final List<EventLogContract.Appended> appended = writeWithADamagedLastEntry(directory);
        final Path newest = QueueFiles.cycleFile(directory, NEWEST_CYCLE);

        try (ChronicleEventLog log = open(directory))
        {
            assertFalse(log.damagedAtOpen(), log.damageReport());
            assertTrue(log.tornWriteAtOpen());
            assertEquals(1, log.droppedAtOpen());
            assertEquals(TOTAL - 1, log.have());
        }
        assertEquals(39, QueueFiles.dataDocuments(newest).length, "cut at open: Chronicle would append after it");
        try (ChronicleEventLog log = open(directory))
        {
            assertFalse(log.damagedAtOpen());
            assertEquals(0, log.droppedAtOpen());
            assertMatches(log, appended, TOTAL - 1);
        }
    }

    @Test
    void aPlainOpenWalksOnlyTheCyclesAfterTheSealsAndFindsTheSameLog()
    {
        final Path directory = root.resolve("log");
        final List<EventLogContract.Appended> appended = write(directory, TOTAL);
        try (ChronicleEventLog log = open(directory))
        {
            assertEquals(4, log.sealedCyclesAtOpen(), "the four full cycles are sealed; the newest is walked");
            assertEquals(40, log.entriesWalkedAtOpen());
            assertEquals(TOTAL, log.have());
            assertFalse(log.damagedAtOpen());
            assertMatches(log, appended, TOTAL);
            assertEquals(appended.get(TOTAL - 1).chk(), log.chkAt(TOTAL));
        }
        try (ChronicleEventLog log = openWalking(directory))
        {
            assertEquals(0, log.sealedCyclesAtOpen());
            assertEquals(TOTAL, log.entriesWalkedAtOpen());
        }
    }

    @Test
    void sealsWrittenWithoutForcingTheirCyclesAreTrustedInTheSameBootOnly()
    {
        final Path directory = root.resolve("log");
        final List<EventLogContract.Appended> appended;
        try (ChronicleEventLog log = ChronicleEventLog.open(context(directory).bootId(77).forceFullCycles(false)))
        {
            appended = new ArrayList<>(EventLogContract.appendMany(log, TOTAL, 5));
        }
        final List<CycleSeal> seals = CycleSeal.readAll(directory.resolve(CycleSeal.FILE));
        assertEquals(4, seals.size());
        for (final CycleSeal seal : seals)
        {
            assertEquals(77, seal.bootId, "written without a force, in boot 77");
        }
        try (ChronicleEventLog log = ChronicleEventLog.open(context(directory).bootId(77)))
        {
            assertEquals(4, log.sealedCyclesAtOpen(), "the same boot: the page cache holds what they vouch for");
            assertEquals(40, log.entriesWalkedAtOpen());
            assertMatches(log, appended, TOTAL);
        }
        // another boot (a power loss may have taken pages of those cycles): walked, and sealed again once forced
        try (ChronicleEventLog log = ChronicleEventLog.open(context(directory).bootId(78)))
        {
            assertEquals(0, log.sealedCyclesAtOpen());
            assertEquals(TOTAL, log.entriesWalkedAtOpen());
            assertMatches(log, appended, TOTAL);
        }
        for (final CycleSeal seal : CycleSeal.readAll(directory.resolve(CycleSeal.FILE)))
        {
            assertEquals(0, seal.bootId, "the open forced what it walked and sealed it so");
        }
        try (ChronicleEventLog log = ChronicleEventLog.open(context(directory).bootId(79)))
        {
            assertEquals(4, log.sealedCyclesAtOpen(), "forced seals are trusted in any boot");
        }
    }

    @Test
    void damageInASealedCycleIsFoundByTheReadThatMeetsItAndThenByEveryOpen() throws IOException
    {
        final Path directory = root.resolve("log");
        final List<EventLogContract.Appended> appended = write(directory, TOTAL);
        final Path second = QueueFiles.cycleFile(directory, 2);
        final long damaged = K + 18;
        QueueFiles.write(second, QueueFiles.dataDocuments(second)[17] + 4 + 30, new byte[]{0x55});
        try (ChronicleEventLog log = open(directory))
        {
            assertFalse(log.damagedAtOpen(), "vouched for by its seal: the open does not read cycle 2");
            assertEquals(TOTAL, log.have());
            final IllegalStateException read = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalStateException.class, () -> log.read(damaged, new io.sequencer.core.LogEntry()));
            assertTrue(read.getMessage().contains("entry " + damaged), read.getMessage());
        }
        try (ChronicleEventLog log = open(directory))
        {
            assertTrue(log.damagedAtOpen(), "the read removed the seals from cycle 2 on: the open walks into it");
            assertEquals(1, log.sealedCyclesAtOpen());
            assertEquals(damaged - 1, log.have());
            assertEquals(TOTAL - (damaged - 1), log.droppedAtOpen(), log.damageReport());
            assertMatches(log, appended, damaged - 1);
        }
    }

    @Test
    void aSealThatDoesNotFitItsCycleIsIgnored() throws IOException
    {
        final String[] cases = {
            "the seals file torn inside the third seal", "the seal of another log", "a sealed cycle file cut short",
            "a seal missing in the middle", "a seal that outlived its cycle (another chk at its end)"};
        for (int i = 0; i < cases.length; i++)
        {
            final Path directory = root.resolve("log-" + i);
            final List<EventLogContract.Appended> appended = write(directory, TOTAL);
            final Path sealsFile = directory.resolve(CycleSeal.FILE);
            final List<CycleSeal> seals = new ArrayList<>(CycleSeal.readAll(sealsFile));
            assertEquals(4, seals.size());
            final CycleSeal third = seals.get(2);
            switch (i)
            {
                case 0 -> QueueFiles.truncate(sealsFile, Files.size(sealsFile) * 5 / 8);
                case 1 -> seals.set(2, new CycleSeal(3, third.logId + 1, third.previousChk, third.lastPosition,
                    third.lastChk, third.dataEnd, third.bootId, third.epochStarts));
                case 2 -> QueueFiles.truncate(QueueFiles.cycleFile(directory, 3), third.dataEnd - 10);
                case 3 -> seals.remove(1);
                default ->
                {
                    final CycleSeal fourth = seals.get(3);
                    seals.set(3, new CycleSeal(4, fourth.logId, fourth.previousChk, fourth.lastPosition,
                        fourth.lastChk ^ 1, fourth.dataEnd, fourth.bootId, fourth.epochStarts));
                }
            }
            if (i == 1 || i == 3 || i == 4)
            {
                CycleSeal.writeAll(sealsFile, seals);
            }
            try (ChronicleEventLog log = open(directory))
            {
                final int trusted = switch (i)
                {
                    case 0, 1, 2 -> 2;
                    case 3 -> 1;
                    default -> 3; // cycle 5 does not chain onto the seal of 4: the walk starts from the one before
                };
                assertEquals(trusted, log.sealedCyclesAtOpen(), cases[i]);
                if (i == 2)
                {
                    assertTrue(log.damagedAtOpen(), cases[i] + ": found, as without seals");
                    assertTrue(log.have() < 3 * K, cases[i] + ": " + log.have());
                }
                else
                {
                    assertFalse(log.damagedAtOpen(), cases[i] + ": " + log.damageReport());
                    assertEquals(TOTAL, log.have(), cases[i]);
                    assertMatches(log, appended, TOTAL);
                }
            }
        }
    }

    @Test
    void aCutRemovesTheSealsOfTheCyclesItTouchesAndAppendsSealThemAgain()
    {
        final Path directory = root.resolve("log");
        final List<EventLogContract.Appended> appended = write(directory, TOTAL);
        final Path sealsFile = directory.resolve(CycleSeal.FILE);
        try (ChronicleEventLog log = open(directory))
        {
            log.unrollTo(2 * K + 5, 0);
            assertEquals(List.of(1, 2), sealedCycles(sealsFile), "cycle 3 was rewritten: its seal went first");
            EventLogContract.appendMany(log, 2 * K, 77);
        }
        assertEquals(List.of(1, 2, 3, 4), sealedCycles(sealsFile), "full again: sealed as the next cycles began");
        try (ChronicleEventLog log = open(directory))
        {
            assertEquals(4, log.sealedCyclesAtOpen(), "cycles 3 and 4 sealed again as the appends left them");
            assertEquals(4 * K + 5, log.have());
            assertFalse(log.damagedAtOpen());
            assertMatches(log, appended, 2 * K + 5);
        }
        try (ChronicleEventLog log = openWalking(directory))
        {
            assertEquals(4 * K + 5, log.have(), "the walk agrees");
        }
    }

    @Test
    void aWritingOpenSealsTheFullCyclesItHadToWalk() throws IOException
    {
        final String[] cases = {"the seals file lost", "the seals file torn inside the third seal"};
        for (int i = 0; i < cases.length; i++)
        {
            final Path directory = root.resolve("log-" + i);
            final List<EventLogContract.Appended> appended = write(directory, TOTAL);
            final Path sealsFile = directory.resolve(CycleSeal.FILE);
            if (i == 0)
            {
                Files.delete(sealsFile);
            }
            else
            {
                QueueFiles.truncate(sealsFile, Files.size(sealsFile) * 5 / 8);
            }
            try (ChronicleEventLog log = open(directory))
            {
                assertEquals(i == 0 ? 0 : 2, log.sealedCyclesAtOpen(), cases[i]);
                assertMatches(log, appended, TOTAL);
            }
            assertEquals(List.of(1, 2, 3, 4), sealedCycles(sealsFile), cases[i] + ": sealed again by that open");
            try (ChronicleEventLog log = open(directory))
            {
                assertEquals(4, log.sealedCyclesAtOpen(), cases[i]);
                assertEquals(40, log.entriesWalkedAtOpen());
                assertMatches(log, appended, TOTAL);
            }
        }
    }

    @Test
    void aTornFirstEntryOfANewCycleIsATornWriteFoundFromTheSealBefore() throws IOException
    {
        final Path directory = root.resolve("log");
        final List<EventLogContract.Appended> appended = write(directory, 4 * K + 1);
        final Path fifth = QueueFiles.cycleFile(directory, 5);
        QueueFiles.write(fifth, QueueFiles.dataDocuments(fifth)[0] + 4 + 40, new byte[]{0x11, 0x22});
        try (ChronicleEventLog log = open(directory))
        {
            assertTrue(log.tornWriteAtOpen(), "the append that began cycle 5 was torn");
            assertFalse(log.damagedAtOpen(), log.damageReport());
            assertEquals(4 * K, log.have());
            assertEquals(3, log.sealedCyclesAtOpen(), "cycle 4 walked again to tell a torn write from a stale seal");
            assertMatches(log, appended, 4 * K);
        }
    }

    private static List<Integer> sealedCycles(final Path sealsFile)
    {
        return CycleSeal.readAll(sealsFile).stream().map(seal -> seal.cycle).toList();
    }
}
