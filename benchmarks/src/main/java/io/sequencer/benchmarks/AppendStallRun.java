package io.sequencer.benchmarks;

import io.sequencer.core.EntryType;
import io.sequencer.core.LogEntry;
import io.sequencer.storage.ChronicleEventLog;
import io.sequencer.storage.ChronicleLogContext;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;

/**
 * Where a log append stalls: appends 64-byte events to a {@link ChronicleEventLog} opened as a member under durability
 * {@code none} opens it, at a fixed {@code --rate}, and prints every append that took longer than {@code --over-us},
 * with its position within its cycle file (1: the first append of a new cycle, which creates and maps the file), then
 * the longest append at a cycle's start and elsewhere, and the median and p90 of the appends that rolled.
 * {@code --block-mb} and {@code --entries-per-cycle} change the log's mapping and cycle size (small cycles make rolls
 * frequent enough to profile); {@code --force-full-cycles true} opens it as durability {@code batch} and
 * {@code strict} do (full cycle files forced before their seals, nothing written ahead), without the per-batch forces.
 * <pre>
 * java $(cat sequencer-node/target/jvm-flags.txt) -cp benchmarks/target/benchmarks.jar \
 *     io.sequencer.benchmarks.AppendStallRun --entries 400000 --rate 20000 --over-us 1000
 * </pre>
 */
public final class AppendStallRun
{
    private AppendStallRun()
    {
    }

    public static void main(final String[] args)
    {
        long entries = 400_000;
        int rate = 20_000;
        long overUs = 1_000;
        long blockBytes = ChronicleLogContext.DEFAULT_BLOCK_SIZE;
        int perCycleEntries = ChronicleLogContext.DEFAULT_ENTRIES_PER_CYCLE;
        boolean forceFullCycles = false;
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--entries" -> entries = Long.parseLong(args[i + 1]);
                case "--rate" -> rate = Integer.parseInt(args[i + 1]);
                case "--over-us" -> overUs = Long.parseLong(args[i + 1]);
                case "--block-mb" -> blockBytes = Long.parseLong(args[i + 1]) << 20;
                case "--entries-per-cycle" -> perCycleEntries = Integer.parseInt(args[i + 1]);
                case "--force-full-cycles" -> forceFullCycles = Boolean.parseBoolean(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] +
                    ": expected --entries, --rate, --over-us, --block-mb, --entries-per-cycle, --force-full-cycles");
            }
        }
        final Path directory = LogFixture.newDirectory("append-stall");
        final ChronicleLogContext context = new ChronicleLogContext().directory(directory).clusterId(1).bootId(1)
            .forceFullCycles(forceFullCycles).blockSize(blockBytes).entriesPerCycle(perCycleEntries);
        final long perCycle = context.entriesPerCycle();
        final org.HdrHistogram.Histogram rolls = new org.HdrHistogram.Histogram(3);
        long maxAtRollNs = 0;
        long maxElsewhereNs = 0;
        try (ChronicleEventLog log = ChronicleEventLog.open(context))
        {
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
            final LogEntry entry = new LogEntry();
            final long gapNs = 1_000_000_000L / rate;
            final long warmUp = Math.min(entries / 4, perCycle / 2);
            final long startNs = System.nanoTime();
            for (long i = 1; i <= entries; i++)
            {
                final long sendAtNs = startNs + i * gapNs;
                while (System.nanoTime() < sendAtNs)
                {
                    Thread.onSpinWait();
                }
                final long beforeNs = System.nanoTime();
                final long position = log.append(entry.header(EntryType.EVENT, 1, i, 1, 1, i, 0)
                    .payload(payload, 0, payload.capacity()));
                final long tookNs = System.nanoTime() - beforeNs;
                final long inCycle = (position - 1) % perCycle + 1;
                if (i > warmUp)
                {
                    if (inCycle == 1)
                    {
                        maxAtRollNs = Math.max(maxAtRollNs, tookNs);
                        rolls.recordValue(tookNs / 1_000);
                    }
                    else
                    {
                        maxElsewhereNs = Math.max(maxElsewhereNs, tookNs);
                    }
                    if (tookNs > overUs * 1_000)
                    {
                        System.out.printf("append of %d (entry %d of its cycle file) took %,d us%n", position, inCycle,
                            tookNs / 1_000);
                    }
                }
            }
        }
        finally
        {
            LogFixture.delete(directory);
        }
        System.out.printf("longest append: first of a cycle file %,d us, any other %,d us%n", maxAtRollNs / 1_000,
            maxElsewhereNs / 1_000);
        System.out.printf("rolls measured: %d, median %,d us, p90 %,d us%n", rolls.getTotalCount(),
            rolls.getValueAtPercentile(50), rolls.getValueAtPercentile(90));
    }
}
