package io.sequencer.core;

/**
 * The kinds of log entry. Stored in every entry and covered by its checksum.
 */
public final class EntryType
{
    /** An ordered update event submitted by a member. */
    public static final int EVENT = 1;

    /**
     * {@code EpochStart{E, C, A}}: opens an epoch (docs/protocol.md §4 "Boot mode", B5); its payload is a
     * {@link MemberSet} encoding.
     */
    public static final int EPOCH_START = 2;

    /**
     * A tick: no payload, only its origin's time. A member orders one when a timer of the state machine is due by its
     * own clock and no entry has yet moved the cluster time to it (docs/protocol.md §12, "Cluster time and timers").
     */
    public static final int TICK = 3;

    private EntryType()
    {
    }

    public static boolean isValid(final int type)
    {
        return type == EVENT || type == EPOCH_START || type == TICK;
    }

    public static String name(final int type)
    {
        switch (type)
        {
            case EVENT: return "EVENT";
            case EPOCH_START: return "EPOCH_START";
            case TICK: return "TICK";
            default: return "UNKNOWN(" + type + ")";
        }
    }
}
