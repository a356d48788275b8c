package io.sequencer.core;

import io.sequencer.core.codec.DropReason;
import io.sequencer.core.codec.MessageType;

/**
 * What one node's protocol counts. Plain fields written by the duty-cycle thread; the node module publishes them
 * as off-heap counters for other processes.
 */
public final class ProtocolCounters
{
    private final long[] dropped = new long[DropReason.values().length];
    private final long[] framesIn = new long[MessageType.COUNT];
    private final long[] framesOut = new long[MessageType.COUNT];
    long submitted;
    long submitsRefused;
    long completed;
    long serialized;
    long publishBackPressure;
    long suspicions;
    long applyErrors;
    long reportChkMismatches;

    void dropped(final int reasonOrdinal)
    {
        dropped[reasonOrdinal]++;
    }

    void frameIn(final int type)
    {
        framesIn[MessageType.isValid(type) ? type : 0]++;
    }

    void frameOut(final int type)
    {
        framesOut[type]++;
    }

    public long dropped(final DropReason reason)
    {
        return dropped[reason.ordinal()];
    }

    public long droppedTotal()
    {
        long total = 0;
        for (final long d : dropped)
        {
            total += d;
        }
        return total;
    }

    /** Frames received of {@code type}, valid or not; type 0 counts frames whose type is unknown. */
    public long framesIn(final int type)
    {
        return framesIn[type];
    }

    public long framesOut(final int type)
    {
        return framesOut[type];
    }

    public long submitted()
    {
        return submitted;
    }

    public long submitsRefused()
    {
        return submitsRefused;
    }

    public long completed()
    {
        return completed;
    }

    public long serialized()
    {
        return serialized;
    }

    public long publishBackPressure()
    {
        return publishBackPressure;
    }

    public long suspicions()
    {
        return suspicions;
    }

    public long applyErrors()
    {
        return applyErrors;
    }

    public long reportChkMismatches()
    {
        return reportChkMismatches;
    }
}
