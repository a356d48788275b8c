package io.sequencer.core.codec;

import org.agrona.MutableDirectBuffer;

/**
 * {@code MySerializeCounter{guaranteed, have, chkAtHave, lastNormalEpoch, intact, fetchProgress}}: the sender's
 * durability knowledge and log (PROTOCOL.md R7, R8); in boot mode it is the state report of B1.
 * {@code have} is the sender's {@code ser_self}.
 * <pre>
 *  16 int64 guaranteed
 *  24 int64 have
 *  32 int64 chkAtHave
 *  40 int64 lastNormalEpoch
 *  48 int64 fetchProgress
 *  56 int32 flags          bit 0: intact; other bits must be 0
 * </pre>
 */
public final class MySerializeCounterFrame extends Frame
{
    public static final int GUARANTEED_OFFSET = 16;
    public static final int HAVE_OFFSET = 24;
    public static final int CHK_AT_HAVE_OFFSET = 32;
    public static final int LAST_NORMAL_EPOCH_OFFSET = 40;
    public static final int FETCH_PROGRESS_OFFSET = 48;
    public static final int FLAGS_OFFSET = 56;
    public static final int LENGTH = 60;

    public static final int FLAG_INTACT = 1;
    public static final int KNOWN_FLAGS = FLAG_INTACT;

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
        length = LENGTH;
        return this;
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
