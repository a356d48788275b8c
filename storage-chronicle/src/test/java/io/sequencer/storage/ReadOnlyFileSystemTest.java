package io.sequencer.storage;

import io.sequencer.core.EntryType;
import io.sequencer.core.LogEntry;
import io.sequencer.core.LogUnwritableException;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The log under durability {@code none} on a file system that an error turns read-only (ext4, {@code
 * errors=remount-ro}, on a loop device: root only, skipped elsewhere saying why). What the log appended but the file
 * system had not written back is never written, and is gone once the operator unmounts, checks and mounts it again,
 * in the same boot: so the boot id no longer tells the member that its tail may be gone. The log notices the refusal
 * (its check every 100 ms, or the next space reservation), refuses every later append, and records the failure
 * ({@link WriteFailureMarker}) so that its next open in this boot runs under another boot id: it trusts none of the
 * seals it wrote without an fsync, and its member comes back not intact. Before, such a log went on appending into
 * pages it would never write until its next reservation, up to a cycle later, and came back in the same boot as if
 * nothing had happened.
 */
class ReadOnlyFileSystemTest
{
    private static final long MACHINE_BOOT_ID = 0x600d_b007L;
    private static final int ENTRIES_PER_CYCLE = 1024;
    private static final long WRITTEN_BACK = 5L * ENTRIES_PER_CYCLE + 100;

    @TempDir
    Path temp;

    /**
     * @param appendOn true: appends go on after the failure, so the space reservation or the check finds it first;
     *                 false: none until the check has found it.
     */
    @ParameterizedTest
    @ValueSource(booleans = { false, true })
    void aLogWhoseFileSystemTurnsReadOnlyRefusesAppendsAndOpensAgainInThisBootAsInAnother(final boolean appendOn)
        throws Exception
    {
        final Path markers = temp.resolve("markers");
        try (ScratchFileSystem disk = ScratchFileSystem.ext4(temp.resolve("disk"), temp.resolve("disk.img"), 256))
        {
            final Path directory = disk.mountPoint().resolve("log");
            final long bootBefore = WriteFailureMarker.bootId(MACHINE_BOOT_ID, directory, markers);
            assertEquals(MACHINE_BOOT_ID, bootBefore);
            final Path marker = WriteFailureMarker.fileFor(directory, markers);
            final LogEntry entry = new LogEntry();
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
            final long appended;
            try (ChronicleEventLog log = ChronicleEventLog.open(context(directory, markers, bootBefore)))
            {
                for (long p = 1; p <= WRITTEN_BACK; p++)
                {
                    append(log, entry, payload, p);
                }
                final ScratchFileSystem.Run sync = ScratchFileSystem.run("sync", "-f", directory.toString());
                assertEquals(0, sync.exit(), sync.output()); // all of it on the disk: only what follows can be lost
                for (long p = WRITTEN_BACK + 1; p <= WRITTEN_BACK + 300; p++)
                {
                    append(log, entry, payload, p);
                }

                disk.failWrites();
                LogUnwritableException refused = null;
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (refused == null && System.nanoTime() - deadlineNs < 0)
                {
                    if (!appendOn && !Files.exists(marker))
                    {
                        Thread.onSpinWait(); // polling for the check's record, with a deadline
                        continue;
                    }
                    try
                    {
                        append(log, entry, payload, log.have() + 1);
                    }
                    catch (final LogUnwritableException ex)
                    {
                        refused = ex;
                    }
                }
                assertNotNull(refused, "no append refused within 30 s of the file system turning read-only");
                appended = log.have();
                if (!appendOn)
                {
                    // the check found it (it records, then refuses: a few appends may land in between)
                    assertTrue(refused.getMessage().contains("its file system refused a write (Read-only file " +
                        "system): entry " + (appended + 1) + " not appended"), refused.getMessage());
                }
                assertTrue(refused.getMessage().contains("Read-only file system"), refused.getMessage());
                try
                {
                    append(log, entry, payload, appended + 1);
                }
                catch (final LogUnwritableException again)
                {
                    assertTrue(again.getMessage().contains("its file system refused a write"), again.getMessage());
                }
                assertEquals(appended, log.have(), "a refused append writes nothing");
                assertTrue(Files.exists(marker), "the failure recorded in " + marker);
            }

            final long bootAfter = WriteFailureMarker.bootId(MACHINE_BOOT_ID, directory, markers);
            assertNotEquals(bootBefore, bootAfter, "the log's next open in this boot runs under another boot id");

            disk.checkAndRemount();
            try (ChronicleEventLog reopened = ChronicleEventLog.open(context(directory, markers, bootAfter)))
            {
                assertEquals(0, reopened.sealedCyclesAtOpen(), "no seal written without an fsync is trusted");
                assertTrue(reopened.have() >= WRITTEN_BACK && reopened.have() <= appended,
                    "what was written back is there, what was not may be gone: " + reopened.have() + " of " +
                        appended);
                final LogEntry read = new LogEntry();
                for (long p = 1; p <= reopened.have(); p++)
                {
                    assertTrue(reopened.read(p, read), "entry " + p);
                    assertEquals(p, read.payload().getLong(read.payloadOffset()), "entry " + p);
                }
                append(reopened, entry, payload, reopened.have() + 1);
            }
        }
    }

    /**
     * The check's last run, at the close, records a refusal the forcer's checks had not found yet: a member that stops
     * within a check's interval of the failure (on an append refused at a roll, a node-state write, a signal) still
     * comes back not intact.
     */
    @Test
    void aRefusalFoundOnlyByTheCloseIsRecorded() throws Exception
    {
        final Path markers = temp.resolve("markers");
        try (ScratchFileSystem disk = ScratchFileSystem.ext4(temp.resolve("disk"), temp.resolve("disk.img"), 256))
        {
            final Path directory = disk.mountPoint().resolve("log");
            final Path marker = WriteFailureMarker.fileFor(directory, markers);
            final LogEntry entry = new LogEntry();
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
            try (ChronicleEventLog log = ChronicleEventLog.open(context(directory, markers, MACHINE_BOOT_ID)
                .writeCheckIntervalNs(TimeUnit.HOURS.toNanos(1)))) // one check, as it opens
            {
                for (long p = 1; p <= 100; p++)
                {
                    append(log, entry, payload, p);
                }
                disk.failWrites();
                append(log, entry, payload, 101); // into the page cache: nothing notices yet
                assertTrue(!Files.exists(marker), "no check since the failure");
            }
            assertTrue(Files.exists(marker), "the close's check recorded the refusal in " + marker);
        }
    }

    /**
     * An interrupt of the thread that closes the log (Agrona's runner interrupts a duty thread it cannot stop) closes
     * the check's channel under it: that says nothing of the file system, and nothing is recorded. Any machine.
     */
    @Test
    void anInterruptDuringTheCheckIsNoRefusal() throws Exception
    {
        final Path markers = temp.resolve("markers");
        final Path directory = temp.resolve("log");
        final LogEntry entry = new LogEntry();
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        final ChronicleEventLog log = ChronicleEventLog.open(context(directory, markers, MACHINE_BOOT_ID));
        for (long p = 1; p <= 100; p++)
        {
            append(log, entry, payload, p);
        }
        Thread.currentThread().interrupt();
        try
        {
            log.close(); // its first step, the last check, meets the interrupt
        }
        catch (final IllegalStateException interrupted)
        {
            // a later step of the close may be interrupted too (waiting for the cycle file written ahead)
        }
        finally
        {
            Thread.interrupted();
        }
        assertTrue(!Files.exists(WriteFailureMarker.fileFor(directory, markers)), "no refusal recorded");
        try (ChronicleEventLog reopened = ChronicleEventLog.open(context(directory, markers, MACHINE_BOOT_ID)))
        {
            assertEquals(100, reopened.have());
            append(reopened, entry, payload, 101);
        }
    }

    private static ChronicleLogContext context(final Path directory, final Path markers, final long bootId)
    {
        return new ChronicleLogContext().directory(directory).clusterId(1).entriesPerCycle(ENTRIES_PER_CYCLE)
            .bootId(bootId).forceFullCycles(false).writeFailureMarkerDirectory(markers);
    }

    private static void append(final ChronicleEventLog log, final LogEntry entry, final UnsafeBuffer payload,
        final long position)
    {
        payload.putLong(0, position);
        assertEquals(position, log.append(entry.header(EntryType.EVENT, 1, position, 1, 1, position, position)
            .payload(payload, 0, payload.capacity())));
    }
}
