package io.sequencer.core;

/**
 * What a member's protocol does that an operator wants to see: epoch changes with their cause, decisions, running.
 * Called on the duty cycle, rarely (never in steady state): an implementation may log, but must not block for long
 * and must not throw.
 */
public interface ProtocolListener
{
    /** Listens to nothing. */
    ProtocolListener NONE = new ProtocolListener()
    {
    };

    /**
     * This member entered {@code epoch} (B1).
     *
     * @param previousEpoch the epoch it left (0 at start).
     * @param trigger       why.
     * @param memberId      the member the trigger concerns (the suspected one, the sender of an adopted frame, the
     *                      member asking in), or -1.
     */
    default void onEpochEntered(final long previousEpoch, final long epoch, final EpochTrigger trigger,
        final int memberId)
    {
    }

    /**
     * {@code epoch} is decided (B4): by this member as its coordinator, or a decision received from it.
     *
     * @param coordinatorId the member that decided.
     * @param activeMask   the active set: bit {@code i} for the member at index {@code i} of the configuration.
     * @param baseOwnerId  the member whose log is the base.
     * @param basePosition {@code N}.
     */
    default void onDecided(
        final long epoch, final int coordinatorId, final int activeMask, final int baseOwnerId, final long basePosition)
    {
    }

    /**
     * This member, coordinator of {@code epoch}, left a configured member out of the active set it decides (B4).
     * Called just before {@link #onDecided} for that decision.
     *
     * @param memberId      the member left out.
     * @param reason        why.
     * @param otherMemberId for {@link LeftOutReason#NOT_CONNECTED}: a member of the set that it and the left-out one
     *                      do not both hear; otherwise -1.
     * @param sinceEntryNs  how long after entering the epoch this coordinator decided.
     */
    default void onLeftOut(final long epoch, final int memberId, final LeftOutReason reason, final int otherMemberId,
        final long sinceEntryNs)
    {
    }

    /**
     * A member of the decided set finds where its log diverges from the base (B5): chk probes to the base owner,
     * starting at {@code position}.
     */
    default void onProbing(final long epoch, final int baseOwnerId, final long position)
    {
    }

    /**
     * It fetches the base's entries {@code from}..{@code to} from {@code sourceId}: the base owner, or a member whose
     * log holds the epoch's when the owner did not answer the probe (B5).
     */
    default void onFetching(final long epoch, final int sourceId, final long from, final long to)
    {
    }

    /**
     * {@code fromMemberId} did not answer its probe or fetch (cut off, or its catch-up path lost), and it asks
     * {@code toMemberId} for the base's entries instead: the base owner, or a member aligned to {@code epoch} (B5).
     */
    default void onFetchSource(final long epoch, final int fromMemberId, final int toMemberId)
    {
    }

    /**
     * Outside {@code epoch}'s active set and aligned to its base, it fetches {@code from}..{@code to}, entries
     * {@code baseOwnerId} holds durable, before asking in (a follow round, docs/protocol.md §10.5).
     */
    default void onFollowing(final long epoch, final int baseOwnerId, final long from, final long to)
    {
    }

    /**
     * Still without a decision, now in {@code epoch}, {@code waitedNs} after it last ran in a decided epoch (or
     * started), over the epoch changes since: the members it hears (a mask over member indexes, itself included). Said
     * a second into the wait, then every five seconds: what an operator needs when a cluster does not run (a quorum not
     * heard, a member not started).
     */
    default void onWaiting(final long epoch, final int heardMask, final long waitedNs)
    {
    }

    /**
     * A fetch running longer than a second: it holds entries up to {@code fetchedTo} of the {@code to} it fetches from
     * {@code sourceId} (the base owner, or the member B5 turned to), having started at {@code from}. Said once a second
     * while it runs.
     */
    default void onFetchProgress(final long epoch, final int sourceId, final long from, final long fetchedTo,
        final long to)
    {
    }

    /**
     * Overload: {@code refused} submits were refused as back-pressured over the last {@code overNs} (the member's own
     * events in flight at their limit, {@code inFlight} now, {@code pending} events of all members waiting for their
     * order). Said at most once a second, while it goes on.
     */
    default void onOverload(final long epoch, final long refused, final long overNs, final int inFlight,
        final int pending)
    {
    }

    /** This member aligned to {@code epoch}'s base and appended its {@code EpochStart} at {@code position} (B5). */
    default void onAligned(final long epoch, final long position)
    {
    }

    /** This member runs in {@code epoch} (B6); {@code position} is its {@code EpochStart}'s. */
    default void onRunning(final long epoch, final long position)
    {
    }
}
