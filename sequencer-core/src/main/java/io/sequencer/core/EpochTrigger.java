package io.sequencer.core;

/** Why a member entered a new epoch (docs/protocol.md B1): what the node log and {@link ProtocolListener} report. */
public enum EpochTrigger
{
    /**
     * A process starts: it enters a new epoch (B1), unless it takes up one that runs without it, or goes back into one
     * it never ran in.
     */
    START("start"),
    /**
     * A restarted process goes back into the epoch it was in, which it never ran in and which runs without it (B1):
     * no epoch change; it follows outside the active set and asks in.
     */
    REJOINED("rejoined the epoch it was in, which runs without it"),
    /**
     * A restarted process takes up a later epoch than the one it was in, which runs without it (B1): no epoch change;
     * it follows outside the active set and asks in.
     */
    ADOPTED_AT_START("took up the epoch that runs without it"),
    /** An active member was silent for {@code T_fd} (R10). */
    SUSPICION("suspected a silent member"),
    /** The transport reported an active member's stream lost (R10). */
    STREAM_LOST("a member's stream was lost"),
    /** The transport reported a new stream of an active member: frames before it may be gone. */
    STREAM_RENEWED("a member's stream was renewed"),
    /** A valid frame of a higher epoch arrived (B1). */
    ADOPTED("adopted a peer's epoch"),
    /** Not running within {@code T_boot} (B7). */
    BOOT_TIMEOUT("boot timed out"),
    /** Left out of the decided epoch, this member asks in (B6). */
    ASKING_IN("asking in"),
    /** A member outside the decided epoch asked in ({@code NewNode}). */
    PEER_ASKED_IN("a member asked in"),
    /** This member is its epoch's coordinator but not intact: it hands the decision on (B1). */
    NOT_INTACT_COORDINATOR("not intact, handing the decision on"),
    /** This member is its epoch's coordinator but far behind the base: it hands the decision on (B4). */
    FAR_BEHIND_COORDINATOR("far behind the base, handing the decision on"),
    /** The decision would cut this log below {@code g}, or names this member base owner of entries it lacks. */
    DECISION_REFUSED("refused the decision"),
    /**
     * It was about to enter an epoch some of whose events it had dropped as implausibly far ahead (docs/protocol.md
     * §10.3): it cannot order in that epoch, and enters the next one instead.
     */
    EVENTS_MISSED("skipped an epoch whose events it had dropped as too far ahead"),
    /**
     * Started to bootstrap, it learned that the cluster has run: not intact, and not in an epoch its earlier life may
     * have ordered in (docs/protocol.md §10.2).
     */
    BOOTSTRAP_REFUSED("refused to bootstrap a cluster that has run");

    private final String description;

    EpochTrigger(final String description)
    {
        this.description = description;
    }

    /** What happened, in a few words, for logs. */
    public String description()
    {
        return description;
    }
}
