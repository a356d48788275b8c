package io.sequencer.core.codec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * {@code Snapshot{target, position, chk, base, baseChk, baseEpoch, fileLength, offset, bytes}}: part of a checkpoint
 * sent to {@code target}, which needs entries the sender's log no longer holds (snapshot transfer, docs/protocol.md
 * §13). {@code bytes} are the checkpoint file's (its {@code CheckpointFile} layout, checked whole by the receiver)
 * from {@code offset}; the sender's log starts right above {@code base}, where its checksum is {@code baseChk} and
 * {@code baseEpoch} is the epoch of its newest {@code EpochStart} at or below it. Position 0 (and nothing else) is the
 * empty snapshot of a sender whose log holds every entry from position 1 and has no checkpoint to send: the receiver
 * starts its log anew and fetches it all.
 * <pre>
 *   0 header ({@link FrameHeader}: {@link FrameHeader#LENGTH} bytes)
 *  24 int32 target member id
 *  28 int32 data length
 *  32 int64 position (of the checkpoint)
 *  40 int64 chk (the log's checksum at position)
 *  48 int64 base
 *  56 int64 baseChk
 *  64 int64 baseEpoch
 *  72 int64 fileLength
 *  80 int64 offset
 *  88 bytes data
 * </pre>
 */
public final class SnapshotFrame extends Frame
{
    public static final int TARGET_OFFSET = FrameHeader.LENGTH;
    public static final int DATA_LENGTH_OFFSET = FrameHeader.LENGTH + 4;
    public static final int POSITION_OFFSET = FrameHeader.LENGTH + 8;
    public static final int CHK_OFFSET = FrameHeader.LENGTH + 16;
    public static final int BASE_OFFSET = FrameHeader.LENGTH + 24;
    public static final int BASE_CHK_OFFSET = FrameHeader.LENGTH + 32;
    public static final int BASE_EPOCH_OFFSET = FrameHeader.LENGTH + 40;
    public static final int FILE_LENGTH_OFFSET = FrameHeader.LENGTH + 48;
    public static final int FILE_OFFSET_OFFSET = FrameHeader.LENGTH + 56;
    public static final int DATA_OFFSET = FrameHeader.LENGTH + 64;

    public int type()
    {
        return MessageType.SNAPSHOT;
    }

    /**
     * Encode the fixed part; the caller copies {@code dataLength} bytes to {@link #DATA_OFFSET} (or uses
     * {@link #encodeData}).
     */
    public SnapshotFrame encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final int senderId,
        final int clusterId,
        final long epoch,
        final int target,
        final long position,
        final long chk,
        final long base,
        final long baseChk,
        final long baseEpoch,
        final long fileLength,
        final long fileOffset,
        final int dataLength)
    {
        wrapHeader(buffer, offset, senderId, clusterId, epoch);
        putInt(TARGET_OFFSET, target);
        putInt(DATA_LENGTH_OFFSET, dataLength);
        putLong(POSITION_OFFSET, position);
        putLong(CHK_OFFSET, chk);
        putLong(BASE_OFFSET, base);
        putLong(BASE_CHK_OFFSET, baseChk);
        putLong(BASE_EPOCH_OFFSET, baseEpoch);
        putLong(FILE_LENGTH_OFFSET, fileLength);
        putLong(FILE_OFFSET_OFFSET, fileOffset);
        length = DATA_OFFSET + dataLength;
        return this;
    }

    public int target()
    {
        return getInt(TARGET_OFFSET);
    }

    public int dataLength()
    {
        return getInt(DATA_LENGTH_OFFSET);
    }

    public long position()
    {
        return getLong(POSITION_OFFSET);
    }

    public long chk()
    {
        return getLong(CHK_OFFSET);
    }

    public long base()
    {
        return getLong(BASE_OFFSET);
    }

    public long baseChk()
    {
        return getLong(BASE_CHK_OFFSET);
    }

    public long baseEpoch()
    {
        return getLong(BASE_EPOCH_OFFSET);
    }

    public long fileLength()
    {
        return getLong(FILE_LENGTH_OFFSET);
    }

    public long fileOffset()
    {
        return getLong(FILE_OFFSET_OFFSET);
    }

    public DirectBuffer buffer()
    {
        return buffer;
    }

    /** Where the data starts in {@link #buffer()}. */
    public int dataOffset()
    {
        return offset + DATA_OFFSET;
    }

    /**
     * The fields a sound frame has: data that fills the frame, a checkpoint at or above the base, and a part that lies
     * inside the file. Called by {@link FrameValidator} on a frame whose fixed part is present.
     */
    boolean fieldsValid()
    {
        final long position = position();
        final long base = base();
        final long fileLength = fileLength();
        final long fileOffset = fileOffset();
        final int dataLength = dataLength();
        if (position == 0)
        {
            // no checkpoint: the sender's log holds everything from position 1 (an empty snapshot)
            return dataLength == 0 && length == DATA_OFFSET && base == 0 && fileLength == 0 && fileOffset == 0 &&
                baseEpoch() == 0;
        }
        return dataLength >= 0 && dataLength == length - DATA_OFFSET && position >= 1 && base >= 0 &&
            base <= position && fileLength > 0 && fileOffset >= 0 && fileOffset <= fileLength - dataLength &&
            baseEpoch() >= 0;
    }
}
