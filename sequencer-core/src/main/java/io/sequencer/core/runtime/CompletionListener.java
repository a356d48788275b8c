package io.sequencer.core.runtime;

import org.agrona.DirectBuffer;

/**
 * What a {@link SequencerClient} hears about its submits, on the client's own thread when it polls.
 */
public interface CompletionListener
{
    /**
     * The event is durable on a quorum at {@code position}; {@code result} is what the state machine returned
     * (valid only during the call).
     *
     * @param status {@link io.sequencer.core.CompletionHandler#OK}, or
     *               {@link io.sequencer.core.CompletionHandler#APPLY_FAILED} if the state machine threw,
     *               {@link io.sequencer.core.CompletionHandler#RESULT_UNKNOWN} if it was applied before a snapshot
     *               this member installed (its result is empty).
     */
    void onCompleted(long correlationId, long position, int status, DirectBuffer result, int offset, int length);

    /**
     * The node refused the submit; nothing of it was accepted.
     *
     * @param status a negative {@link io.sequencer.core.SubmitStatus} code: {@code NOT_RUNNING} (an epoch change is
     *               in progress: retry shortly), {@code BACK_PRESSURED} or {@code TOO_LARGE}.
     */
    void onRejected(long correlationId, int status);
}
