package io.sequencer.benchmarks;

import io.sequencer.storage.ChronicleEventLog;
import io.sequencer.storage.ChronicleLogContext;
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
 * Opening a log of {@code entries} 64-byte events, a writing open (what a member's start does, cycle seals trusted:
 * docs/protocol.md §10.1) beside the same open walking every cycle file ({@code verifyWholeLogAtOpen}, what
 * {@code log verify} does and what every open did before the seals). The log is written once per trial; each
 * operation opens and closes it. Issue 12's target: open time at 50 million entries within 2x of that at 1 million.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class OpenBenchmark
{
    @Param({"1000000", "10000000"})
    long entries;

    private Path directory;

    @Setup(Level.Trial)
    public void write()
    {
        directory = LogFixture.newDirectory("open");
        final LogFixture fixture = new LogFixture();
        try (ChronicleEventLog log = LogFixture.openLog(directory))
        {
            while (log.have() < entries)
            {
                fixture.appendToLog(log);
            }
        }
    }

    @TearDown(Level.Trial)
    public void delete()
    {
        LogFixture.delete(directory);
    }

    @Benchmark
    public long open()
    {
        try (ChronicleEventLog log = ChronicleEventLog.open(context()))
        {
            return log.have() + log.sealedCyclesAtOpen();
        }
    }

    @Benchmark
    public long openWalkingEveryCycle()
    {
        try (ChronicleEventLog log = ChronicleEventLog.open(context().verifyWholeLogAtOpen(true)))
        {
            return log.have() + log.entriesWalkedAtOpen();
        }
    }

    private ChronicleLogContext context()
    {
        return new ChronicleLogContext().directory(directory).clusterId(LogFixture.CLUSTER_ID);
    }
}
