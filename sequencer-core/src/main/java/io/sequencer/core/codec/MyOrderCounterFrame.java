package io.sequencer.core.codec;

import org.agrona.MutableDirectBuffer;

/**
 * {@code MyOrderCounter{counter}}: a promise that every {@code NewEvent} the sender publishes later in this epoch
 * carries a counter above {@code counter}.
 * <pre>
 *  16 int64 counter
 * </pre>
 */
public final class MyOrderCounterFrame extends Frame
{
    public static final int COUNTER_OFFSET = 16;
    public static final int LENGTH = 24;

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
        length = LENGTH;
        return this;
    }

    public long counter()
    {
        return getLong(COUNTER_OFFSET);
    }
}
