package io.sequencer.core;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

class WallEpochNanoClockTest
{
    @Test
    void readsTheWallClockWithinAFewMillisecondsAndNeverGoesBackBetweenChecks()
    {
        final WallEpochNanoClock clock = new WallEpochNanoClock();
        final long wallNs = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
        final long readNs = clock.nanoTime();
        assertTrue(Math.abs(readNs - wallNs) < TimeUnit.MILLISECONDS.toNanos(50),
            "read " + readNs + ", wall " + wallNs);
        long previous = readNs;
        for (int i = 0; i < 100_000; i++)
        {
            final long now = clock.nanoTime();
            assertTrue(now >= previous, "monotonic between checks: " + previous + " then " + now);
            previous = now;
        }
    }
}
