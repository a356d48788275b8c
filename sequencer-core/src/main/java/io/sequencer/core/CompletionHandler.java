package io.sequencer.core;

import org.agrona.DirectBuffer;

/**
 * Receives the outcome of this node's own submitted events, only once each is durable on a quorum
 * (docs/protocol.md §3 "Running mode", R9), in submission order.
 */
@FunctionalInterface
public interface CompletionHandler
{
    /** The state machine returned a result. */
    int OK = 0;

    /** The state machine threw while applying the event: the event is durable, its result is empty. */
    int APPLY_FAILED = 1;

    /**
     * The event is durable at its position, but this member installed a snapshot taken after it (docs/protocol.md
     * §13) while the event was in flight: the state machine applied it on another member, and its result is not
     * known here (empty), and when it lies at or below the base of the installed log its position is not known
     * either (0). Rare: the member that submitted it was far behind when it came back.
     */
    int RESULT_UNKNOWN = 2;

    /**
     * @param correlationId the id the caller gave at submit.
     * @param position      the event's position in the log; 0 only with {@link #RESULT_UNKNOWN}.
     * @param status        {@link #OK}, {@link #APPLY_FAILED} or {@link #RESULT_UNKNOWN}.
     */
    void onCompleted(long correlationId, long position, int status, DirectBuffer result, int offset, int length);
}
