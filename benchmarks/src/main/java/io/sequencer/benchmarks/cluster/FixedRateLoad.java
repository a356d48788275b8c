package io.sequencer.benchmarks.cluster;

import org.HdrHistogram.Histogram;
import org.agrona.concurrent.IdleStrategy;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

/**
 * The load generator, the same for every system: event {@code k} of a run is intended for {@code start + k / rate}
 * and its latency is measured from that intended time to its reply, so a send that waited behind a slow one counts
 * its wait (coordinated omission corrected, as the demo does). The first {@code warmupSeconds} of intended times are
 * not recorded; the next {@code measuredSeconds} are, into the histogram.
 * <p>
 * When the system falls behind, the loop sends as fast as it accepts, still stamping the intended times, until
 * {@link #SEND_GRACE_NS} past the schedule's end; then it waits up to {@link #DRAIN_NS} for the replies of what was
 * sent. Measured events not acknowledged by then are reported as {@link Run#unacknowledged()}.
 * <p>
 * Idles with the demo's duty-cycle strategy (back off to parks of at most 50 us), never spins: the machine has two
 * cores; its thread's timer slack is 1 us, so that the parks end on time. The loop allocates nothing.
 */
final class FixedRateLoad implements SystemUnderTest.Replies
{
    static final long SEND_GRACE_NS = TimeUnit.SECONDS.toNanos(2);
    static final long DRAIN_NS = TimeUnit.SECONDS.toNanos(5);

    /**
     * @param offered        measured events scheduled.
     * @param acknowledged   measured events acknowledged (recorded in the histogram).
     * @param achievedRate   measured events acknowledged per second, from the window's start to its end or the last
     *                       measured acknowledgement, whichever is later.
     * @param backPressured  measured events whose first offer was refused (sent later, their wait counted).
     * @param unacknowledged measured events never sent, or sent and not acknowledged before the drain ended.
     * @param allAcknowledged every event of the run acknowledged, warm-up included: the denominator per event.
     * @param allocatedBytes  what the load thread allocated in the run's loops (sending, polling, draining): the
     *                        check that the path measured allocates nothing, the systems' client sides included.
     * @param atWindowStart  what the system had sent when the measured window began (its first measured send), or
     *                       null when there was no measured window: the epoch changes of the warm-up and of the window
     *                       apart.
     * @param gcPauses       collections in this JVM (every system measured runs in it) from the measured window's start
     *                       to the drain's end; -1 without a measured window.
     * @param gcMillis       the time they took, as the collectors account it.
     */
    record Run(long offered, long acknowledged, double achievedRate, long backPressured, long unacknowledged,
        long allAcknowledged, long allocatedBytes, Traffic atWindowStart, long gcPauses, long gcMillis)
    {
    }

    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
    private static final GarbageCollectorMXBean[] COLLECTORS =
        ManagementFactory.getGarbageCollectorMXBeans().toArray(new GarbageCollectorMXBean[0]);

    private final IdleStrategy idle = io.sequencer.node.DurableMember.shortParks();
    private Histogram histogram;
    private long windowStartNs;
    private long windowEndNs;
    private long acknowledgedInWindow;
    private long acknowledged;
    private long lastAcknowledgedNs;

    public void onReply(final long intendedNs)
    {
        final long nowNs = System.nanoTime();
        acknowledged++;
        if (intendedNs >= windowStartNs && intendedNs < windowEndNs)
        {
            histogram.recordValue(Math.min(nowNs - intendedNs, histogram.getHighestTrackableValue()));
            acknowledgedInWindow++;
            lastAcknowledgedNs = nowNs;
        }
    }

    /** Offer {@code rate} events a second for {@code warmupSeconds + measuredSeconds}, recording the measured ones. */
    Run run(final SystemUnderTest system, final int rate, final int warmupSeconds, final int measuredSeconds,
        final Histogram histogram)
    {
        this.histogram = histogram;
        acknowledgedInWindow = 0;
        acknowledged = 0;
        final long warmupEvents = (long)rate * warmupSeconds;
        final long measuredEvents = (long)rate * measuredSeconds;
        final long events = warmupEvents + measuredEvents;
        final long startNs = System.nanoTime();
        windowStartNs = startNs + TimeUnit.SECONDS.toNanos(warmupSeconds);
        windowEndNs = windowStartNs + TimeUnit.SECONDS.toNanos(measuredSeconds);
        lastAcknowledgedNs = windowStartNs;
        final long stopSendingNs = windowEndNs + SEND_GRACE_NS;

        long sent = 0;
        Traffic atWindowStart = null;
        long gcPausesBefore = 0;
        long gcMillisBefore = 0;
        long refusedEvent = -1;
        long backPressured = 0;
        long intendedNs = startNs;
        idle.reset();
        // Its parks end when asked (1 us late at most), not up to the OS's 50 us late: a late wake-up delays a send
        // and the noticing of a reply, whatever the system, and hid up to 100 us of the difference between systems.
        io.sequencer.core.runtime.TimerSlack.set(1_000);
        final long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
        while (sent < events)
        {
            final long nowNs = System.nanoTime();
            int work = 0;
            if (nowNs >= intendedNs)
            {
                if (nowNs > stopSendingNs)
                {
                    break;
                }
                if (sent == warmupEvents && atWindowStart == null && measuredEvents > 0)
                {
                    atWindowStart = system.traffic(); // once a step: the warm-up's epoch changes stay out of the window
                    gcPausesBefore = gcPauses();
                    gcMillisBefore = gcMillis();
                }
                if (system.offer(intendedNs))
                {
                    sent++;
                    intendedNs = startNs + sent * 1_000_000_000L / rate;
                    work++;
                }
                else if (refusedEvent != sent)
                {
                    refusedEvent = sent;
                    if (sent >= warmupEvents)
                    {
                        backPressured++;
                    }
                }
            }
            work += system.poll(this);
            idle.idle(work);
        }

        final long drainDeadlineNs = System.nanoTime() + DRAIN_NS;
        while (acknowledged < sent && System.nanoTime() < drainDeadlineNs)
        {
            idle.idle(system.poll(this));
        }
        final long allocatedBytes = THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore;
        final long windowNs = Math.max(windowEndNs, lastAcknowledgedNs) - windowStartNs;
        final double achievedRate = windowNs > 0 ? acknowledgedInWindow * 1e9 / windowNs : 0;
        final boolean measured = atWindowStart != null;
        return new Run(measuredEvents, acknowledgedInWindow, achievedRate, backPressured,
            measuredEvents - acknowledgedInWindow, acknowledged, allocatedBytes, atWindowStart,
            measured ? gcPauses() - gcPausesBefore : -1, measured ? gcMillis() - gcMillisBefore : -1);
    }

    private static long gcPauses()
    {
        return sumOverCollectors(GarbageCollectorMXBean::getCollectionCount);
    }

    private static long gcMillis()
    {
        return sumOverCollectors(GarbageCollectorMXBean::getCollectionTime);
    }

    /** A collector that does not know its count or time answers -1: counted as 0. */
    private static long sumOverCollectors(final java.util.function.ToLongFunction<GarbageCollectorMXBean> value)
    {
        long sum = 0;
        for (final GarbageCollectorMXBean collector : COLLECTORS)
        {
            sum += Math.max(0, value.applyAsLong(collector));
        }
        return sum;
    }
}
