package io.sequencer.core.codec;

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
     * Catch-up frames go point to point, on a stream of their own, to the member named at
     * {@link FetchFrame#TARGET_OFFSET} (the same offset in every one of them).
     */
    public static boolean isPointToPoint(final int type)
    {
        return type == FETCH || type == ENTRIES || type == SNAPSHOT;
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
