package io.sequencer.core;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The payload of an {@code EpochStart} entry: the configuration {@code C} and the active set {@code A}.
 * <pre>
 *   0 uint8 memberCount
 *   1 uint8 memberIds[memberCount]
 *   . uint8 activeMask  (bit i: C[i] is in A)
 * </pre>
 */
public final class MemberSet
{
    public static final int MAX_LENGTH = 2 + ClusterConfig.MAX_MEMBERS;

    private MemberSet()
    {
    }

    /** @return the encoded length. */
    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final ClusterConfig config, final int activeMask)
    {
        final int n = config.size();
        buffer.putByte(offset, (byte)n);
        for (int i = 0; i < n; i++)
        {
            buffer.putByte(offset + 1 + i, (byte)config.memberId(i));
        }
        buffer.putByte(offset + 1 + n, (byte)activeMask);
        return n + 2;
    }

    /** @return the active mask of an encoded member set, or -1 when the bytes are not a valid member set. */
    public static int activeMask(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 3)
        {
            return -1;
        }
        final int n = buffer.getByte(offset) & 0xFF;
        if (n < 1 || n > ClusterConfig.MAX_MEMBERS || length != n + 2)
        {
            return -1;
        }
        return buffer.getByte(offset + 1 + n) & 0xFF;
    }

    /** @return whether member {@code memberId} is in the active set of an encoded member set (false if invalid). */
    public static boolean isActive(final DirectBuffer buffer, final int offset, final int length, final int memberId)
    {
        final int mask = activeMask(buffer, offset, length);
        if (mask < 0)
        {
            return false;
        }
        final int n = buffer.getByte(offset) & 0xFF;
        for (int i = 0; i < n; i++)
        {
            if ((buffer.getByte(offset + 1 + i) & 0xFF) == memberId)
            {
                return (mask & (1 << i)) != 0;
            }
        }
        return false;
    }

    public static String toString(final DirectBuffer buffer, final int offset, final int length)
    {
        final int mask = activeMask(buffer, offset, length);
        if (mask < 0)
        {
            return "invalid";
        }
        final int n = buffer.getByte(offset) & 0xFF;
        final StringBuilder sb = new StringBuilder("C=[");
        for (int i = 0; i < n; i++)
        {
            sb.append(i == 0 ? "" : ",").append(buffer.getByte(offset + 1 + i) & 0xFF);
        }
        sb.append("] A=[");
        boolean first = true;
        for (int i = 0; i < n; i++)
        {
            if ((mask & (1 << i)) != 0)
            {
                sb.append(first ? "" : ",").append(buffer.getByte(offset + 1 + i) & 0xFF);
                first = false;
            }
        }
        return sb.append(']').toString();
    }
}
