package io.sequencer.storage;

import io.sequencer.core.EntryType;
import io.sequencer.core.LogEntry;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The process {@link CrashTest} kills: it opens a log (running the recovery), then appends batches, forces and
 * unrolls at random until it is killed, announcing on stdout what it is about to do, so the parent knows what the
 * log may hold when the kill lands. Entries are self-describing: the epoch field carries a generation that grows
 * with every unroll, and the payload is a function of (position, generation), so any entry can be checked alone.
 * <p>
 * Lines: {@code OPEN have dropped redone}, {@code HAVE n} after each batch, {@code UNROLL-BEGIN target have} and
 * {@code UNROLL-END}.
 * <p>
 * With a third argument {@code large} it only appends, entries of 16 to 32 KiB: copying one into the mapping (fresh
 * pages of a sparse file) takes tens of microseconds, so a kill lands inside an append, leaving a torn write.
 */
public final class CrashChild
{
    static final int CLUSTER_ID = 3;
    static final int ENTRIES_PER_CYCLE = 256;
    static final int MAX_BATCH = 40;

    private CrashChild()
    {
    }

    public static void main(final String[] args)
    {
        final Path directory = Path.of(args[0]);
        final SplittableRandom random = new SplittableRandom(Long.parseLong(args[1]));
        final boolean large = args.length > 2 && args[2].equals("large");
        final PrintStream out = new PrintStream(System.out, true);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[LARGE_PAYLOAD_CAPACITY]);
        final LogEntry entry = new LogEntry();

        final ChronicleEventLog log = ChronicleEventLog.open(context(directory));
        out.println("OPEN " + log.have() + " " + log.droppedAtOpen() + " " + log.unrollRedoneAtOpen());
        long generation = 1;
        if (log.have() > 0)
        {
            log.read(log.have(), entry);
            generation = entry.epoch() + 1;
        }

        while (large)
        {
            final int batch = 1 + random.nextInt(16);
            for (int i = 0; i < batch; i++)
            {
                final long position = log.have() + 1;
                final int length = fillLarge(payload, position, generation);
                log.append(new LogEntry().header(
                        EntryType.EVENT, generation, position, 1, generation, position, position)
                        .payload(payload, 0, length));
            }
            out.println("HAVE " + log.have());
        }
        while (true)
        {
            final int choice = random.nextInt(100);
            if (choice < 10 && log.have() > 0)
            {
                final long have = log.have();
                final long target = Math.max(0, have - 1 - random.nextInt(3 * ENTRIES_PER_CYCLE));
                out.println("UNROLL-BEGIN " + target + " " + have);
                log.unrollTo(target, 0);
                out.println("UNROLL-END");
                generation++;
            }
            else if (choice < 14)
            {
                log.force();
            }
            else
            {
                final int batch = 1 + random.nextInt(MAX_BATCH);
                for (int i = 0; i < batch; i++)
                {
                    final long position = log.have() + 1;
                    final int length = fill(payload, position, generation);
                    log.append(new LogEntry().header(
                            EntryType.EVENT, generation, position, 1, generation, position, position)
                            .payload(payload, 0, length));
                }
                out.println("HAVE " + log.have());
            }
        }
    }

    static ChronicleLogContext context(final Path directory)
    {
        return new ChronicleLogContext()
            .directory(directory)
            .clusterId(CLUSTER_ID)
            .entriesPerCycle(ENTRIES_PER_CYCLE)
            .blockSize(1 << 20);
    }

    static int payloadCapacity()
    {
        return 96;
    }

    static final int LARGE_PAYLOAD_CAPACITY = 32 * 1024;

    /**
     * Write the large payload of (position, generation) into {@code buffer}: its first bytes random, the rest a
     * pattern of the position, cheap to make, so that the child spends its time copying entries into the mapping.
     *
     * @return its length.
     */
    static int fillLarge(final UnsafeBuffer buffer, final long position, final long generation)
    {
        final int length = 16 * 1024 + (int)((position * 7919 + generation) % (16 * 1024));
        final SplittableRandom content = new SplittableRandom(position * 1_000_003L + generation);
        for (int i = 0; i < 64; i += 8)
        {
            buffer.putLong(i, content.nextLong());
        }
        for (int i = 64; i < length; i += 8)
        {
            buffer.putLong(i, position * 31 + i);
        }
        return length;
    }

    /** Write the payload of (position, generation) into {@code buffer}. @return its length. */
    static int fill(final UnsafeBuffer buffer, final long position, final long generation)
    {
        final int length = 8 + (int)((position * 31 + generation) % 88);
        final SplittableRandom content = new SplittableRandom(position * 1_000_003L + generation);
        for (int i = 0; i < length; i++)
        {
            buffer.putByte(i, (byte)content.nextInt(256));
        }
        return length;
    }
}
