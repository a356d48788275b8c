package io.sequencer.storage;

import io.sequencer.core.EntryType;
import io.sequencer.core.LogEntry;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import io.sequencer.core.LogUnwritableException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The log on a disk that fills up, a real one: a tmpfs of 64 MiB mounted for the test (root only; skipped elsewhere,
 * saying why). An append that finds no space throws, naming the log, before it writes anything; every entry appended
 * before it reads back whole; the same append succeeds once space is freed, and the log opens again with all of it.
 * Chronicle writes through a mapping, where a full disk is a SIGBUS: without the space reserved ahead, the append
 * returned as if the entry were written, a later one threw an {@link InternalError}, and the next open cut the torn
 * entry the log had reported appended.
 */
class FullDiskTest
{
    private static final int PAYLOAD_LENGTH = 64;
    private static final long FREE_BYTES = 6L << 20;

    @TempDir
    Path temp;

    /**
     * @param entriesPerCycle 1,024: cycles of about 150 KB, each in a file written ahead with 1 MiB of zeros, so the
     *                        disk fills at a roll; 65,536: cycles of about 10 MB, so it fills within one.
     */
    @ParameterizedTest
    @ValueSource(ints = { 1024, 65_536 })
    void anAppendWithoutSpaceThrowsBeforeWritingAndSucceedsOnceSpaceIsFreed(final int entriesPerCycle)
        throws Exception
    {
        try (ScratchFileSystem disk = ScratchFileSystem.tmpfs(temp.resolve("disk"), 64))
        {
            fillAndFree(disk.mountPoint(), entriesPerCycle);
        }
    }

    private static void fillAndFree(final Path mount, final int entriesPerCycle) throws IOException
    {
        final Path filler = mount.resolve("filler");
        try (RandomAccessFile file = new RandomAccessFile(filler.toFile(), "rw"))
        {
            final long usable = Files.getFileStore(mount).getUsableSpace();
            final byte[] chunk = new byte[1 << 20];
            for (long written = 0; written < usable - FREE_BYTES; written += chunk.length)
            {
                file.write(chunk); // written, not sized: a sparse filler would leave the space free
            }
        }
        final ChronicleLogContext context = new ChronicleLogContext()
            .directory(mount.resolve("log")).clusterId(1).entriesPerCycle(entriesPerCycle);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD_LENGTH]);
        final LogEntry appending = new LogEntry();
        final long full;
        try (ChronicleEventLog log = ChronicleEventLog.open(context))
        {
            LogUnwritableException noSpace = null;
            while (noSpace == null && log.have() < 1_000_000)
            {
                try
                {
                    append(log, appending, payload, log.have() + 1);
                }
                catch (final LogUnwritableException ex)
                {
                    noSpace = ex;
                }
            }
            assertNotNull(noSpace, "6 MiB free and no append refused after 1,000,000 entries");
            full = log.have();
            assertTrue(full > entriesPerCycle / 4, "appended before the disk was full: " + full);
            final String message = noSpace.getMessage();
            assertTrue(message.contains("event log " + context.directory() + ": cannot make room for entry " +
                (full + 1)) &&
                message.contains("No space left on device"), message);
            assertEquals(entriesPerCycle == 1024, full % entriesPerCycle == 0,
                "where the disk filled (at a roll with short cycles, within one with long ones): entry " + (full + 1));

            assertEquals(full, log.have(), "a refused append writes nothing");
            try
            {
                // refused again, or appended whole: the refused append's cleanup may have freed what the
                // background writer needed to finish the file written ahead
                append(log, appending, payload, full + 1);
            }
            catch (final LogUnwritableException again)
            {
                assertEquals(full, log.have(), "a refused append writes nothing");
            }
            assertAllRead(log, full);

            assertAllRead(log, log.have());
            Files.delete(filler);
            for (long p = log.have() + 1; p <= full + 3L * entriesPerCycle; p++)
            {
                append(log, appending, payload, p);
            }
            log.force();
            assertAllRead(log, full + 3L * entriesPerCycle);
        }
        try (ChronicleEventLog reopened = ChronicleEventLog.open(context))
        {
            assertEquals(full + 3L * entriesPerCycle, reopened.have(), "the log after an open, nothing cut");
            assertAllRead(reopened, reopened.have());
        }
    }

    private static void append(final ChronicleEventLog log, final LogEntry appending, final UnsafeBuffer payload,
        final long position)
    {
        payload.setMemory(0, PAYLOAD_LENGTH, (byte)position);
        payload.putLong(0, position);
        assertEquals(position, log.append(appending.header(EntryType.EVENT, 1, position, 1, 1, position, position)
            .payload(payload, 0, PAYLOAD_LENGTH)));
    }

    private static void assertAllRead(final ChronicleEventLog log, final long upTo)
    {
        final LogEntry entry = new LogEntry();
        for (long p = 1; p <= upTo; p++)
        {
            assertTrue(log.read(p, entry), "entry " + p + " of " + upTo);
            assertEquals(p, entry.localSeq(), "entry " + p);
            assertEquals(PAYLOAD_LENGTH, entry.payloadLength(), "entry " + p);
            assertEquals(p, entry.payload().getLong(entry.payloadOffset()), "entry " + p);
            assertEquals((byte)p, entry.payload().getByte(entry.payloadOffset() + PAYLOAD_LENGTH - 1), "entry " + p);
        }
    }
}
