package io.sequencer.benchmarks;

import io.sequencer.core.EntryType;
import io.sequencer.core.LogEntry;
import io.sequencer.storage.ChronicleEventLog;
import io.sequencer.storage.ChronicleLogContext;
import io.sequencer.storage.DurableFiles;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the storage benchmarks share: a {@link ChronicleEventLog} and a raw Chronicle Queue laid out alike (daily
 * roll cycle, same block size and index spacing), and the 64-byte payload. The raw queue stores entries of the same
 * size as the log's (its header plus the payload), so both write and read the same number of bytes.
 */
final class LogFixture
{
    static final int PAYLOAD_LENGTH = 64;
    static final int ENTRY_LENGTH = ChronicleEventLog.ENTRY_HEADER_LENGTH + PAYLOAD_LENGTH;
    static final int CLUSTER_ID = 1;

    final UnsafeBuffer payload = new UnsafeBuffer(ByteBuffer.allocateDirect(PAYLOAD_LENGTH));
    final Bytes<?> rawEntry = Bytes.allocateDirect(ENTRY_LENGTH);

    LogFixture()
    {
        for (int i = 0; i < PAYLOAD_LENGTH; i++)
        {
            payload.putByte(i, (byte)(i * 7 + 1));
        }
        for (int i = 0; i < ENTRY_LENGTH; i++)
        {
            rawEntry.writeByte((byte)(i * 13 + 5));
        }
    }

    static Path newDirectory(final String name)
    {
        try
        {
            return Files.createTempDirectory("sequencer-bench-" + name);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static ChronicleEventLog openLog(final Path directory)
    {
        return openLog(directory, ChronicleLogContext.DEFAULT_INDEX_SPACING);
    }

    static ChronicleEventLog openLog(final Path directory, final int indexSpacing)
    {
        return ChronicleEventLog.open(
            new ChronicleLogContext().directory(directory).clusterId(CLUSTER_ID).indexSpacing(indexSpacing));
    }

    /** A raw queue with the log's layout; {@code clock} decides its cycles (null: the wall clock, as usual). */
    static ChronicleQueue openRawQueue(final Path directory, final TimeProvider clock)
    {
        return openRawQueue(directory, clock, ChronicleLogContext.DEFAULT_INDEX_SPACING);
    }

    static ChronicleQueue openRawQueue(final Path directory, final TimeProvider clock, final int indexSpacing)
    {
        final SingleChronicleQueueBuilder builder = SingleChronicleQueueBuilder.binary(directory)
            .rollCycle(RollCycles.FAST_DAILY)
            .blockSize(ChronicleLogContext.DEFAULT_BLOCK_SIZE)
            .indexSpacing(indexSpacing);
        if (clock != null)
        {
            builder.timeProvider(clock);
        }
        return builder.build();
    }

    /** The entry view an append fills: one, as the protocol has, so the benchmark allocates nothing per append. */
    private final LogEntry appending = new LogEntry();

    long appendToLog(final ChronicleEventLog log)
    {
        final long position = log.have() + 1;
        return log.append(appending.header(EntryType.EVENT, 1, position, 1, 1, position, position)
            .payload(payload, 0, PAYLOAD_LENGTH));
    }

    void appendRaw(final ExcerptAppender appender)
    {
        try (DocumentContext dc = appender.writingDocument())
        {
            dc.wire().bytes().write(rawEntry, 0L, (long)ENTRY_LENGTH);
        }
    }

    static void delete(final Path directory)
    {
        DurableFiles.deleteTree(directory);
    }

    /** Drives a raw queue's cycles from the number of entries appended, as the log's position clock does. */
    static final class CountingClock implements TimeProvider
    {
        long cycle = 1;

        public long currentTimeMillis()
        {
            return cycle * RollCycles.FAST_DAILY.lengthInMillis();
        }
    }
}
