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
     * @param correlationId the id the caller gave at submit.
     * @param position      the event's position in the log.
     * @param status        {@link #OK} or {@link #APPLY_FAILED}.
     */
    void onCompleted(long correlationId, long position, int status, DirectBuffer result, int offset, int length);
}
