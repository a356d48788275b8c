package io.sequencer.transport.aeron;

/**
 * Why the transport dropped a received frame before the protocol saw it. Everything else (another cluster, a sender
 * outside {@code C}, a stale epoch, and truncated or garbage frames of a bound session or too short to name anyone)
 * is passed on and counted by the protocol's own {@link io.sequencer.core.codec.DropReason}.
 */
public enum TransportDropReason
{
    /** The frame's type carries a tag under the configured {@link Authentication}, and the tag is missing or wrong. */
    AUTH_FAILED,
    /** Authentication is on and the frame's publisher session has not yet proved the secret with a tagged frame. */
    UNAUTHENTICATED_SESSION,
    /** The sender id differs from the member this publisher session belongs to (or claims to be this node). */
    SESSION_MISMATCH,
    /** A frame of an older session (incarnation) of a member whose newer session is already bound. */
    STALE_SESSION,
    /**
     * An epoch outside {@code 0..2^62}: no cluster gets there one epoch change at a time, and the protocol's epoch
     * arithmetic ({@code max known + 1}, the coordinator {@code E mod |C|}) breaks near {@code Long.MAX_VALUE}, so one
     * such frame, adopted as a higher epoch, would stop the node.
     */
    IMPLAUSIBLE_EPOCH,
    /**
     * Catch-up traffic on the shared channel, channel traffic on the catch-up stream, or a catch-up frame for another
     * member.
     */
    MISROUTED,
    /**
     * A frame of a publisher session not yet bound fails the core's
     * {@link io.sequencer.core.codec.FrameValidator} (truncated, unknown type, wrong length, a field out of its
     * domain, oversize): it binds the session to nothing, so a forged datagram naming a member cannot make that
     * member's real frames stale. (A bound session's malformed frames go to the protocol, which counts them.)
     */
    MALFORMED,
    /**
     * A frame or batch of another wire version ({@link io.sequencer.core.codec.FrameHeader#WIRE_VERSION}): a member
     * of another release (also one of a release before the schema id, whose version byte says so). Checked before
     * anything else but the schema, so an operator who mixes releases sees this counter rise.
     */
    UNSUPPORTED_VERSION,
    /**
     * A frame or batch of another wire schema ({@link io.sequencer.core.codec.FrameHeader#SCHEMA_ID}): not this
     * protocol's traffic (another application on the channel's port, a stray sender). Checked before anything else,
     * the version included.
     */
    UNKNOWN_SCHEMA,
    /**
     * A {@link FrameBatch} whose structure does not hold (its frames' lengths do not fill it exactly, fewer than two
     * frames, a batch inside it, an unknown flag), one on the catch-up stream, or one without a tag where
     * authentication requires every frame's: dropped whole, counted once, nothing in it delivered.
     */
    BAD_BATCH;

    private static final TransportDropReason[] VALUES = values();

    public static TransportDropReason get(final int ordinal)
    {
        return VALUES[ordinal];
    }
}
