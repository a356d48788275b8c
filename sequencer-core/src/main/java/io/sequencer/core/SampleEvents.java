package io.sequencer.core;

import org.agrona.MutableDirectBuffer;

/**
 * A {@link StateMachine} that can make sample events of its own kind, for load that exercises it: the {@code node}
 * command's {@code --load} submits them at a fixed rate. Optional; a state machine without it runs on a node that
 * submits nothing itself.
 */
public interface SampleEvents
{
    /**
     * Write sample event {@code eventId} of member {@code memberId}'s load into {@code buffer} from {@code offset}: a
     * valid event for this state machine, derived from its arguments only. {@code eventId} is unique in the cluster;
     * carrying it in the event (as the demo ledger does, at bytes 16..23) lets a test find each acknowledged event in
     * the log ({@code sequencer log check-acks}).
     *
     * @return the event's length, at most {@code buffer.capacity() - offset} (the cluster's maxEventLength).
     */
    int sampleEvent(int memberId, long eventId, MutableDirectBuffer buffer, int offset);
}
