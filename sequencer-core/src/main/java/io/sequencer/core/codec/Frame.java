package io.sequencer.core.codec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Base of the frame flyweights: a view over a buffer that either decodes a frame already checked by
 * {@link FrameValidator}, or encodes one in place. One instance is reused for every frame of its type.
 */
public abstract class Frame
{
    protected DirectBuffer buffer;
    protected MutableDirectBuffer mutableBuffer;
    protected int offset;
    protected int length;

    /** The message type this flyweight encodes and decodes. */
    public abstract int type();

    /**
     * Wrap a received frame for decoding. The frame must have passed {@link FrameValidator#validate}.
     */
    public final Frame wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.mutableBuffer = null;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /**
     * Start encoding a frame at {@code offset}: writes the header. Callers then set the body fields and take
     * {@link #encodedLength()}.
     */
    protected final void wrapHeader(
        final MutableDirectBuffer buffer, final int offset, final int senderId, final int clusterId, final long epoch)
    {
        this.buffer = buffer;
        this.mutableBuffer = buffer;
        this.offset = offset;
        FrameHeader.write(buffer, offset, type(), senderId, clusterId, epoch);
    }

    /** The whole frame's length in bytes, header included. */
    public int encodedLength()
    {
        return length;
    }

    public final int senderId()
    {
        return FrameHeader.senderId(buffer, offset);
    }

    public final int clusterId()
    {
        return FrameHeader.clusterId(buffer, offset);
    }

    public final long epoch()
    {
        return FrameHeader.epoch(buffer, offset);
    }

    protected final long getLong(final int fieldOffset)
    {
        return buffer.getLong(offset + fieldOffset, LITTLE_ENDIAN);
    }

    protected final int getInt(final int fieldOffset)
    {
        return buffer.getInt(offset + fieldOffset, LITTLE_ENDIAN);
    }

    protected final void putLong(final int fieldOffset, final long value)
    {
        mutableBuffer.putLong(offset + fieldOffset, value, LITTLE_ENDIAN);
    }

    protected final void putInt(final int fieldOffset, final int value)
    {
        mutableBuffer.putInt(offset + fieldOffset, value, LITTLE_ENDIAN);
    }
}
