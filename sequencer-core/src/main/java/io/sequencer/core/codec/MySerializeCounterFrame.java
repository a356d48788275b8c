package io.sequencer.core.codec;

import org.agrona.MutableDirectBuffer;

/**
 * {@code MySerializeCounter{guaranteed, have, chkAtHave, lastNormalEpoch, intact, fetchProgress}}: the sender's
 * durability knowledge and log (docs/protocol.md §3 "Running mode", R7, R8); in boot mode it is the state report of B1
 * (§4 "Boot mode"). {@code have} is the sender's {@code ser_self}.
 * <pre>
 *   0 header ({@link FrameHeader}: {@link FrameHeader#LENGTH} bytes)
 *  24 int64 guaranteed
 *  32 int64 have
 *  40 int64 chkAtHave
 *  48 int64 lastNormalEpoch
 *  56 int64 fetchProgress
 *  64 int32 flags          bit 0: intact; bit 1: fresh (intact only by bootstrap, so only while the cluster
 *                          has never run); bit 2: the log holds an event after its last EpochStart; bit 3: the
 *                          sender holds no decision of the frame's epoch; other bits 0
 *  68 int32 hearsMask      bit i: the sender heard member index i within T_fd (itself included)
 * </pre>
 * {@link #encode} sets every bit of the hears mask; the protocol narrows it with {@link #hearsMask(int)}.
 */
public final class MySerializeCounterFrame extends Frame
{
    public static final int GUARANTEED_OFFSET = FrameHeader.LENGTH;
    public static final int HAVE_OFFSET = FrameHeader.LENGTH + 8;
    public static final int CHK_AT_HAVE_OFFSET = FrameHeader.LENGTH + 16;
    public static final int LAST_NORMAL_EPOCH_OFFSET = FrameHeader.LENGTH + 24;
    public static final int FETCH_PROGRESS_OFFSET = FrameHeader.LENGTH + 32;
    public static final int FLAGS_OFFSET = FrameHeader.LENGTH + 40;
    public static final int HEARS_MASK_OFFSET = FrameHeader.LENGTH + 44;
    public static final int LENGTH = FrameHeader.LENGTH + 48;

    public static final int FLAG_INTACT = 1;
    public static final int FLAG_FRESH = 2;
    public static final int FLAG_HOLDS_EVENTS = 4;
    public static final int FLAG_UNDECIDED = 8;
    public static final int KNOWN_FLAGS = FLAG_INTACT | FLAG_FRESH | FLAG_HOLDS_EVENTS | FLAG_UNDECIDED;

    public int type()
    {
        return MessageType.MY_SERIALIZE_COUNTER;
    }

    public MySerializeCounterFrame encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final int senderId,
        final int clusterId,
        final long epoch,
        final long guaranteed,
        final long have,
        final long chkAtHave,
        final long lastNormalEpoch,
        final boolean intact,
        final long fetchProgress)
    {
        wrapHeader(buffer, offset, senderId, clusterId, epoch);
        putLong(GUARANTEED_OFFSET, guaranteed);
        putLong(HAVE_OFFSET, have);
        putLong(CHK_AT_HAVE_OFFSET, chkAtHave);
        putLong(LAST_NORMAL_EPOCH_OFFSET, lastNormalEpoch);
        putLong(FETCH_PROGRESS_OFFSET, fetchProgress);
        putInt(FLAGS_OFFSET, intact ? FLAG_INTACT : 0);
        putInt(HEARS_MASK_OFFSET, -1);
        length = LENGTH;
        return this;
    }

    /** Set the members the sender hears, as a mask over member indexes. */
    public MySerializeCounterFrame hearsMask(final int mask)
    {
        putInt(HEARS_MASK_OFFSET, mask);
        return this;
    }

    /** Mark the report as one of a member that is intact only because it bootstrapped an empty log. */
    public MySerializeCounterFrame fresh()
    {
        putInt(FLAGS_OFFSET, getInt(FLAGS_OFFSET) | FLAG_FRESH);
        return this;
    }

    /** Mark the report as one of a log with an event after its last {@code EpochStart}. */
    public MySerializeCounterFrame holdsEvents()
    {
        putInt(FLAGS_OFFSET, getInt(FLAGS_OFFSET) | FLAG_HOLDS_EVENTS);
        return this;
    }

    /** Mark the report as one of a member that holds no decision of the frame's epoch. */
    public MySerializeCounterFrame undecided()
    {
        putInt(FLAGS_OFFSET, getInt(FLAGS_OFFSET) | FLAG_UNDECIDED);
        return this;
    }

    /** @return whether the sender holds no decision of the frame's epoch (it may have missed the coordinator's). */
    public boolean isUndecided()
    {
        return (getInt(FLAGS_OFFSET) & FLAG_UNDECIDED) != 0;
    }

    /**
     * @return whether the sender's log shows the cluster has run: an event after its last {@code EpochStart}, or a
     *         durable watermark above 0.
     */
    public boolean showsClusterRan()
    {
        return (getInt(FLAGS_OFFSET) & FLAG_HOLDS_EVENTS) != 0 || guaranteed() > 0;
    }

    public int hearsMask()
    {
        return getInt(HEARS_MASK_OFFSET);
    }

    public boolean isFresh()
    {
        return (getInt(FLAGS_OFFSET) & FLAG_FRESH) != 0;
    }

    public long guaranteed()
    {
        return getLong(GUARANTEED_OFFSET);
    }

    public long have()
    {
        return getLong(HAVE_OFFSET);
    }

    public long chkAtHave()
    {
        return getLong(CHK_AT_HAVE_OFFSET);
    }

    public long lastNormalEpoch()
    {
        return getLong(LAST_NORMAL_EPOCH_OFFSET);
    }

    public long fetchProgress()
    {
        return getLong(FETCH_PROGRESS_OFFSET);
    }

    public boolean intact()
    {
        return (getInt(FLAGS_OFFSET) & FLAG_INTACT) != 0;
    }

    public int flags()
    {
        return getInt(FLAGS_OFFSET);
    }
}
