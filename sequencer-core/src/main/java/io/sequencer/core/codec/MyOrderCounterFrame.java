package io.sequencer.core.codec;

import org.agrona.MutableDirectBuffer;

/**
 * {@code MyOrderCounter{counter}}: a promise that every {@code NewEvent} the sender publishes later in this epoch
 * carries a counter above {@code counter}.
 * <pre>
 *   0 header ({@link FrameHeader}: {@link FrameHeader#LENGTH} bytes)
 *  24 int64 counter
 *  32 int32 hearsMask      bit i: the sender heard member index i within T_fd (itself included)
 * </pre>
 * The hears mask is what makes a frame a sign of life (docs/protocol.md, "Liveness under one-way faults"):
 * {@link #encode} sets every bit, and the protocol narrows it with {@link #hearsMask(int)}.
 */
public final class MyOrderCounterFrame extends Frame
{
    public static final int COUNTER_OFFSET = FrameHeader.LENGTH;
    public static final int HEARS_MASK_OFFSET = FrameHeader.LENGTH + 8;
    public static final int LENGTH = FrameHeader.LENGTH + 12;

    public int type()
    {
        return MessageType.MY_ORDER_COUNTER;
    }

    public MyOrderCounterFrame encode(
        final MutableDirectBuffer buffer, final int offset, final int senderId, final int clusterId, final long epoch,
        final long counter)
    {
        wrapHeader(buffer, offset, senderId, clusterId, epoch);
        putLong(COUNTER_OFFSET, counter);
        putInt(HEARS_MASK_OFFSET, -1);
        length = LENGTH;
        return this;
    }

    /** Set the members the sender hears, as a mask over member indexes. */
    public MyOrderCounterFrame hearsMask(final int mask)
    {
        putInt(HEARS_MASK_OFFSET, mask);
        return this;
    }

    public int hearsMask()
    {
        return getInt(HEARS_MASK_OFFSET);
    }

    public long counter()
    {
        return getLong(COUNTER_OFFSET);
    }
}
