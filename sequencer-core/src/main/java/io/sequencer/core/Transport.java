package io.sequencer.core;

import org.agrona.DirectBuffer;

/**
 * The shared channel as one node sees it: per-publisher FIFO and reliable while the publisher lives; no order
 * across publishers (docs/protocol.md §0, "Terms": channel). A node may receive its own frames back (multicast loops
 * them); the protocol ignores them.
 */
public interface Transport extends AutoCloseable
{
    /**
     * Publish one frame to every other member.
     *
     * @return false when the frame was not sent (back-pressure or no connected peer): the caller retries later.
     *         Never blocks or spins.
     */
    boolean publish(DirectBuffer buffer, int offset, int length);

    /**
     * Deliver up to {@code limit} received frames to {@code handler}.
     *
     * @return the number of frames delivered.
     */
    int poll(FrameHandler handler, int limit);

    void close();
}
