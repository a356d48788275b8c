package io.sequencer.benchmarks;

import io.sequencer.core.LogEntry;
import io.sequencer.storage.ChronicleEventLog;
import io.sequencer.storage.ChronicleLogContext;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Read 64-byte events back, sequentially and at random positions, from a log of 2^20 entries (16 cycle files):
 * {@link ChronicleEventLog#read} (one {@code moveToIndex} when not sequential, the entry copied out and its CRC32C
 * and link to its predecessor verified) beside a plain tailer reading the same 128-byte entries from a raw queue
 * laid out in the same cycles, copying them out too. {@code sequentialReadRehashed} reads a log opened with
 * {@code rehashOnRead(true)}, which recomputes each entry's chain hash on top of the CRC32C every read checks.
 * {@code span} is how far back from the tail the random positions reach: 65,536 stays in the last cycle file,
 * 1,048,576 spreads over all 16.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ReadBenchmark
{
    static final int ENTRIES = 1 << 20;
    private static final int RANDOM_POSITIONS = 1 << 14;

    /** Where the random reads go: {@code span} positions back from the tail, in a fixed seeded order. */
    @State(Scope.Thread)
    public static class RandomPositions
    {
        @Param({"65536", "1048576"})
        int span;

        final long[] positions = new long[RANDOM_POSITIONS];
        final long[] indices = new long[RANDOM_POSITIONS];
        int next;

        @Setup(Level.Trial)
        public void choose()
        {
            final SplittableRandom seeded = new SplittableRandom(42);
            for (int i = 0; i < RANDOM_POSITIONS; i++)
            {
                final long position = ENTRIES - seeded.nextInt(span);
                positions[i] = position;
                // the raw queue is laid out in the log's cycles, so an entry's index is the log's arithmetic
                indices[i] = RollCycles.FAST_DAILY.toIndex(
                    (int)(1 + ((position - 1) >>> 16)),
                    (position - 1) & (ChronicleLogContext.DEFAULT_ENTRIES_PER_CYCLE - 1));
            }
        }
    }

    private final LogFixture fixture = new LogFixture();
    private final LogEntry entry = new LogEntry();
    private final Bytes<?> copy = Bytes.allocateDirect(LogFixture.ENTRY_LENGTH);
    private Path logDirectory;
    private Path rawDirectory;
    private ChronicleEventLog log;
    private ChronicleEventLog rehashedLog;
    private Path rehashedDirectory;
    private ChronicleQueue raw;
    private ExcerptTailer sequentialTailer;
    private ExcerptTailer randomTailer;
    private long next;

    @Setup(Level.Trial)
    public void build()
    {
        logDirectory = LogFixture.newDirectory("read-log");
        rawDirectory = LogFixture.newDirectory("read-raw");
        log = LogFixture.openLog(logDirectory);
        final LogFixture.CountingClock clock = new LogFixture.CountingClock();
        raw = LogFixture.openRawQueue(rawDirectory, clock);
        try (ExcerptAppender appender = raw.createAppender())
        {
            for (int i = 0; i < ENTRIES; i++)
            {
                final long position = fixture.appendToLog(log);
                clock.cycle = 1 + ((position - 1) >>> 16);
                fixture.appendRaw(appender);
            }
        }
        rehashedDirectory = LogFixture.newDirectory("read-log-rehashed");
        rehashedLog = ChronicleEventLog.open(new ChronicleLogContext()
            .directory(rehashedDirectory).clusterId(LogFixture.CLUSTER_ID).rehashOnRead(true));
        for (int i = 0; i < ENTRIES; i++)
        {
            fixture.appendToLog(rehashedLog);
        }
        sequentialTailer = raw.createTailer();
        randomTailer = raw.createTailer();
        next = 0;
    }

    @TearDown(Level.Trial)
    public void close()
    {
        log.close();
        rehashedLog.close();
        LogFixture.delete(rehashedDirectory);
        sequentialTailer.close();
        randomTailer.close();
        raw.close();
        LogFixture.delete(logDirectory);
        LogFixture.delete(rawDirectory);
    }

    @Benchmark
    public long sequentialRead()
    {
        next = next == ENTRIES ? 1 : next + 1;
        log.read(next, entry);
        return entry.chk();
    }

    @Benchmark
    public long sequentialReadRehashed()
    {
        next = next == ENTRIES ? 1 : next + 1;
        rehashedLog.read(next, entry);
        return entry.chk();
    }

    @Benchmark
    public long rawSequentialRead()
    {
        try (DocumentContext dc = sequentialTailer.readingDocument())
        {
            if (!dc.isPresent())
            {
                sequentialTailer.toStart();
                return 0;
            }
            return copyOut(dc.wire().bytes());
        }
    }

    @Benchmark
    public long randomRead(final RandomPositions random)
    {
        log.read(random.positions[random.next++ & (RANDOM_POSITIONS - 1)], entry);
        return entry.chk();
    }

    @Benchmark
    public long rawRandomRead(final RandomPositions random)
    {
        randomTailer.moveToIndex(random.indices[random.next++ & (RANDOM_POSITIONS - 1)]);
        try (DocumentContext dc = randomTailer.readingDocument())
        {
            return copyOut(dc.wire().bytes());
        }
    }

    private long copyOut(final Bytes<?> bytes)
    {
        final long start = bytes.readPosition();
        copy.clear();
        copy.write(bytes, start, bytes.readRemaining());
        return copy.readLong(8);
    }
}
