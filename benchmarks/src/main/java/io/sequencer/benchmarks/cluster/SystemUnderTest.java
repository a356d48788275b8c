package io.sequencer.benchmarks.cluster;

/**
 * One system the ramp drives: started fresh for a step, offered events at a fixed rate by {@link FixedRateLoad} on
 * the calling thread, closed after the step. Every event carries its intended send time in its first 8 bytes (little
 * endian) and comes back with it: the project's echo state machine returns it as the result, Aeron Cluster's echo
 * service sends it back on the session, the UDP pong echoes it.
 * <p>
 * {@link #offer} and {@link #poll} run in the load loop and must not allocate.
 */
interface SystemUnderTest extends AutoCloseable
{
    /** Receives what comes back. */
    interface Replies
    {
        /** The event sent at {@code intendedNs} is acknowledged (durable and echoed, or ponged). */
        void onReply(long intendedNs);
    }

    /** The name in tables and file names. */
    String name();

    /**
     * Send one event intended for {@code intendedNs}.
     *
     * @return false when it was refused for now (back-pressure): the caller offers it again.
     */
    boolean offer(long intendedNs);

    /**
     * Deliver what came back, and do whatever else the sending side's thread must (re-offer refused events).
     *
     * @return how much work was done: 0 lets the caller idle.
     */
    int poll(Replies replies);

    /** Events the system refused after taking them (an epoch change under way) and that were offered again. */
    long refused();

    /** What the system sent so far, cumulative; read from the load thread (see {@link Traffic}). */
    Traffic traffic();

    /** Close everything and delete every directory. */
    void close();
}
