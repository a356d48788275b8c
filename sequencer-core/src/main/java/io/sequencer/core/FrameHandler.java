package io.sequencer.core;

import org.agrona.DirectBuffer;

/**
 * Receives frames polled from a {@link Transport}.
 */
@FunctionalInterface
public interface FrameHandler
{
    void onFrame(DirectBuffer buffer, int offset, int length);
}
