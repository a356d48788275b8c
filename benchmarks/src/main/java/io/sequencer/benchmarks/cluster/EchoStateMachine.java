package io.sequencer.benchmarks.cluster;

import io.sequencer.core.SnapshotReader;
import io.sequencer.core.SnapshotWriter;
import io.sequencer.core.StateMachine;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The project's side of the echo comparison: no state, and each event's result is the event itself (up to the
 * protocol's result limit), as Aeron Cluster's echo service sends each message back to its session. The caller reads
 * the intended send time back from the result.
 */
final class EchoStateMachine implements StateMachine
{
    private final int maxResultLength;

    EchoStateMachine(final int maxResultLength)
    {
        this.maxResultLength = maxResultLength;
    }

    public int apply(final long position, final DirectBuffer event, final int offset, final int length,
        final MutableDirectBuffer result, final int resultOffset)
    {
        final int echoed = Math.min(length, maxResultLength);
        result.putBytes(resultOffset, event, offset, echoed);
        return echoed;
    }

    public void reset()
    {
    }

    public void snapshot(final SnapshotWriter out)
    {
    }

    public void restore(final SnapshotReader in)
    {
    }
}
