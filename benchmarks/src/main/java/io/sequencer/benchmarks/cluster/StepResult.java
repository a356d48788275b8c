package io.sequencer.benchmarks.cluster;

import org.HdrHistogram.Histogram;

/**
 * One system at one rate: its measured latencies (ns) and what it sent.
 *
 * @param refused events the system refused after taking them (the project during an epoch change), re-offered.
 * @param traffic what the system sent during the step's warm-up and measured window, and its drain.
 * @param warmup  what it sent during the warm-up alone (null without a measured window).
 */
record StepResult(String system, int rate, Histogram histogram, FixedRateLoad.Run run, long refused,
    Traffic traffic, Traffic warmup)
{
    /** Held: at least this share of the offered rate acknowledged. */
    static final double HELD_RATE_SHARE = 0.97;
    /** Held: a median at most this multiple of the median at the system's lowest rate. */
    static final double HELD_P50_FACTOR = 2.0;
    /** Clearly not held, the ramp stops: less than this share acknowledged. */
    static final double FAILED_RATE_SHARE = 0.90;

    /** The value at {@code percentile}, in microseconds. */
    double us(final double percentile)
    {
        return histogram.getTotalCount() == 0 ? Double.NaN : histogram.getValueAtPercentile(percentile) / 1e3;
    }

    double maxUs()
    {
        return histogram.getTotalCount() == 0 ? Double.NaN : histogram.getMaxValue() / 1e3;
    }

    /**
     * Held: at least 97 % of the offered rate acknowledged, every measured event acknowledged, the median within
     * twice {@code baselineP50Us} (the system's median at its lowest rate), and no epoch change (election) in its
     * measured window (those of the warm-up, right after the system started, are shown apart).
     */
    boolean held(final double baselineP50Us)
    {
        return run.achievedRate() >= HELD_RATE_SHARE * rate && run.unacknowledged() == 0 &&
            us(50) <= HELD_P50_FACTOR * baselineP50Us && measuredEpochChanges() <= 0;
    }

    /** Epoch changes (elections) from the measured window's start to the step's end; -1 when not counted. */
    long measuredEpochChanges()
    {
        if (traffic.epochChanges() < 0)
        {
            return -1;
        }
        return warmup == null ? traffic.epochChanges() : traffic.epochChanges() - warmup.epochChanges();
    }

    /** Epoch changes (elections) in the step's warm-up, right after the system started; -1 when not counted. */
    long warmupEpochChanges()
    {
        return warmup == null ? -1 : warmup.epochChanges();
    }

    /** Clearly not held, so that higher rates are not tried: under 90 % acknowledged, or a backlog left over. */
    boolean clearlyNotHeld()
    {
        return run.achievedRate() < FAILED_RATE_SHARE * rate || run.unacknowledged() > 0;
    }

    /** {@code count} per acknowledged event of the step (warm-up included, as the traffic is); NaN if not counted. */
    double perEvent(final long count)
    {
        return count < 0 || run.allAcknowledged() == 0 ? Double.NaN : (double)count / run.allAcknowledged();
    }
}
