package io.sequencer.benchmarks.cluster;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StepResultTest
{
    private static final Traffic QUIET = new Traffic(3_000, 3_000, 300_000, 10, 0, 0);

    @Test
    void heldAtTheRateWithAStableMedianAndNoEpochChange()
    {
        final StepResult step = step(10_000, 9_800, 0, 100, QUIET);
        assertTrue(step.held(60));
        assertFalse(step.clearlyNotHeld());
        assertEquals(1.5, step.perEvent(QUIET.protocolFrames()));
        assertTrue(Double.isNaN(step.perEvent(-1)));
    }

    @Test
    void notHeldWhenTheRateTheMedianOrTheEpochSlips()
    {
        assertFalse(step(10_000, 9_600, 0, 100, QUIET).held(60), "under 97 % of the rate");
        assertFalse(step(10_000, 10_000, 0, 130, QUIET).held(60), "p50 above twice the lowest rate's");
        assertFalse(step(10_000, 10_000, 0, 100, new Traffic(1, 1, 1, 1, 0, 1)).held(60), "an epoch change");
        assertFalse(step(10_000, 10_000, 1, 100, QUIET).held(60), "an event left unacknowledged");
    }

    @Test
    void clearlyNotHeldUnderNinetyPercentOrWithABacklog()
    {
        assertFalse(step(10_000, 9_600, 0, 100, QUIET).clearlyNotHeld());
        assertTrue(step(10_000, 8_900, 0, 100, QUIET).clearlyNotHeld());
        assertTrue(step(10_000, 10_000, 5, 100, QUIET).clearlyNotHeld());
    }

    private static StepResult step(final int rate, final double achieved, final long unacknowledged,
        final long p50Us, final Traffic traffic)
    {
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        histogram.recordValueWithCount(TimeUnit.MICROSECONDS.toNanos(p50Us), 100);
        return new StepResult("project", rate, histogram,
            new FixedRateLoad.Run(rate, rate, achieved, 0, unacknowledged, 2_000, 0, null, 0, 0), 0, traffic, null);
    }
}
