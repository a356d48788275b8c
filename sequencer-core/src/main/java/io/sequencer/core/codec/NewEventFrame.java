package io.sequencer.core.codec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * {@code NewEvent{eventId, counter, payload}}: an update event proposed by its origin (the sender) at Lamport
 * counter {@code counter}. The event id is {@code (senderId, incarnation, localSeq)}.
 * <pre>
 *  16 int64 incarnation
 *  24 int64 localSeq
 *  32 int64 counter
 *  40 int32 payloadLength
 *  44 bytes payload
 * </pre>
 */
public final class NewEventFrame extends Frame
{
    public static final int INCARNATION_OFFSET = 16;
    public static final int LOCAL_SEQ_OFFSET = 24;
    public static final int COUNTER_OFFSET = 32;
    public static final int PAYLOAD_LENGTH_OFFSET = 40;
    public static final int PAYLOAD_OFFSET = 44;

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
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength)
    {
        wrapHeader(buffer, offset, senderId, clusterId, epoch);
        putLong(INCARNATION_OFFSET, incarnation);
        putLong(LOCAL_SEQ_OFFSET, localSeq);
        putLong(COUNTER_OFFSET, counter);
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
