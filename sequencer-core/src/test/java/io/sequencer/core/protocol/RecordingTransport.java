package io.sequencer.core.protocol;

import io.sequencer.core.FrameHandler;
import io.sequencer.core.Transport;
import io.sequencer.core.codec.FrameHeader;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A transport for protocol unit tests: records every published frame and can refuse publications.
 */
final class RecordingTransport implements Transport
{
    final List<UnsafeBuffer> published = new ArrayList<>();
    boolean refuse;

    public boolean publish(final DirectBuffer buffer, final int offset, final int length)
    {
        if (refuse)
        {
            return false;
        }
        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        published.add(new UnsafeBuffer(copy));
        return true;
    }

    public int poll(final FrameHandler handler, final int limit)
    {
        return 0;
    }

    public void close()
    {
    }

    List<UnsafeBuffer> ofType(final int type)
    {
        final List<UnsafeBuffer> frames = new ArrayList<>();
        for (final UnsafeBuffer frame : published)
        {
            if (FrameHeader.type(frame, 0) == type)
            {
                frames.add(frame);
            }
        }
        return frames;
    }

    int typeAt(final int index)
    {
        return FrameHeader.type(published.get(index), 0);
    }
}
