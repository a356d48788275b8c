package io.sequencer.core;

import org.agrona.concurrent.EpochNanoClock;

import java.util.concurrent.TimeUnit;

/**
 * The time a member gives the entries it proposes (docs/protocol.md §12): {@link System#nanoTime()} plus an offset to
 * the wall clock. The offset is checked against {@link System#currentTimeMillis()} once a second and moved when the
 * two part by more than a millisecond, so a clock that NTP steps or slews is followed within a second, while the
 * wall clock's millisecond grain does not jitter every reading. Reads allocate nothing (Agrona's
 * {@code OffsetEpochNanoClock} never looks at the wall clock again after it starts; re-sampling it allocates).
 * One thread: the duty cycle's.
 */
public final class WallEpochNanoClock implements EpochNanoClock
{
    private static final long CHECK_EVERY_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long TOLERANCE_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private long offsetNs;
    private long nextCheckNs;

    public WallEpochNanoClock()
    {
        final long nowNs = System.nanoTime();
        offsetNs = wallNs() - nowNs;
        nextCheckNs = nowNs + CHECK_EVERY_NS;
    }

    public long nanoTime()
    {
        final long nowNs = System.nanoTime();
        if (nowNs - nextCheckNs >= 0)
        {
            nextCheckNs = nowNs + CHECK_EVERY_NS;
            final long wallOffsetNs = wallNs() - nowNs;
            if (Math.abs(wallOffsetNs - offsetNs) > TOLERANCE_NS)
            {
                offsetNs = wallOffsetNs;
            }
        }
        return nowNs + offsetNs;
    }

    private static long wallNs()
    {
        return TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
    }
}
