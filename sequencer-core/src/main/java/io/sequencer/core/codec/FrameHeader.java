package io.sequencer.core.codec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The header every frame starts with: {@code {type, senderId, clusterId, epoch}}, little-endian.
 * <pre>
 *   0  int16  type       ({@link MessageType})
 *   2  int16  senderId   (member id)
 *   4  int32  clusterId
 *   8  int64  epoch
 * </pre>
 * Static accessors only: the header is read before the frame is known to be valid, so each read here is
 * preceded by a length check in {@link FrameValidator}.
 */
public final class FrameHeader
{
    public static final int TYPE_OFFSET = 0;
    public static final int SENDER_OFFSET = 2;
    public static final int CLUSTER_ID_OFFSET = 4;
    public static final int EPOCH_OFFSET = 8;
    public static final int LENGTH = 16;

    private FrameHeader()
    {
    }

    public static void write(
        final MutableDirectBuffer buffer, final int offset, final int type, final int senderId, final int clusterId,
        final long epoch)
    {
        buffer.putShort(offset + TYPE_OFFSET, (short)type, LITTLE_ENDIAN);
        buffer.putShort(offset + SENDER_OFFSET, (short)senderId, LITTLE_ENDIAN);
        buffer.putInt(offset + CLUSTER_ID_OFFSET, clusterId, LITTLE_ENDIAN);
        buffer.putLong(offset + EPOCH_OFFSET, epoch, LITTLE_ENDIAN);
    }

    public static int type(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + TYPE_OFFSET, LITTLE_ENDIAN);
    }

    public static int senderId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + SENDER_OFFSET, LITTLE_ENDIAN);
    }

    public static int clusterId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + CLUSTER_ID_OFFSET, LITTLE_ENDIAN);
    }

    public static long epoch(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + EPOCH_OFFSET, LITTLE_ENDIAN);
    }
}
