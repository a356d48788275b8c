package io.sequencer.core.codec;

import org.agrona.MutableDirectBuffer;

/**
 * {@code NewNode{identity, incarnation, counter, eventcounter, lastNormalEpoch}}: a (re)starting member, or one
 * left out of the active set, asks to be admitted; starts an epoch change. {@code counter} is the proposed epoch,
 * {@code have} the note's {@code eventcounter}.
 * <pre>
 *   0 header ({@link FrameHeader}: {@link FrameHeader#LENGTH} bytes)
 *  24 int32 identity
 *  28 int32 reserved (0)
 *  32 int64 incarnation
 *  40 int64 counter
 *  48 int64 have
 *  56 int64 lastNormalEpoch
 * </pre>
 */
public final class NewNodeFrame extends Frame
{
    public static final int IDENTITY_OFFSET = FrameHeader.LENGTH;
    public static final int RESERVED_OFFSET = FrameHeader.LENGTH + 4;
    public static final int INCARNATION_OFFSET = FrameHeader.LENGTH + 8;
    public static final int COUNTER_OFFSET = FrameHeader.LENGTH + 16;
    public static final int HAVE_OFFSET = FrameHeader.LENGTH + 24;
    public static final int LAST_NORMAL_EPOCH_OFFSET = FrameHeader.LENGTH + 32;
    public static final int LENGTH = FrameHeader.LENGTH + 40;

    public int type()
    {
        return MessageType.NEW_NODE;
    }

    public NewNodeFrame encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final int senderId,
        final int clusterId,
        final long epoch,
        final int identity,
        final long incarnation,
        final long counter,
        final long have,
        final long lastNormalEpoch)
    {
        wrapHeader(buffer, offset, senderId, clusterId, epoch);
        putInt(IDENTITY_OFFSET, identity);
        putInt(RESERVED_OFFSET, 0);
        putLong(INCARNATION_OFFSET, incarnation);
        putLong(COUNTER_OFFSET, counter);
        putLong(HAVE_OFFSET, have);
        putLong(LAST_NORMAL_EPOCH_OFFSET, lastNormalEpoch);
        length = LENGTH;
        return this;
    }

    public int identity()
    {
        return getInt(IDENTITY_OFFSET);
    }

    public long incarnation()
    {
        return getLong(INCARNATION_OFFSET);
    }

    public long counter()
    {
        return getLong(COUNTER_OFFSET);
    }

    public long have()
    {
        return getLong(HAVE_OFFSET);
    }

    public long lastNormalEpoch()
    {
        return getLong(LAST_NORMAL_EPOCH_OFFSET);
    }
}
