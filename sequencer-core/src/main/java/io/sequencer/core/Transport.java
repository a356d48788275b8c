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
     * Send what {@link #publish} has accepted and not yet sent, in the order it was published. A transport may hold
     * the frames of one duty cycle back so that they travel together (one message per cycle instead of one per
     * frame); the duty cycle calls this once at its end (and before an fsync, so that frames never wait for one). A
     * frame accepted by {@code publish} is not dropped while the transport lives: one it cannot send now
     * (back-pressure) it sends on a later call, before anything published after it, and until then {@code publish}
     * refuses what does not fit beside it. Frames still held when the transport closes or the process dies are lost,
     * as a dying publisher's last frames may be (docs/protocol.md §0).
     *
     * @return the messages sent; 0 when nothing was waiting, or nothing could be sent yet. A transport that sends
     *         each frame as it is published has nothing to do here.
     */
    default int flush()
    {
        return 0;
    }

    /**
     * Deliver up to {@code limit} received frames to {@code handler}.
     *
     * @return the number of frames delivered.
     */
    int poll(FrameHandler handler, int limit);

    void close();
}
