package io.sequencer.benchmarks;

import io.sequencer.storage.ChronicleEventLog;
import io.sequencer.storage.ChronicleLogContext;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.InternalAppender;
import net.openhft.chronicle.wire.DocumentContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * {@code unrollTo} into the middle of the last cycle file, for a log of two cycles and one of 153 cycles
 * (10,027,008 entries): both keep 32,768 entries of the last cycle and rewrite them, so the two times should match
 * whatever the log's size. Each invocation starts from the full log (the cut entries are appended back, untimed).
 * <p>
 * Raw Chronicle cannot unroll; its baseline does the work Chronicle would need for it: a plain tailer reading the
 * same 32,768 entries and a fresh queue writing them into a new cycle file, closed.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 30)
public class UnrollBenchmark
{
    private static final int K = ChronicleLogContext.DEFAULT_ENTRIES_PER_CYCLE;

    @Param({"131072", "10027008"})
    long entries;

    private final LogFixture fixture = new LogFixture();
    private Path logDirectory;
    private Path rawDirectory;
    private Path stagingDirectory;
    private ChronicleEventLog log;
    private ChronicleQueue raw;
    private long target;

    @Setup(Level.Trial)
    public void build()
    {
        logDirectory = LogFixture.newDirectory("unroll-log");
        rawDirectory = LogFixture.newDirectory("unroll-raw");
        log = LogFixture.openLog(logDirectory);
        while (log.have() < entries)
        {
            fixture.appendToLog(log);
        }
        final long lastCycleStart = ((entries - 1) & ~(K - 1L)) + 1;
        target = lastCycleStart + K / 2 - 1;

        final LogFixture.CountingClock clock = new LogFixture.CountingClock();
        raw = LogFixture.openRawQueue(rawDirectory, clock);
        try (ExcerptAppender appender = raw.createAppender())
        {
            for (int i = 0; i < K; i++)
            {
                fixture.appendRaw(appender);
            }
        }
    }

    @Setup(Level.Invocation)
    public void refill()
    {
        while (log.have() < entries)
        {
            fixture.appendToLog(log);
        }
        if (stagingDirectory != null)
        {
            LogFixture.delete(stagingDirectory);
        }
        stagingDirectory = LogFixture.newDirectory("unroll-raw-staging");
    }

    @TearDown(Level.Trial)
    public void close()
    {
        log.close();
        raw.close();
        LogFixture.delete(logDirectory);
        LogFixture.delete(rawDirectory);
        LogFixture.delete(stagingDirectory);
    }

    @Benchmark
    public long unrollLastCycle()
    {
        log.unrollTo(target, 0);
        return log.have();
    }

    @Benchmark
    public long rawRewriteHalfCycle()
    {
        final LogFixture.CountingClock clock = new LogFixture.CountingClock();
        try (ExcerptTailer tailer = raw.createTailer();
            ChronicleQueue staging = LogFixture.openRawQueue(stagingDirectory, clock);
            ExcerptAppender appender = staging.createAppender())
        {
            final InternalAppender internal = (InternalAppender)appender;
            long index = 0;
            for (int i = 0; i < K / 2; i++)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    index = dc.index();
                    internal.writeBytes(index, dc.wire().bytes());
                }
            }
            return index;
        }
    }
}
