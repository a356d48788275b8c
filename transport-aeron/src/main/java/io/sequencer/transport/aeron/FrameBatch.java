package io.sequencer.transport.aeron;

import io.sequencer.core.codec.FrameHeader;
import io.sequencer.core.codec.MessageType;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The layout of a batch: several frames of one duty cycle in one message on the shared channel, so that a member
 * sends one message (one Aeron header, one HMAC tag, one fragment for each receiver to handle) per cycle instead of
 * one per frame (issue 11's frame economy). It is an envelope of the transport, not a protocol frame: the receiving
 * {@link ChannelAdapter} unpacks it and hands the frames to the protocol one by one, in the order they were
 * published, so per-publisher FIFO (docs/protocol.md §0) and R2a's order hold as if each had travelled alone.
 * Little-endian:
 * <pre>
 *   0  uint8  type        ({@link MessageType#BATCH}, where a frame has its type)
 *   1  uint8  version     ({@link FrameHeader#WIRE_VERSION}, where a frame has its version)
 *   2  uint16 schemaId    ({@link FrameHeader#SCHEMA_ID}, where a frame has its schema id)
 *   4  int16  flags       ({@link #TAGGED}: an HMAC tag over the whole batch follows the last frame)
 *   6  int16  reserved    (written 0, not read)
 *   8  int32  frameCount  (at least 2: a single frame travels alone)
 *  12  frames: int32 length, then that many bytes of a frame, frameCount times, nothing between or after
 *      (then the tag, when tagged)
 * </pre>
 * Bytes 0..3 are a frame header's, so a receiver tells a batch of this schema and version from anything else by the
 * same checks, before it reads the rest.
 * Static accessors only; {@link #wellFormed} checks the whole structure before anything in it is read as a frame.
 */
public final class FrameBatch
{
    public static final int FLAGS_OFFSET = 4;
    public static final int RESERVED_OFFSET = 6;
    public static final int COUNT_OFFSET = 8;
    public static final int HEADER_LENGTH = 12;
    /** The length prefix of each frame in a batch. */
    public static final int FRAME_PREFIX = Integer.BYTES;
    /** Flag: the batch carries a tag ({@link FrameAuthenticator}) over its header and frames. */
    public static final int TAGGED = 1;
    /** The fewest frames in a batch. */
    public static final int MIN_FRAMES = 2;

    private FrameBatch()
    {
    }

    public static void writeHeader(
        final MutableDirectBuffer buffer, final int offset, final boolean tagged, final int frameCount)
    {
        buffer.putByte(offset + FrameHeader.TYPE_OFFSET, (byte)MessageType.BATCH);
        buffer.putByte(offset + FrameHeader.VERSION_OFFSET, (byte)FrameHeader.WIRE_VERSION);
        buffer.putShort(offset + FrameHeader.SCHEMA_ID_OFFSET, (short)FrameHeader.SCHEMA_ID, LITTLE_ENDIAN);
        buffer.putShort(offset + FLAGS_OFFSET, (short)(tagged ? TAGGED : 0), LITTLE_ENDIAN);
        buffer.putShort(offset + RESERVED_OFFSET, (short)0, LITTLE_ENDIAN);
        buffer.putInt(offset + COUNT_OFFSET, frameCount, LITTLE_ENDIAN);
    }

    public static boolean tagged(final DirectBuffer buffer, final int offset)
    {
        return (buffer.getShort(offset + FLAGS_OFFSET, LITTLE_ENDIAN) & TAGGED) != 0;
    }

    public static int frameCount(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + COUNT_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Check the structure of the batch at {@code offset} whose header and frames take {@code length} bytes (its tag,
     * if any, excluded): this schema and wire version, a known flag, at least {@link #MIN_FRAMES} frames, each at
     * least a frame header long and not itself a batch, exactly filling {@code length}.
     *
     * @return whether every frame can be read where its prefix says.
     */
    public static boolean wellFormed(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < HEADER_LENGTH + MIN_FRAMES * (FRAME_PREFIX + FrameHeader.LENGTH) ||
            !FrameHeader.ofThisSchema(buffer, offset) ||
            FrameHeader.version(buffer, offset) != FrameHeader.WIRE_VERSION ||
            (buffer.getShort(offset + FLAGS_OFFSET, LITTLE_ENDIAN) & ~TAGGED) != 0)
        {
            return false;
        }
        final int count = frameCount(buffer, offset);
        if (count < MIN_FRAMES)
        {
            return false;
        }
        final int end = offset + length;
        int at = offset + HEADER_LENGTH;
        for (int i = 0; i < count; i++)
        {
            if (end - at < FRAME_PREFIX + FrameHeader.LENGTH)
            {
                return false;
            }
            final int frameLength = buffer.getInt(at, LITTLE_ENDIAN);
            at += FRAME_PREFIX;
            if (frameLength < FrameHeader.LENGTH || frameLength > end - at ||
                FrameHeader.type(buffer, at) == MessageType.BATCH)
            {
                return false;
            }
            at += frameLength;
        }
        return at == end;
    }
}
