package io.sequencer.core;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The user's deterministic state machine. Every node applies every event in log order, as it is serialized
 * (speculatively: the result is held until the event is durable on a quorum, PROTOCOL.md R6, R9).
 * <p>
 * Must be deterministic: the same events in the same order give the same state and results on every node.
 * Called only from the duty-cycle thread.
 */
@FunctionalInterface
public interface StateMachine
{
    /**
     * Apply the event at {@code position}.
     *
     * @param result       where to write the result; at most {@code maxResultLength} bytes from
     *                     {@code resultOffset} (the protocol's configured limit).
     * @return the length of the result written, 0..maxResultLength.
     */
    int apply(long position, DirectBuffer event, int offset, int length, MutableDirectBuffer result, int resultOffset);
}
