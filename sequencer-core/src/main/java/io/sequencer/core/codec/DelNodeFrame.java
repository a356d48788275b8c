package io.sequencer.core.codec;

import org.agrona.MutableDirectBuffer;

/**
 * {@code DelNode{identity, counter}}: the sender asks to take a suspected member out of the active set;
 * {@code counter} is the proposed epoch. Starts an epoch change.
 * <pre>
 *   0 header ({@link FrameHeader}: {@link FrameHeader#LENGTH} bytes)
 *  24 int32 identity
 *  28 int32 reserved (0)
 *  32 int64 counter
 * </pre>
 */
public final class DelNodeFrame extends Frame
{
    public static final int IDENTITY_OFFSET = FrameHeader.LENGTH;
    public static final int RESERVED_OFFSET = FrameHeader.LENGTH + 4;
    public static final int COUNTER_OFFSET = FrameHeader.LENGTH + 8;
    public static final int LENGTH = FrameHeader.LENGTH + 16;

    public int type()
    {
        return MessageType.DEL_NODE;
    }

    public DelNodeFrame encode(
        final MutableDirectBuffer buffer, final int offset, final int senderId, final int clusterId, final long epoch,
        final int identity, final long counter)
    {
        wrapHeader(buffer, offset, senderId, clusterId, epoch);
        putInt(IDENTITY_OFFSET, identity);
        putInt(RESERVED_OFFSET, 0);
        putLong(COUNTER_OFFSET, counter);
        length = LENGTH;
        return this;
    }

    public int identity()
    {
        return getInt(IDENTITY_OFFSET);
    }

    public long counter()
    {
        return getLong(COUNTER_OFFSET);
    }
}
