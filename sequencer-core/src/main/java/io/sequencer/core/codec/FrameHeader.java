package io.sequencer.core.codec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The header every frame starts with: {@code {type, version, schemaId, senderId, clusterId, configuration, epoch}},
 * little-endian.
 * <pre>
 *   0  uint8  type       ({@link MessageType})
 *   1  uint8  version    ({@link #WIRE_VERSION}: the layout of every frame and of the transport's batch)
 *   2  uint16 schemaId   ({@link #SCHEMA_ID}: whose frames these are)
 *   4  int16  senderId   (member id)
 *   6  int16  reserved   (written 0, not read)
 *   8  int32  clusterId
 *  12  int32  config     (the sender's member list and durability, {@code ClusterConfig.configurationWord};
 *                       0: not said)
 *  16  int64  epoch
 * </pre>
 * Bytes 0..3 identify the frame and stay where they are in every later version: a receiver checks the schema id,
 * then the version, before it reads anything else, so it never reads another layout's bytes as its own. The
 * reserved bytes keep every field, and every frame's body after the header, on its natural alignment, and leave
 * room for a field without moving every body offset again.
 * <p>
 * Static accessors only: the header is read before the frame is known to be valid, so each read here is
 * preceded by a length check in {@link FrameValidator}.
 */
public final class FrameHeader
{
    public static final int TYPE_OFFSET = 0;
    public static final int VERSION_OFFSET = 1;
    public static final int SCHEMA_ID_OFFSET = 2;
    public static final int SENDER_OFFSET = 4;
    public static final int RESERVED_SHORT_OFFSET = 6;
    public static final int CLUSTER_ID_OFFSET = 8;
    /**
     * The sender's configuration ({@code ClusterConfig.configurationWord}: its member list and durability): a receiver
     * whose configuration differs drops the frame ({@link DropReason#OTHER_CONFIGURATION}), so that members configured
     * differently (each counting its own quorum, or one counting reports another never forced) never take each other's
     * frames. The codecs write 0 ("not said", what the reserved bytes of earlier builds of this wire version held, and
     * what tests and tools write); the protocol stamps every frame it sends
     * ({@link #configuration(MutableDirectBuffer, int, int)}).
     */
    public static final int CONFIGURATION_OFFSET = 12;
    public static final int EPOCH_OFFSET = 16;
    public static final int LENGTH = 24;

    /**
     * This project's wire schema: the frames of the sequencer's protocol and the transport's batch, whatever their
     * version. Little-endian, its bytes are "SQ". Another value is another protocol's traffic on our channel (a
     * misconfigured port, a stray sender): dropped and counted ({@link DropReason#UNKNOWN_SCHEMA}), never read.
     */
    public static final int SCHEMA_ID = 0x5153;

    /**
     * The wire version this build writes and the only one it reads. Version 0 was the layout before the version
     * byte existed (a 16-bit type whose high byte was always 0), so frames of those releases are recognised as
     * another version too. A change to any frame's layout, or to how the transport lays the channel out, raises it;
     * frames of another version are dropped and counted ({@link DropReason#UNSUPPORTED_VERSION}), so members of two
     * wire versions never misread each other (docs/protocol.md §2). Version 2: on multicast each member publishes on
     * a port of its own (the channel's port + its index); a member of version 1 publishes on the channel's port only,
     * where a member of version 2 hears only index 0, so the two would run a partial mesh instead of not at all.
     * Version 3: the schema id at bytes 2..3 and a 24-byte header (the sender id moved to bytes 4..5, the cluster id
     * to 8..11, the epoch to 16..23, so every frame's body moved 8 bytes on), and the batch's header likewise; a
     * member of version 2 still finds the version at byte 1 and drops a frame of version 3 as another version.
     */
    public static final int WIRE_VERSION = 3;

    /**
     * The first version with a schema id. In a frame of an earlier version (0..2) bytes 2..3 hold its sender id, so
     * such a frame is recognised by its version byte as one of this schema's older releases.
     */
    public static final int FIRST_SCHEMA_VERSION = 3;

    private FrameHeader()
    {
    }

    public static void write(
        final MutableDirectBuffer buffer, final int offset, final int type, final int senderId, final int clusterId,
        final long epoch)
    {
        buffer.putByte(offset + TYPE_OFFSET, (byte)type);
        buffer.putByte(offset + VERSION_OFFSET, (byte)WIRE_VERSION);
        buffer.putShort(offset + SCHEMA_ID_OFFSET, (short)SCHEMA_ID, LITTLE_ENDIAN);
        buffer.putShort(offset + SENDER_OFFSET, (short)senderId, LITTLE_ENDIAN);
        buffer.putShort(offset + RESERVED_SHORT_OFFSET, (short)0, LITTLE_ENDIAN);
        buffer.putInt(offset + CLUSTER_ID_OFFSET, clusterId, LITTLE_ENDIAN);
        buffer.putInt(offset + CONFIGURATION_OFFSET, 0, LITTLE_ENDIAN);
        buffer.putLong(offset + EPOCH_OFFSET, epoch, LITTLE_ENDIAN);
    }

    /**
     * Whether the frame or batch at {@code offset} is of this project's schema, whatever its version: its schema id
     * is {@link #SCHEMA_ID}, or, failing that, its version byte names a version before the schema id existed (whose
     * bytes 2..3 are a sender id, not a schema id), so that a member of an older release is counted as another
     * version rather than as a stranger. Reads bytes 0..3 only; the caller has checked that {@link #LENGTH} bytes are
     * there.
     */
    public static boolean ofThisSchema(final DirectBuffer buffer, final int offset)
    {
        return schemaId(buffer, offset) == SCHEMA_ID || version(buffer, offset) < FIRST_SCHEMA_VERSION;
    }

    public static int type(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + TYPE_OFFSET) & 0xFF;
    }

    public static int version(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + VERSION_OFFSET) & 0xFF;
    }

    public static int schemaId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + SCHEMA_ID_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
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

    /** The sender's configuration ({@link #CONFIGURATION_OFFSET}); 0 when it does not say. */
    public static int configuration(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + CONFIGURATION_OFFSET, LITTLE_ENDIAN);
    }

    /** Stamp the sender's configuration into an encoded frame, before it is sent. */
    public static void configuration(final MutableDirectBuffer buffer, final int offset, final int configurationWord)
    {
        buffer.putInt(offset + CONFIGURATION_OFFSET, configurationWord, LITTLE_ENDIAN);
    }
}
