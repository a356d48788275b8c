package io.sequencer.core.codec;

import io.sequencer.core.LogEntry;
import io.sequencer.core.EntryType;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * {@code Entries{target, firstPosition, entries…}}: a batch of consecutive log entries sent to {@code target} in
 * answer to a {@code Fetch}. Each entry carries the fields of the log and its chained checksum, so the receiver
 * verifies the chain as entries arrive.
 * <pre>
 *   0 header ({@link FrameHeader}: {@link FrameHeader#LENGTH} bytes)
 *  24 int32 target member id
 *  28 int32 count
 *  32 int64 firstPosition
 *  40 entries, each:
 *      0 int32 payloadLength
 *      4 int16 entryType
 *      6 int16 originId
 *      8 int64 epoch
 *     16 int64 counter
 *     24 int64 incarnation
 *     32 int64 localSeq
 *     40 int64 timestamp
 *     48 int64 chk
 *     56 bytes payload
 * </pre>
 * Iterate a decoded frame with {@link #resetCursor()} and {@link #nextEntry()}.
 */
public final class EntriesFrame extends Frame
{
    public static final int TARGET_OFFSET = FrameHeader.LENGTH;
    public static final int COUNT_OFFSET = FrameHeader.LENGTH + 4;
    public static final int FIRST_POSITION_OFFSET = FrameHeader.LENGTH + 8;
    public static final int ENTRIES_OFFSET = FrameHeader.LENGTH + 16;

    public static final int ENTRY_PAYLOAD_LENGTH_OFFSET = 0;
    public static final int ENTRY_TYPE_OFFSET = 4;
    public static final int ENTRY_ORIGIN_OFFSET = 6;
    public static final int ENTRY_EPOCH_OFFSET = 8;
    public static final int ENTRY_COUNTER_OFFSET = 16;
    public static final int ENTRY_INCARNATION_OFFSET = 24;
    public static final int ENTRY_LOCAL_SEQ_OFFSET = 32;
    public static final int ENTRY_TIMESTAMP_OFFSET = 40;
    public static final int ENTRY_CHK_OFFSET = 48;
    public static final int ENTRY_HEADER_LENGTH = 56;

    private int capacity;
    private int cursor;
    private int entryOffset;

    public int type()
    {
        return MessageType.ENTRIES;
    }

    /**
     * Start an Entries frame with no entries; add them with {@link #appendEntry}.
     *
     * @param capacity bytes available from {@code offset} in {@code buffer}.
     */
    public EntriesFrame encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final int capacity,
        final int senderId,
        final int clusterId,
        final long epoch,
        final int target,
        final long firstPosition)
    {
        wrapHeader(buffer, offset, senderId, clusterId, epoch);
        putInt(TARGET_OFFSET, target);
        putInt(COUNT_OFFSET, 0);
        putLong(FIRST_POSITION_OFFSET, firstPosition);
        this.capacity = capacity;
        length = ENTRIES_OFFSET;
        return this;
    }

    /**
     * Append one entry.
     *
     * @return false, writing nothing, when the entry does not fit in the capacity given to {@link #encode}.
     */
    public boolean appendEntry(
        final int entryType,
        final int originId,
        final long epoch,
        final long counter,
        final long incarnation,
        final long localSeq,
        final long timestamp,
        final long chk,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength)
    {
        if ((long)length + ENTRY_HEADER_LENGTH + payloadLength > capacity)
        {
            return false;
        }
        final int at = offset + length;
        mutableBuffer.putInt(at + ENTRY_PAYLOAD_LENGTH_OFFSET, payloadLength, LITTLE_ENDIAN);
        mutableBuffer.putShort(at + ENTRY_TYPE_OFFSET, (short)entryType, LITTLE_ENDIAN);
        mutableBuffer.putShort(at + ENTRY_ORIGIN_OFFSET, (short)originId, LITTLE_ENDIAN);
        mutableBuffer.putLong(at + ENTRY_EPOCH_OFFSET, epoch, LITTLE_ENDIAN);
        mutableBuffer.putLong(at + ENTRY_COUNTER_OFFSET, counter, LITTLE_ENDIAN);
        mutableBuffer.putLong(at + ENTRY_INCARNATION_OFFSET, incarnation, LITTLE_ENDIAN);
        mutableBuffer.putLong(at + ENTRY_LOCAL_SEQ_OFFSET, localSeq, LITTLE_ENDIAN);
        mutableBuffer.putLong(at + ENTRY_TIMESTAMP_OFFSET, timestamp, LITTLE_ENDIAN);
        mutableBuffer.putLong(at + ENTRY_CHK_OFFSET, chk, LITTLE_ENDIAN);
        mutableBuffer.putBytes(at + ENTRY_HEADER_LENGTH, payload, payloadOffset, payloadLength);
        length += ENTRY_HEADER_LENGTH + payloadLength;
        putInt(COUNT_OFFSET, getInt(COUNT_OFFSET) + 1);
        return true;
    }

    public int target()
    {
        return getInt(TARGET_OFFSET);
    }

    public int count()
    {
        return getInt(COUNT_OFFSET);
    }

    public long firstPosition()
    {
        return getLong(FIRST_POSITION_OFFSET);
    }

    /** Position the cursor before the first entry. */
    public void resetCursor()
    {
        cursor = -1;
        entryOffset = -1;
    }

    /** Advance to the next entry; false after the last one. */
    public boolean nextEntry()
    {
        if (cursor + 1 >= count())
        {
            return false;
        }
        entryOffset = cursor < 0 ? offset + ENTRIES_OFFSET : entryOffset + ENTRY_HEADER_LENGTH + entryPayloadLength();
        cursor++;
        return true;
    }

    /** Position of the current entry in the log. */
    public long entryPosition()
    {
        return firstPosition() + cursor;
    }

    public int entryPayloadLength()
    {
        return buffer.getInt(entryOffset + ENTRY_PAYLOAD_LENGTH_OFFSET, LITTLE_ENDIAN);
    }

    public int entryType()
    {
        return buffer.getShort(entryOffset + ENTRY_TYPE_OFFSET, LITTLE_ENDIAN);
    }

    public int entryOrigin()
    {
        return buffer.getShort(entryOffset + ENTRY_ORIGIN_OFFSET, LITTLE_ENDIAN);
    }

    public long entryEpoch()
    {
        return buffer.getLong(entryOffset + ENTRY_EPOCH_OFFSET, LITTLE_ENDIAN);
    }

    public long entryCounter()
    {
        return buffer.getLong(entryOffset + ENTRY_COUNTER_OFFSET, LITTLE_ENDIAN);
    }

    public long entryIncarnation()
    {
        return buffer.getLong(entryOffset + ENTRY_INCARNATION_OFFSET, LITTLE_ENDIAN);
    }

    public long entryLocalSeq()
    {
        return buffer.getLong(entryOffset + ENTRY_LOCAL_SEQ_OFFSET, LITTLE_ENDIAN);
    }

    public long entryTimestamp()
    {
        return buffer.getLong(entryOffset + ENTRY_TIMESTAMP_OFFSET, LITTLE_ENDIAN);
    }

    public long entryChk()
    {
        return buffer.getLong(entryOffset + ENTRY_CHK_OFFSET, LITTLE_ENDIAN);
    }

    public int entryPayloadOffset()
    {
        return entryOffset + ENTRY_HEADER_LENGTH;
    }

    public DirectBuffer buffer()
    {
        return buffer;
    }

    /** The entry under the cursor, into {@code into}: header, payload (a view of this frame) and carried chk. */
    public LogEntry entry(final LogEntry into)
    {
        return into.header(entryType(), entryEpoch(), entryCounter(), entryOrigin(), entryIncarnation(),
            entryLocalSeq(), entryTimestamp()).payload(buffer, entryPayloadOffset(), entryPayloadLength())
            .at(entryPosition(), entryChk());
    }

    /**
     * Walk every entry checking it lies inside the frame, the count matches and nothing trails the last entry.
     * Called by {@link FrameValidator} on a frame whose fixed part is present.
     */
    boolean entriesValid(final int maxPayloadLength)
    {
        final int count = count();
        final long first = firstPosition();
        if (count < 0 || first < 1 || first > Long.MAX_VALUE - count)
        {
            return false;
        }
        int at = ENTRIES_OFFSET;
        for (int i = 0; i < count; i++)
        {
            if (length - at < ENTRY_HEADER_LENGTH)
            {
                return false;
            }
            final int payloadLength = buffer.getInt(offset + at + ENTRY_PAYLOAD_LENGTH_OFFSET, LITTLE_ENDIAN);
            if (payloadLength < 0 || payloadLength > maxPayloadLength ||
                payloadLength > length - at - ENTRY_HEADER_LENGTH)
            {
                return false;
            }
            final int type = buffer.getShort(offset + at + ENTRY_TYPE_OFFSET, LITTLE_ENDIAN);
            if (!EntryType.isValid(type))
            {
                return false;
            }
            at += ENTRY_HEADER_LENGTH + payloadLength;
        }
        return at == length;
    }
}
