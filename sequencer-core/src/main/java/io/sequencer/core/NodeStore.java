package io.sequencer.core;

/**
 * The small persistent state of a node beside its log (docs/protocol.md §1, "State"): the epoch it promised to take
 * part in, its watermark (lazily), the amnesia flag, the boot id its log was written under, and the intent of an unroll
 * in progress. Every write is durable when the call returns: these change only at epoch changes.
 */
public interface NodeStore extends AutoCloseable
{
    /** @return true once a node has ever run on this store (false for a new or wiped one). */
    boolean initialized();

    /** Mark the store as belonging to a member of this cluster. */
    void initialize();

    /** @return the {@link EventLog#logId()} of the log this state belongs to; 0 before one was recorded. */
    long logId();

    void logId(long logId);

    /**
     * @return the highest log position this node recorded as written (at each epoch change and unroll): a log that
     *         opens shorter than this lost entries it once held.
     */
    long highWater();

    void highWater(long position);

    long currentEpoch();

    /**
     * B1 in one durable write: the new epoch, and the watermark and high-water mark where they rose (an epoch change
     * is on the failover path; each separate write is a file replaced and forced).
     */
    default void epochChange(final long epoch, final long guaranteed, final long highWater)
    {
        currentEpoch(epoch);
        if (guaranteed > guaranteed())
        {
            guaranteed(guaranteed);
        }
        if (highWater > highWater())
        {
            highWater(highWater);
        }
    }

    void currentEpoch(long epoch);

    long guaranteed();

    void guaranteed(long guaranteed);

    boolean amnesia();

    void amnesia(boolean amnesia);

    /** The OS boot id recorded with the log; a different one at start means the machine lost power or rebooted. */
    long bootId();

    void bootId(long bootId);

    /** @return the position an unroll in progress cuts to, or -1 when none is in progress. */
    long unrollIntent();

    void unrollIntent(long position);

    void close();
}
