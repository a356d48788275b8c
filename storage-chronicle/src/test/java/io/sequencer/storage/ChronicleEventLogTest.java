package io.sequencer.storage;

import io.sequencer.core.EntryType;
import io.sequencer.core.EventLogContract;
import io.sequencer.core.LogEntry;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the contract cannot see: the directory layout, the refusal of foreign directories, the redo of an
 * interrupted unroll, checksums verified on read, and the allocation-free append and read.
 */
class ChronicleEventLogTest
{
    private static final int K = ChronicleEventLogContractTest.ENTRIES_PER_CYCLE;

    @TempDir
    Path directory;

    private ChronicleEventLog open()
    {
        return ChronicleEventLog.open(ChronicleEventLogContractTest.context(directory));
    }

    @Test
    void positionsMapToCycleFilesByArithmetic() throws IOException
    {
        try (ChronicleEventLog log = open())
        {
            EventLogContract.appendMany(log, 3 * K + 1, 1);

            assertEquals(List.of("19700102F.cq4", "19700103F.cq4", "19700104F.cq4", "19700105F.cq4"), cycleFiles());
            assertEquals(log.indexOf(K + 1), log.indexOf(K) + (1L << 32) - (K - 1),
                "the first position of a cycle is sequence 0 of the next cycle");
            assertEquals(1, ChronicleEventLog.cycleOfFileName(ChronicleEventLog.cycleFileName(1)));
            assertEquals(-1, ChronicleEventLog.cycleOfFileName("metadata.cq4t"));
        }
    }

    @Test
    void unrollRewritesOnlyTheCycleItCutsAndDeletesTheLaterOnes() throws IOException
    {
        try (ChronicleEventLog log = open())
        {
            EventLogContract.appendMany(log, 5 * K, 1);
            final Object firstBefore = fileKey("19700102F.cq4");
            final Object cutBefore = fileKey("19700103F.cq4");

            log.unrollTo(K + 3, 0);

            assertEquals(List.of("19700102F.cq4", "19700103F.cq4"), cycleFiles());
            assertEquals(firstBefore, fileKey("19700102F.cq4"), "cycles below the cut are not touched");
            assertNotEquals(cutBefore, fileKey("19700103F.cq4"), "the cut cycle is a rewritten file");
            assertFalse(Files.exists(directory.resolve(ChronicleEventLog.INTENT_FILE)));
            assertFalse(Files.exists(directory.resolve(ChronicleEventLog.STAGING_DIRECTORY)));

            log.unrollTo(K, 0);
            assertEquals(List.of("19700102F.cq4"), cycleFiles(), "a cut at a cycle's end copies nothing");
            assertEquals(firstBefore, fileKey("19700102F.cq4"));
        }
    }

    @Test
    void refusesADirectoryOfAnotherCluster()
    {
        open().close();

        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> ChronicleEventLog.open(
            ChronicleEventLogContractTest.context(directory).clusterId(ChronicleEventLogContractTest.CLUSTER_ID + 1)));
        assertTrue(ex.getMessage().contains("belongs to cluster " + ChronicleEventLogContractTest.CLUSTER_ID),
            ex.getMessage());
    }

    @Test
    void refusesAnotherFormatVersionOrCycleSize()
    {
        open().close();
        final Path header = directory.resolve(ChronicleEventLog.HEADER_FILE);

        new LogHeader(ChronicleEventLog.FORMAT_VERSION + 1, ChronicleEventLogContractTest.CLUSTER_ID, K, 16, 1)
            .write(header);
        IllegalStateException ex = assertThrows(IllegalStateException.class, this::open);
        assertTrue(ex.getMessage().contains("format version " + (ChronicleEventLog.FORMAT_VERSION + 1)),
            ex.getMessage());

        new LogHeader(ChronicleEventLog.FORMAT_VERSION, ChronicleEventLogContractTest.CLUSTER_ID, 2 * K, 16, 1)
            .write(header);
        ex = assertThrows(IllegalStateException.class, this::open);
        assertTrue(ex.getMessage().contains("entries per cycle"), ex.getMessage());
    }

    @Test
    void refusesALogOfTheFirstFormatNamingItsVersion() throws IOException
    {
        open().close();
        // version 1: magic, version, cluster, entries per cycle, index spacing, CRC; no log identity
        final ByteBuffer v1 = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        v1.putLong(LogHeader.MAGIC).putInt(1).putInt(ChronicleEventLogContractTest.CLUSTER_ID).putInt(K).putInt(16);
        final CRC32C crc = new CRC32C();
        crc.update(v1.array(), 0, 24);
        v1.putLong(crc.getValue());
        Files.write(directory.resolve(ChronicleEventLog.HEADER_FILE), v1.array());

        final IllegalStateException ex = assertThrows(IllegalStateException.class, this::open);
        assertTrue(ex.getMessage().contains("format version 1;"), ex.getMessage());
        assertTrue(ex.getMessage().contains("reads version " + ChronicleEventLog.FORMAT_VERSION + " only"),
            ex.getMessage());
    }

    @Test
    void logIdIsChosenAtCreationKeptAcrossOpensAndNewForALogCreatedAnew()
    {
        final long logId;
        try (ChronicleEventLog log = open())
        {
            logId = log.logId();
            assertNotEquals(0, logId);
            EventLogContract.appendMany(log, 3, 1);
        }
        try (ChronicleEventLog log = open())
        {
            assertEquals(logId, log.logId(), "reopening keeps the identity");
            log.unrollTo(0, 0);
            assertEquals(logId, log.logId(), "an unroll keeps the identity: it is the same log, cut");
        }

        DurableFiles.deleteTree(directory); // the whole log directory lost
        try (ChronicleEventLog log = open())
        {
            assertEquals(0, log.have());
            assertNotEquals(0, log.logId());
            assertNotEquals(logId, log.logId(), "a log created anew is another log");
        }
    }

    @Test
    void refusesQueueFilesWithoutAHeaderOrWithADamagedOne() throws IOException
    {
        try (ChronicleEventLog log = open())
        {
            EventLogContract.appendMany(log, 3, 1);
        }
        final Path header = directory.resolve(ChronicleEventLog.HEADER_FILE);
        final byte[] bytes = Files.readAllBytes(header);

        bytes[12] ^= 1;
        Files.write(header, bytes);
        IllegalStateException ex = assertThrows(IllegalStateException.class, this::open);
        assertTrue(ex.getMessage().contains("damaged"), ex.getMessage());

        Files.delete(header);
        ex = assertThrows(IllegalStateException.class, this::open);
        assertTrue(ex.getMessage().contains("missing"), ex.getMessage());
    }

    @Test
    void unrollInterruptedWhileStagingIsRedoneAtOpen()
    {
        final List<EventLogContract.Appended> appended;
        try (ChronicleEventLog log = open())
        {
            appended = EventLogContract.appendMany(log, 4 * K, 1);
        }
        new UnrollIntent(2 * K + 5, UnrollIntent.PHASE_STAGING).write(directory.resolve(ChronicleEventLog.INTENT_FILE));

        try (ChronicleEventLog log = open())
        {
            assertTrue(log.unrollRedoneAtOpen());
            assertEquals(2 * K + 5, log.have());
            assertFalse(log.damagedAtOpen());
            EventLogContract.assertMatches(log, appended, 2 * K + 5);
        }
    }

    @Test
    void unrollInterruptedWhileSwappingIsRedoneAtOpen()
    {
        final List<EventLogContract.Appended> appended;
        try (ChronicleEventLog log = open())
        {
            appended = EventLogContract.appendMany(log, 4 * K, 1);
        }
        // at a cycle's end the swap only deletes; in mid-cycle without a staged copy the redo still ends cut
        new UnrollIntent(2 * K, UnrollIntent.PHASE_SWAPPING).write(directory.resolve(ChronicleEventLog.INTENT_FILE));
        try (ChronicleEventLog log = open())
        {
            assertTrue(log.unrollRedoneAtOpen());
            assertEquals(2 * K, log.have());
        }
        new UnrollIntent(K + 2, UnrollIntent.PHASE_SWAPPING).write(directory.resolve(ChronicleEventLog.INTENT_FILE));
        try (ChronicleEventLog log = open())
        {
            assertEquals(K + 2, log.have());
            EventLogContract.assertMatches(log, appended, K + 2);
        }
    }

    @Test
    void readVerifiesTheChecksumOfBytesDamagedAfterOpen() throws IOException
    {
        try (ChronicleEventLog log = open())
        {
            EventLogContract.appendMany(log, K + 4, 1);
            final long chk = log.chkAt(3);
            // the file is mapped: a write through the file system is what the mapping reads next
            QueueFiles.flipByteAfter(
                directory.resolve(ChronicleEventLog.QUEUE_DIRECTORY).resolve("19700102F.cq4"), chk, 8);

            final IllegalStateException ex =
                assertThrows(IllegalStateException.class, () -> log.read(3, new LogEntry()));
            assertTrue(ex.getMessage().contains("entry 3 fails its CRC32C"), ex.getMessage());
            assertTrue(log.read(4, new LogEntry()), "the other entries still verify");
        }
    }

    /**
     * The space an append reserves after an open starts at the last entry's end, where Chronicle may have written an
     * index array (after the entry that needed it): the reservation must leave it as it was. With index arrays every
     * 4,096 entries (index spacing 1), the log is closed right after the entry whose append wrote one, its end moved
     * by the first entry's length; after each reopen, 100 more appends, and every entry reads back through the index.
     * Reserving with zeros from the entry's end instead fails here (Chronicle: "Meta data not ready").
     */
    @Test
    void aReservationAfterAnOpenLeavesWhatChronicleWroteAfterTheLastEntryAsItWas() throws IOException
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[1024]);
        final LogEntry appending = new LogEntry();
        final LogEntry entry = new LogEntry();
        final int arrayEntries = 4096;
        for (int shift = 0; shift <= 192; shift += 64)
        {
            final Path dir = Files.createDirectory(directory.resolve("shift-" + shift));
            final ChronicleLogContext context = new ChronicleLogContext().directory(dir).clusterId(1)
                .entriesPerCycle(1 << 14).indexSpacing(1);
            try (ChronicleEventLog log = ChronicleEventLog.open(context))
            {
                for (long p = 1; p <= arrayEntries + 1; p++)
                {
                    payload.putLong(0, p);
                    log.append(appending.header(EntryType.EVENT, 1, p, 1, 1, p, p)
                        .payload(payload, 0, p == 1 ? 16 + shift : 16));
                }
            }
            try (ChronicleEventLog log = ChronicleEventLog.open(context))
            {
                for (long p = arrayEntries + 2; p <= arrayEntries + 101; p++)
                {
                    payload.putLong(0, p);
                    log.append(appending.header(EntryType.EVENT, 1, p, 1, 1, p, p).payload(payload, 0, 16));
                }
                for (long p = arrayEntries + 101; p >= 1; p--)
                {
                    assertTrue(log.read(p, entry), "entry " + p + " with the first entry " + shift + " bytes longer");
                    assertEquals(p, entry.payload().getLong(entry.payloadOffset()), "entry " + p);
                }
            }
        }
    }

    @Test
    void appendAndReadAllocateNothingOnceWarm()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final UnsafeBuffer payload = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        final UnsafeBuffer heapPayload = new UnsafeBuffer(new byte[64]);
        final LogEntry entry = new LogEntry();
        final LogEntry appending = new LogEntry();
        // one cycle file for the whole test: rolling to a new cycle creates Chronicle's store objects (about 20 KB,
        // once per entriesPerCycle appends); within a cycle nothing is allocated once the JIT has settled
        try (ChronicleEventLog log = ChronicleEventLog.open(new ChronicleLogContext()
            .directory(directory).clusterId(1).entriesPerCycle(1 << 20)))
        {
            runAppendsAndReads(log, payload, heapPayload, appending, entry, 200_000);
            // Up to three measured rounds: what appends or reads allocate shows in every round, while a one-off of
            // the JVM on this thread (a recompilation) failed one fresh-clone run in several with 584 bytes.
            long allocated = -1;
            int rounds = 0;
            while (allocated != 0 && rounds < 3)
            {
                final long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
                runAppendsAndReads(log, payload, heapPayload, appending, entry, 20_000);
                allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
                rounds++;
            }

            assertEquals(200_000 + rounds * 20_000L, log.have());
            assertEquals(0, allocated, "bytes allocated by 20,000 appends, sequential and random reads");
        }
    }

    private static void runAppendsAndReads(
        final ChronicleEventLog log,
        final UnsafeBuffer payload,
        final UnsafeBuffer heapPayload,
        final LogEntry appending,
        final LogEntry entry,
        final int count)
    {
        long sum = 0;
        for (int i = 0; i < count; i++)
        {
            final long position = log.append(appending.header(EntryType.EVENT, 1, i, 1, 1, i, 1_000 + i)
                .payload((i & 1) == 0 ? payload : heapPayload, 0, 64));
            log.read(position, entry);
            sum += entry.counter();
            log.read(1 + (position * 7919) % position, entry);
            sum += log.chkAt(1 + (position * 31) % position);
        }
        assertNotEquals(0, sum);
    }

    @Test
    void discardDeletesWholeCycleFilesAndAnOpenDeletesThoseACrashLeft() throws IOException
    {
        final Path kept = directory.resolveSibling(directory.getFileName() + "-kept");
        try (ChronicleEventLog log = open())
        {
            EventLogContract.appendMany(log, 4 * K + 2, 1);
            DurableFiles.deleteTree(kept);
            copyCycleFiles(directory.resolve(ChronicleEventLog.QUEUE_DIRECTORY), kept); // every cycle file, before
            log.discardUpTo(2 * K + 5);
            assertEquals(2 * K, log.base());
        }
        assertEquals(List.of("19700104F.cq4", "19700105F.cq4", "19700106F.cq4"), cycleFiles());

        // a crash after the base was recorded, before the files below it were deleted
        copyCycleFiles(kept, directory.resolve(ChronicleEventLog.QUEUE_DIRECTORY));
        try (ChronicleEventLog log = open())
        {
            assertEquals(2 * K, log.base());
            assertEquals(4 * K + 2, log.have());
            assertFalse(log.damagedAtOpen());
        }
        assertEquals(List.of("19700104F.cq4", "19700105F.cq4", "19700106F.cq4"), cycleFiles());
        DurableFiles.deleteTree(kept);
    }

    @Test
    void discardingEveryEpochStartOfAFullIndexStillTakesTheNextOne()
    {
        try (ChronicleEventLog log = open())
        {
            final UnsafeBuffer members = new UnsafeBuffer(new byte[8]);
            for (int epoch = 1; epoch <= 16; epoch++) // exactly fills the index's first array
            {
                log.append(new LogEntry().header(EntryType.EPOCH_START, epoch, 0, 1, 0, 0, 0).payload(members, 0, 8));
            }
            EventLogContract.appendMany(log, 2 * K, 1);
            log.discardUpTo(2 * K);
            assertEquals(16, log.baseEpoch());
            assertEquals(0, log.lastEpochStartPosition());

            final long position = log.append(new LogEntry().header(EntryType.EPOCH_START, 17, 0, 1, 0, 0, 0)
                    .payload(members, 0, 8));
            assertEquals(position, log.lastEpochStartPosition());
        }
    }

    @Test
    void aResetInterruptedBeforeItsRecordWasRenamedIsFinishedAtOpen() throws IOException
    {
        final long logId;
        try (ChronicleEventLog log = open())
        {
            EventLogContract.appendMany(log, 3 * K, 1);
            logId = log.logId();
        }
        // the crash: the new base recorded, the old cycle files and seals still there
        new LogBase(logId, 5L * K, 0x77L, 9).write(directory.resolve(LogBase.NEXT_FILE));

        try (ChronicleEventLog log = open())
        {
            assertEquals(5 * K, log.base());
            assertEquals(5 * K, log.have());
            assertEquals(0x77L, log.chkAt(5 * K));
            assertEquals(9, log.baseEpoch());
            assertFalse(log.damagedAtOpen());
            EventLogContract.appendMany(log, 2, 2);
        }
        assertFalse(Files.exists(directory.resolve(LogBase.NEXT_FILE)));
        assertEquals(List.of("19700107F.cq4"), cycleFiles());
    }

    @Test
    void aDamagedBaseRecordRefusesTheOpenWithWhatToDo() throws IOException
    {
        try (ChronicleEventLog log = open())
        {
            EventLogContract.appendMany(log, 3 * K, 1);
            log.discardUpTo(K);
        }
        final Path base = directory.resolve(LogBase.FILE);
        final byte[] bytes = Files.readAllBytes(base);
        bytes[20] ^= 0x10;
        Files.write(base, bytes);

        final IllegalStateException refused = assertThrows(IllegalStateException.class, this::open);
        assertTrue(refused.getMessage().contains("Wipe this member's directory"), refused.getMessage());
        assertThrows(IllegalStateException.class, () -> ChronicleEventLog.openReadOnly(directory));
    }

    @Test
    void aFollowerAskedForAnEntryBelowTheBaseIsToldItIsGone()
    {
        try (ChronicleEventLog log = open())
        {
            EventLogContract.appendMany(log, 3 * K, 1);
            log.discardUpTo(K);
        }
        try (ChronicleEventLog follower = ChronicleEventLog.openFollowing(directory))
        {
            final LogEntry entry = new LogEntry();
            assertTrue(follower.read(K + 1, entry));
            final RuntimeException gone = assertThrows(RuntimeException.class, () -> follower.read(K, entry));
            assertTrue(gone instanceof io.sequencer.core.RecoveredFault, gone.toString());
        }
    }

    @Test
    void theNextCycleFileIsWrittenAheadOverHalfTheTimeTheLastCycleTook() throws IOException
    {
        final java.util.concurrent.atomic.AtomicLong nowNs = new java.util.concurrent.atomic.AtomicLong();
        try (ChronicleEventLog log = openTimedBy(nowNs))
        {
            final Path building = rollAfterACycleOfTwoSeconds(log, nowNs); // cycle 3's file: over the next second
            final long stillUntilNs = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(200);
            while (System.nanoTime() < stillUntilNs)
            {
                assertEquals(64 * 1024, Files.size(building), "no more while the clock stands still");
                Thread.onSpinWait();
            }
            nowNs.addAndGet(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(999));
            assertEquals(1 << 20, Files.size(awaitFile(ChronicleEventLog.precreatedFileName(3))),
                "whole once half of cycle 1's time has gone by");
            assertFalse(Files.exists(building));
            assertEquals(0, log.precreatedBytesForced(), "under none nothing written ahead is forced");
        }
    }

    @Test
    void forcesOnTheForcerThreadKeepUpWithAppendsCutsAndDiscards()
    {
        final java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        final long have;
        final long chk;
        try (ChronicleEventLog log = open())
        {
            for (int round = 0; round < 300; round++)
            {
                EventLogContract.appendMany(log, 1 + random.nextInt(K), round);
                log.requestForce(); // returns at once: the forcer forces while this thread goes on
                assertTrue(log.forcedPosition() <= log.have());
                final int change = random.nextInt(20);
                if (change == 0 && log.have() > log.base() + 1)
                {
                    // a cut while a force of the entries it removes may be running
                    log.unrollTo(log.have() - 1 - random.nextInt((int)Math.min(K, log.have() - log.base() - 1)), 0);
                    assertTrue(log.forcedPosition() <= log.have(), "nothing cut counts as forced");
                }
                else if (change == 1 && log.have() > K)
                {
                    log.discardUpTo(log.have() - K); // whole cycle files deleted behind the forces
                }
            }
            log.force();
            assertEquals(log.have(), log.forcedPosition());
            have = log.have();
            chk = log.chkAt(have);
        }
        try (ChronicleEventLog log = open())
        {
            assertFalse(log.damagedAtOpen());
            assertEquals(have, log.have());
            assertEquals(chk, log.chkAt(have));
        }
    }

    @Test
    void underBatchTheCycleFileWrittenAheadIsForcedBeforeItIsReady() throws IOException
    {
        final java.util.concurrent.atomic.AtomicLong nowNs = new java.util.concurrent.atomic.AtomicLong();
        // durability batch: full cycles forced, and so the zeros written ahead, or the first force after the roll
        // would write them back
        try (ChronicleEventLog log = ChronicleEventLog.open(ChronicleEventLogContractTest.context(directory)
            .entriesPerCycle(TIMED_K).forceFullCycles(true).nanoClock(nowNs::get)))
        {
            EventLogContract.appendMany(log, 1, 1);
            awaitFile(ChronicleEventLog.precreatedFileName(2));
            assertEquals(1 << 20, log.precreatedBytesForced(), "forced before it is renamed ready");

            EventLogContract.appendMany(log, TIMED_K, 2); // the roll into it, and the next one written ahead
            awaitFile(ChronicleEventLog.precreatedFileName(3));
            assertEquals(2 << 20, log.precreatedBytesForced());
            log.force();
            assertEquals(TIMED_K + 1, log.forcedPosition());
        }
        try (ChronicleEventLog log = ChronicleEventLog.open(ChronicleEventLogContractTest.context(directory)
            .entriesPerCycle(TIMED_K)))
        {
            assertEquals(TIMED_K + 1, log.have(), "the cycle written ahead holds what was appended into it");
            assertFalse(log.damagedAtOpen());
        }
    }

    @Test
    void aBurstHasTheNextCycleFileWrittenAheadByTheTimeItsCycleIsHalfFull() throws IOException
    {
        final java.util.concurrent.atomic.AtomicLong nowNs = new java.util.concurrent.atomic.AtomicLong();
        try (ChronicleEventLog log = openTimedBy(nowNs))
        {
            final Path building = rollAfterACycleOfTwoSeconds(log, nowNs);
            EventLogContract.appendMany(log, TIMED_K / 2 - 1, 2); // half of cycle 2 in no time at all

            assertEquals(1 << 20, Files.size(awaitFile(ChronicleEventLog.precreatedFileName(3))),
                "whole, with the clock standing still");
            assertFalse(Files.exists(building));
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(30)
    void aCloseGivesUpTheCycleFileBeingWrittenAheadAndLeavesNoneBehind() throws IOException
    {
        final java.util.concurrent.atomic.AtomicLong nowNs = new java.util.concurrent.atomic.AtomicLong();
        final ChronicleEventLog log = openTimedBy(nowNs);
        rollAfterACycleOfTwoSeconds(log, nowNs);

        log.close(); // the clock stands still: a close that waited for the writing ahead would wait a minute and fail

        try (Stream<Path> files = Files.list(directory.resolve(ChronicleEventLog.QUEUE_DIRECTORY)))
        {
            assertEquals(List.of(), files.map(f -> f.getFileName().toString())
                .filter(n -> n.endsWith(ChronicleEventLog.PRECREATING_SUFFIX) || n.endsWith(".precreated"))
                .collect(Collectors.toList()));
        }
        assertEquals(List.of("19700102F.cq4", "19700103F.cq4"), cycleFiles(), "no file for cycle 3");
    }

    /** Entries a cycle in the tests of the writing ahead: enough for one entry to be less than a chunk's share. */
    private static final int TIMED_K = 64;

    /** A log under durability {@code none} (it writes the next cycle file ahead) on the clock {@code nowNs}. */
    private ChronicleEventLog openTimedBy(final java.util.concurrent.atomic.AtomicLong nowNs)
    {
        return ChronicleEventLog.open(ChronicleEventLogContractTest.context(directory).entriesPerCycle(TIMED_K)
            .bootId(1).forceFullCycles(false).nanoClock(nowNs::get));
    }

    /**
     * Cycle 1 appended in 2 s of {@code nowNs}, then the first entry of cycle 2: cycle 3's file is then written ahead
     * over a second, or as cycle 2 fills. Returns that file being written, once its first 64 KiB are in (written at
     * once).
     */
    private Path rollAfterACycleOfTwoSeconds(
        final ChronicleEventLog log, final java.util.concurrent.atomic.AtomicLong nowNs) throws IOException
    {
        EventLogContract.appendMany(log, TIMED_K, 1); // cycle 2's file written ahead at once: no cycle timed yet
        awaitFile(ChronicleEventLog.precreatedFileName(2));
        nowNs.set(java.util.concurrent.TimeUnit.SECONDS.toNanos(2));
        EventLogContract.appendMany(log, 1, 2);
        final Path building = awaitFile(ChronicleEventLog.PRECREATING_SUFFIX);
        awaitSize(building, 64 * 1024);
        return building;
    }

    /** The queue directory's file whose name ends with {@code suffix}, once there (a name ends with itself). */
    private Path awaitFile(final String suffix) throws IOException
    {
        final long deadlineNs = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (true)
        {
            try (Stream<Path> files = Files.list(directory.resolve(ChronicleEventLog.QUEUE_DIRECTORY)))
            {
                final java.util.Optional<Path> file =
                    files.filter(f -> f.getFileName().toString().endsWith(suffix)).findFirst();
                if (file.isPresent())
                {
                    return file.get();
                }
            }
            assertTrue(System.nanoTime() < deadlineNs, "no file ending " + suffix + " within 20 s");
            Thread.onSpinWait();
        }
    }

    private static void awaitSize(final Path file, final long size) throws IOException
    {
        final long deadlineNs = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (Files.size(file) < size)
        {
            assertTrue(System.nanoTime() < deadlineNs, file + " not " + size + " bytes within 20 s");
            Thread.onSpinWait();
        }
    }

    /** The cycle files only: the next one, being written ahead meanwhile, may be renamed between list and copy. */
    private static void copyCycleFiles(final Path from, final Path to) throws IOException
    {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from))
        {
            for (final Path file : files.filter(f -> f.getFileName().toString().endsWith(".cq4"))
                .collect(Collectors.toList()))
            {
                Files.copy(file, to.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private List<String> cycleFiles() throws IOException
    {
        try (Stream<Path> files = Files.list(directory.resolve(ChronicleEventLog.QUEUE_DIRECTORY)))
        {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".cq4")).sorted()
                .collect(Collectors.toList());
        }
    }

    private Object fileKey(final String name) throws IOException
    {
        return Files.readAttributes(directory.resolve(ChronicleEventLog.QUEUE_DIRECTORY).resolve(name),
            BasicFileAttributes.class).fileKey();
    }
}
