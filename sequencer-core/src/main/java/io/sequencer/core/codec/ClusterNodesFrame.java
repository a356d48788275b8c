package io.sequencer.core.codec;

import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * {@code ClusterNodes{E', C', A', N, chkAtN}}: the coordinator's one decision for epoch {@code E'}
 * (docs/protocol.md §4 "Boot mode", B4). {@code C'} is an ordered list of 1 to 3 member ids; {@code A'} a bit mask over
 * its indexes.
 * <pre>
 *   0 header ({@link FrameHeader}: {@link FrameHeader#LENGTH} bytes)
 *  24 int64 newEpoch
 *  32 int64 n
 *  40 int64 chkAtN
 *  48 int32 memberCount   1..3
 *  52 int32 activeMask    non-empty subset of (1 &lt;&lt; memberCount) - 1
 *  56 int16[3] memberIds  0..255, distinct; unused slots -1
 *  62 int16 baseOwner     the member whose log is the base (one of memberIds): catch-up fetches from it
 * </pre>
 */
public final class ClusterNodesFrame extends Frame
{
    public static final int NEW_EPOCH_OFFSET = FrameHeader.LENGTH;
    public static final int N_OFFSET = FrameHeader.LENGTH + 8;
    public static final int CHK_AT_N_OFFSET = FrameHeader.LENGTH + 16;
    public static final int MEMBER_COUNT_OFFSET = FrameHeader.LENGTH + 24;
    public static final int ACTIVE_MASK_OFFSET = FrameHeader.LENGTH + 28;
    public static final int MEMBER_IDS_OFFSET = FrameHeader.LENGTH + 32;
    public static final int BASE_OWNER_OFFSET = FrameHeader.LENGTH + 38;
    public static final int LENGTH = FrameHeader.LENGTH + 40;
    public static final int MAX_MEMBERS = 3;
    public static final int MAX_MEMBER_ID = 255;

    public int type()
    {
        return MessageType.CLUSTER_NODES;
    }

    /**
     * @param memberIds {@code C'}: the first {@code memberCount} ids are used.
     */
    public ClusterNodesFrame encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final int senderId,
        final int clusterId,
        final long epoch,
        final long newEpoch,
        final long n,
        final long chkAtN,
        final int[] memberIds,
        final int memberCount,
        final int activeMask,
        final int baseOwner)
    {
        wrapHeader(buffer, offset, senderId, clusterId, epoch);
        putLong(NEW_EPOCH_OFFSET, newEpoch);
        putLong(N_OFFSET, n);
        putLong(CHK_AT_N_OFFSET, chkAtN);
        putInt(MEMBER_COUNT_OFFSET, memberCount);
        putInt(ACTIVE_MASK_OFFSET, activeMask);
        for (int i = 0; i < MAX_MEMBERS; i++)
        {
            buffer.putShort(
                offset + MEMBER_IDS_OFFSET + 2 * i, (short)(i < memberCount ? memberIds[i] : -1), LITTLE_ENDIAN);
        }
        buffer.putShort(offset + BASE_OWNER_OFFSET, (short)baseOwner, LITTLE_ENDIAN);
        length = LENGTH;
        return this;
    }

    public long newEpoch()
    {
        return getLong(NEW_EPOCH_OFFSET);
    }

    public long n()
    {
        return getLong(N_OFFSET);
    }

    public long chkAtN()
    {
        return getLong(CHK_AT_N_OFFSET);
    }

    public int memberCount()
    {
        return getInt(MEMBER_COUNT_OFFSET);
    }

    public int activeMask()
    {
        return getInt(ACTIVE_MASK_OFFSET);
    }

    public int memberId(final int index)
    {
        return buffer.getShort(offset + MEMBER_IDS_OFFSET + 2 * index, LITTLE_ENDIAN);
    }

    public int baseOwner()
    {
        return buffer.getShort(offset + BASE_OWNER_OFFSET, LITTLE_ENDIAN);
    }

    /** Field checks beyond the length: called by {@link FrameValidator}. */
    boolean fieldsValid()
    {
        final int count = memberCount();
        if (count < 1 || count > MAX_MEMBERS)
        {
            return false;
        }
        final int mask = activeMask();
        if (mask == 0 || (mask & ~((1 << count) - 1)) != 0)
        {
            return false;
        }
        for (int i = 0; i < MAX_MEMBERS; i++)
        {
            final int id = memberId(i);
            if (i < count)
            {
                if (id < 0 || id > MAX_MEMBER_ID)
                {
                    return false;
                }
                for (int k = 0; k < i; k++)
                {
                    if (memberId(k) == id)
                    {
                        return false;
                    }
                }
            }
            else if (id != -1)
            {
                return false;
            }
        }
        final int baseOwner = baseOwner();
        boolean baseOwnerIsMember = false;
        for (int i = 0; i < count; i++)
        {
            baseOwnerIsMember |= memberId(i) == baseOwner;
        }
        return baseOwnerIsMember && newEpoch() > 0 && n() >= 0;
    }
}
