package io.sequencer.core.codec;

import io.sequencer.core.Checksum;
import io.sequencer.core.EntryType;
import org.agrona.DirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Structural checks of a received frame before any field is trusted: the header is present, of this schema and
 * this wire version (in that order, before any other field is read), the type is known, the length matches the
 * type's layout exactly, and fields with a closed domain are inside it. Allocation-free; never throws for any input,
 * however short or garbled.
 */
public final class FrameValidator
{
    /** Returned by {@link #validate} for a frame that may be decoded. */
    public static final int VALID = -1;

    /** The highest plausible epoch: one epoch change a microsecond would take 146,000 years to reach it. */
    public static final long MAX_EPOCH = 1L << 62;

    private final int maxPayloadLength;
    private final ClusterNodesFrame clusterNodes = new ClusterNodesFrame();
    private final EntriesFrame entries = new EntriesFrame();
    private final SnapshotFrame snapshot = new SnapshotFrame();

    /**
     * @param maxPayloadLength the largest event payload accepted in {@code NewEvent} and {@code Entries}.
     */
    public FrameValidator(final int maxPayloadLength)
    {
        if (maxPayloadLength < 0)
        {
            throw new IllegalArgumentException("maxPayloadLength must be >= 0: " + maxPayloadLength);
        }
        this.maxPayloadLength = maxPayloadLength;
    }

    /**
     * @return {@link #VALID}, or the ordinal of the {@link DropReason}.
     */
    public int validate(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < FrameHeader.LENGTH || offset < 0 || (long)offset + length > buffer.capacity())
        {
            return DropReason.TRUNCATED.ordinal();
        }

        if (!FrameHeader.ofThisSchema(buffer, offset))
        {
            return DropReason.UNKNOWN_SCHEMA.ordinal();
        }
        if (FrameHeader.version(buffer, offset) != FrameHeader.WIRE_VERSION)
        {
            return DropReason.UNSUPPORTED_VERSION.ordinal();
        }
        final int verdict = validateStructure(buffer, offset, length);
        final long epoch = FrameHeader.epoch(buffer, offset);
        if (verdict == VALID && (epoch < 0 || epoch > MAX_EPOCH))
        {
            // A real cluster never gets near: an epoch up there is garbage or an attack, and adopting it would
            // leave no room for the next epoch change.
            return DropReason.BAD_FIELD.ordinal();
        }
        return verdict;
    }

    private int validateStructure(final DirectBuffer buffer, final int offset, final int length)
    {
        final int type = FrameHeader.type(buffer, offset);
        switch (type)
        {
            case MessageType.NEW_EVENT:
            {
                if (length < NewEventFrame.PAYLOAD_OFFSET)
                {
                    return DropReason.TRUNCATED.ordinal();
                }
                final int payloadLength = buffer.getInt(
                    offset + NewEventFrame.PAYLOAD_LENGTH_OFFSET, LITTLE_ENDIAN);
                if (payloadLength != length - NewEventFrame.PAYLOAD_OFFSET)
                {
                    return DropReason.BAD_LENGTH.ordinal();
                }
                if (payloadLength > maxPayloadLength)
                {
                    return DropReason.OVERSIZE.ordinal();
                }
                // an event, or a tick: no payload, no event id (docs/protocol.md §12)
                final int entryType = buffer.getInt(offset + NewEventFrame.ENTRY_TYPE_OFFSET, LITTLE_ENDIAN);
                return entryType == EntryType.EVENT || (entryType == EntryType.TICK && payloadLength == 0 &&
                    buffer.getLong(offset + NewEventFrame.LOCAL_SEQ_OFFSET, LITTLE_ENDIAN) == 0) ?
                    VALID : DropReason.BAD_FIELD.ordinal();
            }

            case MessageType.MY_ORDER_COUNTER:
                return exact(length, MyOrderCounterFrame.LENGTH);

            case MessageType.MY_SERIALIZE_COUNTER:
            {
                final int check = exact(length, MySerializeCounterFrame.LENGTH);
                if (check != VALID)
                {
                    return check;
                }
                final int flags = buffer.getInt(
                    offset + MySerializeCounterFrame.FLAGS_OFFSET, LITTLE_ENDIAN);
                final long have = buffer.getLong(
                    offset + MySerializeCounterFrame.HAVE_OFFSET, LITTLE_ENDIAN);
                final long guaranteed = buffer.getLong(
                    offset + MySerializeCounterFrame.GUARANTEED_OFFSET, LITTLE_ENDIAN);
                final long chkAtHave = buffer.getLong(
                    offset + MySerializeCounterFrame.CHK_AT_HAVE_OFFSET, LITTLE_ENDIAN);
                // A member never knows more to be durable than it holds itself (docs/protocol.md, R8), and an empty
                // log's checksum is the chain's seed: a report claiming otherwise is garbage or forged.
                return (flags & ~MySerializeCounterFrame.KNOWN_FLAGS) != 0 || have < 0 || guaranteed < 0 ||
                    guaranteed > have || (have == 0 && chkAtHave != Checksum.EMPTY) ?
                    DropReason.BAD_FIELD.ordinal() : VALID;
            }

            case MessageType.NEW_NODE:
                return exact(length, NewNodeFrame.LENGTH);

            case MessageType.DEL_NODE:
                return exact(length, DelNodeFrame.LENGTH);

            case MessageType.CLUSTER_NODES:
            {
                final int check = exact(length, ClusterNodesFrame.LENGTH);
                if (check != VALID)
                {
                    return check;
                }
                clusterNodes.wrap(buffer, offset, length);
                return clusterNodes.fieldsValid() ? VALID : DropReason.BAD_FIELD.ordinal();
            }

            case MessageType.FETCH:
            {
                final int check = exact(length, FetchFrame.LENGTH);
                if (check != VALID)
                {
                    return check;
                }
                final int kind = buffer.getInt(offset + FetchFrame.KIND_OFFSET, LITTLE_ENDIAN);
                final long from = buffer.getLong(offset + FetchFrame.FROM_OFFSET, LITTLE_ENDIAN);
                final long to = buffer.getLong(offset + FetchFrame.TO_OFFSET, LITTLE_ENDIAN);
                switch (kind)
                {
                    case FetchFrame.ENTRIES:
                    case FetchFrame.ENTRIES_OF_EPOCH:
                        return from < 1 || to < from ? DropReason.BAD_FIELD.ordinal() : VALID;
                    case FetchFrame.SNAPSHOT:
                        return from < 0 || to < 0 ? DropReason.BAD_FIELD.ordinal() : VALID;
                    case FetchFrame.SNAPSHOT_DAMAGED:
                        return from < 1 || to != 0 ? DropReason.BAD_FIELD.ordinal() : VALID;
                    default:
                        return DropReason.BAD_FIELD.ordinal();
                }
            }

            case MessageType.SNAPSHOT:
            {
                if (length < SnapshotFrame.DATA_OFFSET)
                {
                    return DropReason.TRUNCATED.ordinal();
                }
                snapshot.wrap(buffer, offset, length);
                return snapshot.dataLength() != length - SnapshotFrame.DATA_OFFSET ? DropReason.BAD_LENGTH.ordinal() :
                    snapshot.fieldsValid() ? VALID : DropReason.BAD_FIELD.ordinal();
            }

            case MessageType.ENTRIES:
            {
                if (length < EntriesFrame.ENTRIES_OFFSET)
                {
                    return DropReason.TRUNCATED.ordinal();
                }
                entries.wrap(buffer, offset, length);
                return entries.entriesValid(maxPayloadLength) ? VALID : DropReason.BAD_LENGTH.ordinal();
            }

            default:
                return DropReason.UNKNOWN_TYPE.ordinal();
        }
    }

    private static int exact(final int length, final int expected)
    {
        if (length < expected)
        {
            return DropReason.TRUNCATED.ordinal();
        }
        return length == expected ? VALID : DropReason.BAD_LENGTH.ordinal();
    }
}
