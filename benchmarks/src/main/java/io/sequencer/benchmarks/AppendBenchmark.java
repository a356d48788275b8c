package io.sequencer.benchmarks;

import io.sequencer.storage.ChronicleEventLog;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
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
import java.util.concurrent.TimeUnit;

/**
 * Append one 64-byte event: {@link ChronicleEventLog#append} (checksum chained, 64-byte header, index checked)
 * beside a plain {@code writingDocument()} append of the same 128 bytes to a raw queue of the same layout. Each
 * iteration starts on empty directories so that the disk holds one iteration's entries at most.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AppendBenchmark
{
    private final LogFixture fixture = new LogFixture();
    /**
     * Chronicle finds the end of the queue before each append by scanning from the last indexed entry: up to
     * {@code indexSpacing - 1} entry headers a write (the log's default, 16), against an index entry a write at 1.
     */
    @Param({ "1", "16" })
    public int indexSpacing;
    private Path logDirectory;
    private Path rawDirectory;
    private ChronicleEventLog log;
    private ChronicleQueue raw;
    private ExcerptAppender rawAppender;

    @Setup(Level.Iteration)
    public void open()
    {
        logDirectory = LogFixture.newDirectory("append-log");
        rawDirectory = LogFixture.newDirectory("append-raw");
        log = LogFixture.openLog(logDirectory, indexSpacing);
        raw = LogFixture.openRawQueue(rawDirectory, null, indexSpacing);
        rawAppender = raw.createAppender();
    }

    @TearDown(Level.Iteration)
    public void close()
    {
        log.close();
        rawAppender.close();
        raw.close();
        LogFixture.delete(logDirectory);
        LogFixture.delete(rawDirectory);
    }

    @Benchmark
    public long append()
    {
        return fixture.appendToLog(log);
    }

    @Benchmark
    public void rawAppend()
    {
        fixture.appendRaw(rawAppender);
    }
}
