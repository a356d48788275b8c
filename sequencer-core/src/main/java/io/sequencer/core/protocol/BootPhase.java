package io.sequencer.core.protocol;

/**
 * Where a node in boot is with the epoch change: one state, where a phase, a decided flag and a pending decision
 * used to combine into states nobody named. Undecided: {@code COLLECTING}, {@code PUBLISHING}; decided: the rest.
 */
public enum BootPhase
{
    /** Reported; waiting for the coordinator's decision (or, on the coordinator, for enough reports). */
    COLLECTING,
    /** The coordinator has decided; its {@code ClusterNodes} waits for the channel to take it (B4). */
    PUBLISHING,
    /** Decided: finding where this log diverges from the base. */
    PROBING,
    /** Fetching the base's entries up to {@code N}. */
    FETCHING,
    /** Receiving a snapshot: the entries this log needs lie below the base owner's log (§13). */
    TRANSFERRING,
    /**
     * Decided and left out of the active set: aligned to the base, following its owner's log or waiting to ask
     * in (B6, §10.5). The epoch runs without this member.
     */
    OUTSIDE,
    /** {@code EpochStart} appended: ordering, waiting for a quorum to align (B6). */
    ALIGNED,
    /** Running in the epoch. */
    NONE
}
