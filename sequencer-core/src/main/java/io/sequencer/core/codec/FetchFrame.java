package io.sequencer.core.codec;

import org.agrona.MutableDirectBuffer;

/**
 * {@code Fetch{target, kind, from, to}}: the sender asks member {@code target} for
 * <ul>
 * <li>{@link #ENTRIES}: its log entries at positions {@code from..to} inclusive (catch-up, docs/protocol.md §4 "Boot
 * mode", B5), asked of the epoch's base owner;</li>
 * <li>{@link #ENTRIES_OF_EPOCH}: the same, asked of another member, which serves them only if its log holds the
 * epoch's log from the base (aligned to the epoch), and otherwise drops the request (B5: a member that cannot reach
 * the base owner fetches from one that holds what it holds);</li>
 * <li>{@link #SNAPSHOT}: the bytes of its checkpoint at {@code from} (0: its newest) from byte {@code to} on, a
 * window of several frames (snapshot transfer, §13);</li>
 * <li>{@link #SNAPSHOT_DAMAGED}: nothing; its checkpoint at {@code from} did not pass the receiver's check, so the
 * target checks it and, if damaged, offers another.</li>
 * </ul>
 * <pre>
 *   0 header ({@link FrameHeader}: {@link FrameHeader#LENGTH} bytes)
 *  24 int32 target member id
 *  28 int32 kind
 *  32 int64 from
 *  40 int64 to
 * </pre>
 */
public final class FetchFrame extends Frame
{
    public static final int ENTRIES = 0;
    public static final int SNAPSHOT = 1;
    public static final int SNAPSHOT_DAMAGED = 2;
    public static final int ENTRIES_OF_EPOCH = 3;

    public static final int TARGET_OFFSET = FrameHeader.LENGTH;
    public static final int KIND_OFFSET = FrameHeader.LENGTH + 4;
    public static final int FROM_OFFSET = FrameHeader.LENGTH + 8;
    public static final int TO_OFFSET = FrameHeader.LENGTH + 16;
    public static final int LENGTH = FrameHeader.LENGTH + 24;

    public int type()
    {
        return MessageType.FETCH;
    }

    public FetchFrame encode(
        final MutableDirectBuffer buffer, final int offset, final int senderId, final int clusterId, final long epoch,
        final int target, final long from, final long to)
    {
        return encode(buffer, offset, senderId, clusterId, epoch, target, ENTRIES, from, to);
    }

    public FetchFrame encode(
        final MutableDirectBuffer buffer, final int offset, final int senderId, final int clusterId, final long epoch,
        final int target, final int kind, final long from, final long to)
    {
        wrapHeader(buffer, offset, senderId, clusterId, epoch);
        putInt(TARGET_OFFSET, target);
        putInt(KIND_OFFSET, kind);
        putLong(FROM_OFFSET, from);
        putLong(TO_OFFSET, to);
        length = LENGTH;
        return this;
    }

    public int target()
    {
        return getInt(TARGET_OFFSET);
    }

    public int kind()
    {
        return getInt(KIND_OFFSET);
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
