package io.sequencer.core.codec;

import org.agrona.DirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The message types of the shared channel (docs/protocol.md §2, "Frames"), as carried in
 * {@link FrameHeader#TYPE_OFFSET}.
 */
public final class MessageType
{
    public static final int NEW_EVENT = 1;
    public static final int MY_ORDER_COUNTER = 2;
    public static final int MY_SERIALIZE_COUNTER = 3;
    public static final int NEW_NODE = 4;
    public static final int DEL_NODE = 5;
    public static final int CLUSTER_NODES = 6;
    public static final int FETCH = 7;
    public static final int ENTRIES = 8;
    public static final int SNAPSHOT = 9;

    /** One past the highest type: arrays indexed by type have this length. */
    public static final int COUNT = 10;

    /**
     * Not a protocol frame: the transport's envelope of several frames sent in one message (transport-aeron's
     * {@code FrameBatch}). A transport unpacks it before the protocol sees anything; {@link #isValid} is false for it.
     */
    public static final int BATCH = 64;

    private MessageType()
    {
    }

    public static boolean isValid(final int type)
    {
        return type >= NEW_EVENT && type <= SNAPSHOT;
    }

    /**
     * {@link #pointToPointTarget}: the frame is not point to point, or too short to hold its target. Outside the
     * range of an int, so that no value a (garbled or forged) target field holds is mistaken for it.
     */
    public static final long NO_TARGET = Long.MIN_VALUE;

    /**
     * Catch-up frames go point to point, on a stream of their own, to the member {@link #pointToPointTarget} names.
     */
    public static boolean isPointToPoint(final int type)
    {
        return type == FETCH || type == ENTRIES || type == SNAPSHOT;
    }

    /**
     * The member a point-to-point frame is for, read where its type's layout keeps it: what a transport routes by,
     * so that none reads the codec's offsets itself. The frame need not have passed {@link FrameValidator} (a
     * transport routes before the protocol validates): the value is the target field as it is, any int. Reads
     * nothing outside {@code [offset, offset + length)}.
     *
     * @return the target's member id, or {@link #NO_TARGET} when the frame is shorter than a header, of a type that
     *         is not point to point, or too short to hold its target.
     */
    public static long pointToPointTarget(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < FrameHeader.LENGTH)
        {
            return NO_TARGET;
        }
        final int targetOffset;
        switch (FrameHeader.type(buffer, offset))
        {
            case FETCH:
                targetOffset = FetchFrame.TARGET_OFFSET;
                break;
            case ENTRIES:
                targetOffset = EntriesFrame.TARGET_OFFSET;
                break;
            case SNAPSHOT:
                targetOffset = SnapshotFrame.TARGET_OFFSET;
                break;
            default:
                return NO_TARGET;
        }
        return length < targetOffset + Integer.BYTES ? NO_TARGET :
            buffer.getInt(offset + targetOffset, LITTLE_ENDIAN);
    }

    public static String name(final int type)
    {
        switch (type)
        {
            case NEW_EVENT: return "NewEvent";
            case MY_ORDER_COUNTER: return "MyOrderCounter";
            case MY_SERIALIZE_COUNTER: return "MySerializeCounter";
            case NEW_NODE: return "NewNode";
            case DEL_NODE: return "DelNode";
            case CLUSTER_NODES: return "ClusterNodes";
            case FETCH: return "Fetch";
            case ENTRIES: return "Entries";
            case SNAPSHOT: return "Snapshot";
            case BATCH: return "Batch";
            default: return "Unknown(" + type + ")";
        }
    }
}
