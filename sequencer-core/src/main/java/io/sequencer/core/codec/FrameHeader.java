package io.sequencer.core.codec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The header every frame starts with: {@code {type, version, senderId, clusterId, epoch}}, little-endian.
 * <pre>
 *   0  uint8  type       ({@link MessageType})
 *   1  uint8  version    ({@link #WIRE_VERSION}: the layout of every frame and of the transport's batch)
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
    public static final int VERSION_OFFSET = 1;
    /**
     * The wire version this build writes and the only one it reads. Version 0 was the layout before the version
     * byte existed (a 16-bit type whose high byte was always 0), so frames of those releases are recognised as
     * another version too. A change to any frame's layout, or to how the transport lays the channel out, raises it;
     * frames of another version are dropped and counted ({@link DropReason#UNSUPPORTED_VERSION}), so members of two
     * wire versions never misread each other (docs/protocol.md §2). Version 2: on multicast each member publishes on
     * a port of its own (the channel's port + its index); a member of version 1 publishes on the channel's port only,
     * where a member of version 2 hears only index 0, so the two would run a partial mesh instead of not at all.
     */
    public static final int WIRE_VERSION = 2;
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
        buffer.putByte(offset + TYPE_OFFSET, (byte)type);
        buffer.putByte(offset + VERSION_OFFSET, (byte)WIRE_VERSION);
        buffer.putShort(offset + SENDER_OFFSET, (short)senderId, LITTLE_ENDIAN);
        buffer.putInt(offset + CLUSTER_ID_OFFSET, clusterId, LITTLE_ENDIAN);
        buffer.putLong(offset + EPOCH_OFFSET, epoch, LITTLE_ENDIAN);
    }

    public static int type(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + TYPE_OFFSET) & 0xFF;
    }

    public static int version(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + VERSION_OFFSET) & 0xFF;
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
