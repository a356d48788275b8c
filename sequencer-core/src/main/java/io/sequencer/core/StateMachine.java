package io.sequencer.core;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The user's deterministic state machine. Every node applies every event in log order, as it is serialized
 * (speculatively: the result is held until the event is durable on a quorum, docs/protocol.md §3 "Running mode", R6,
 * R9). After an epoch change cuts the log, the protocol rebuilds the state: {@link #reset()}, {@link #restore} of the
 * newest checkpoint at or below the cut, then {@link #apply} of every later entry.
 * <p>
 * Must be deterministic: the same events in the same order give the same state and results on every node. Time comes
 * from the {@link ClusterClock} given to {@link #onStart}, never from a local clock, and timers scheduled on it fire
 * through {@link #onTimer} at the same position on every node (docs/protocol.md §12). Timers and the cluster time are
 * kept, checkpointed and restored by the protocol: {@link #snapshot} need not hold them.
 * Each instance is called from one thread: the duty cycle's, or, for the second instance that writes checkpoints,
 * the snapshot thread's (docs/protocol.md §5).
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

    /**
     * Called once, before anything is applied, with the cluster's deterministic clock and timers. The default
     * ignores it: a state machine that needs neither time nor timers need not implement this.
     */
    default void onStart(final ClusterClock clock)
    {
    }

    /**
     * A timer scheduled on the {@link ClusterClock} is due: the cluster time reached {@code deadlineNs} at the entry at
     * {@code position}, and fires before that entry is applied. Its effects are replicated like an event's, but no
     * caller waits for them: nothing is returned.
     */
    default void onTimer(final long position, final long timerId, final long deadlineNs)
    {
    }

    /** Return to the initial state: the state before position 1. */
    void reset();

    /**
     * Write the whole state to {@code out}, of any length: it goes to disk a chunk at a time. Called on the snapshot
     * thread, on the instance that thread owns ({@link Snapshotter}), never on the one the duty cycle applies to.
     */
    void snapshot(SnapshotWriter out);

    /**
     * Replace the whole state with a snapshot written by {@link #snapshot}. Throw (any {@link RuntimeException}) when
     * it is not one: the checkpoint is then skipped and an older one tried.
     */
    void restore(SnapshotReader in);
}
