package io.sequencer.core.codec;

/**
 * Why a received frame was dropped. One counter per reason (docs/protocol.md §2, "Frames"): a drop is never an
 * exception.
 */
public enum DropReason
{
    /** Shorter than its header or than the fixed part of its type. */
    TRUNCATED,
    /** The type field names no message. */
    UNKNOWN_TYPE,
    /** The length disagrees with the body: trailing bytes, or a payload length that runs past the frame. */
    BAD_LENGTH,
    /** A field out of its domain (flags, member list, positions). */
    BAD_FIELD,
    /** An event payload above the configured maximum event size. */
    OVERSIZE,
    /** Another cluster's frame on our channel. */
    WRONG_CLUSTER,
    /** The sender is not a member of {@code C}. */
    UNKNOWN_SENDER,
    /** An epoch below ours (except {@code NewNode}). */
    STALE_EPOCH,
    /** A higher epoch that this node cannot act on in its current mode. */
    HIGHER_EPOCH,
    /** A running-mode message from a member outside the active set {@code A}. */
    NOT_ACTIVE,
    /** A {@code NewEvent} at or below a promise its sender already made: the sender broke R2a or I7. */
    PROMISE_BROKEN,
    /** A message that has no meaning in this node's current mode (for example catch-up traffic while running). */
    UNEXPECTED,
    /**
     * A frame of another wire version ({@link FrameHeader#WIRE_VERSION}): a member of another release whose frames
     * this one cannot read. Counted, never guessed at.
     */
    UNSUPPORTED_VERSION,
    /**
     * A frame of another wire schema ({@link FrameHeader#SCHEMA_ID}): not this protocol's traffic at all (another
     * application on the channel's port, a stray sender). Checked before every other field, the version included.
     */
    UNKNOWN_SCHEMA,
    /**
     * A frame whose sender runs with another member list or durability ({@link FrameHeader#CONFIGURATION_OFFSET}):
     * the members' configurations differ (an operator's edit of one member's file). Dropped, whatever else it says: a
     * member of another {@code C} counts another quorum, one under {@code none} reports entries it never forced, and
     * their frames must neither count nor start epoch changes here.
     */
    OTHER_CONFIGURATION;

    private static final DropReason[] VALUES = values();

    public static DropReason get(final int ordinal)
    {
        return VALUES[ordinal];
    }
}
