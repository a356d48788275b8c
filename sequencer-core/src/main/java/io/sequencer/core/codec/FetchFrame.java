package io.sequencer.core.codec;

import org.agrona.MutableDirectBuffer;

/**
 * {@code Fetch{target, from, to}}: the sender asks member {@code target} for its log entries at positions
 * {@code from..to} inclusive (catch-up, docs/protocol.md §4 "Boot mode", B5).
 * <pre>
 *  16 int32 target member id
 *  20 int32 reserved (0)
 *  24 int64 from
 *  32 int64 to
 * </pre>
 */
public final class FetchFrame extends Frame
{
    public static final int TARGET_OFFSET = 16;
    public static final int RESERVED_OFFSET = 20;
    public static final int FROM_OFFSET = 24;
    public static final int TO_OFFSET = 32;
    public static final int LENGTH = 40;

    public int type()
    {
        return MessageType.FETCH;
    }

    public FetchFrame encode(
        final MutableDirectBuffer buffer, final int offset, final int senderId, final int clusterId, final long epoch,
        final int target, final long from, final long to)
    {
        wrapHeader(buffer, offset, senderId, clusterId, epoch);
        putInt(TARGET_OFFSET, target);
        putInt(RESERVED_OFFSET, 0);
        putLong(FROM_OFFSET, from);
        putLong(TO_OFFSET, to);
        length = LENGTH;
        return this;
    }

    public int target()
    {
        return getInt(TARGET_OFFSET);
    }

    public long from()
    {
        return getLong(FROM_OFFSET);
    }

    public long to()
    {
        return getLong(TO_OFFSET);
    }
}
