package io.sequencer.core;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The user's deterministic state machine. Every node applies every event in log order, as it is serialized
 * (speculatively: the result is held until the event is durable on a quorum, docs/protocol.md §3 "Running mode", R6,
 * R9). After an epoch change cuts the log, the protocol rebuilds the state: {@link #reset()}, {@link #restore} of the
 * newest checkpoint at or below the cut, then {@link #apply} of every later entry.
 * <p>
 * Must be deterministic: the same events in the same order give the same state and results on every node.
 * Called only from the duty-cycle thread.
 */
public interface StateMachine
{
    /**
     * Apply the event at {@code position}.
     *
     * @param result where to write the result; at most {@code maxResultLength} bytes from {@code resultOffset}
     *               (the protocol's configured limit).
     * @return the length of the result written, 0..maxResultLength.
     */
    int apply(long position, DirectBuffer event, int offset, int length, MutableDirectBuffer result, int resultOffset);

    /** Return to the initial state: the state before position 1. */
    void reset();

    /**
     * Write the whole state into {@code buffer} from offset 0 (the buffer grows as needed).
     *
     * @return the snapshot's length.
     */
    int snapshot(ExpandableArrayBuffer buffer);

    /** Replace the whole state with a snapshot written by {@link #snapshot}. */
    void restore(DirectBuffer buffer, int offset, int length);
}
