package io.sequencer.core.codec;

import io.sequencer.core.EntryType;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * {@code NewEvent{eventId, counter, time, payload}}: an entry proposed by its origin (the sender) at Lamport counter
 * {@code counter}, at the time its clock gave it: an update event, or a tick with no payload and no event id
 * (docs/protocol.md §12). The event id is {@code (senderId, incarnation, localSeq)}.
 * <pre>
 *   0 header ({@link FrameHeader}: {@link FrameHeader#LENGTH} bytes)
 *  24 int64 incarnation
 *  32 int64 localSeq
 *  40 int64 counter
 *  48 int64 timestamp
 *  56 int32 entryType ({@link EntryType#EVENT} or {@link EntryType#TICK})
 *  60 int32 payloadLength
 *  64 bytes payload
 * </pre>
 */
public final class NewEventFrame extends Frame
{
    public static final int INCARNATION_OFFSET = FrameHeader.LENGTH;
    public static final int LOCAL_SEQ_OFFSET = FrameHeader.LENGTH + 8;
    public static final int COUNTER_OFFSET = FrameHeader.LENGTH + 16;
    public static final int TIMESTAMP_OFFSET = FrameHeader.LENGTH + 24;
    public static final int ENTRY_TYPE_OFFSET = FrameHeader.LENGTH + 32;
    public static final int PAYLOAD_LENGTH_OFFSET = FrameHeader.LENGTH + 36;
    public static final int PAYLOAD_OFFSET = FrameHeader.LENGTH + 40;

    public int type()
    {
        return MessageType.NEW_EVENT;
    }

    public NewEventFrame encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final int senderId,
        final int clusterId,
        final long epoch,
        final long incarnation,
        final long localSeq,
        final long counter,
        final int entryType,
        final long timestamp,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength)
    {
        wrapHeader(buffer, offset, senderId, clusterId, epoch);
        putLong(INCARNATION_OFFSET, incarnation);
        putLong(LOCAL_SEQ_OFFSET, localSeq);
        putLong(COUNTER_OFFSET, counter);
        putLong(TIMESTAMP_OFFSET, timestamp);
        putInt(ENTRY_TYPE_OFFSET, entryType);
        putInt(PAYLOAD_LENGTH_OFFSET, payloadLength);
        buffer.putBytes(offset + PAYLOAD_OFFSET, payload, payloadOffset, payloadLength);
        length = PAYLOAD_OFFSET + payloadLength;
        return this;
    }

    public long incarnation()
    {
        return getLong(INCARNATION_OFFSET);
    }

    public long localSeq()
    {
        return getLong(LOCAL_SEQ_OFFSET);
    }

    public long counter()
    {
        return getLong(COUNTER_OFFSET);
    }

    public long timestamp()
    {
        return getLong(TIMESTAMP_OFFSET);
    }

    public int entryType()
    {
        return getInt(ENTRY_TYPE_OFFSET);
    }

    public int payloadLength()
    {
        return getInt(PAYLOAD_LENGTH_OFFSET);
    }

    /** Offset of the payload in {@link #buffer()}. */
    public int payloadOffset()
    {
        return offset + PAYLOAD_OFFSET;
    }

    public DirectBuffer buffer()
    {
        return buffer;
    }
}
