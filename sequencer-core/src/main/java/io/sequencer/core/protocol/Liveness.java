package io.sequencer.core.protocol;

import io.sequencer.core.EpochTrigger;
import io.sequencer.core.NodeMode;

/**
 * Who is alive and who hears whom (docs/protocol.md R10, §10.4, §10.6), on top of the FailureDetector: this member's
 * hears mask, whether it hears a quorum or every active member, suspicion of a silent active member (an epoch change
 * and a DelNode), and the transport's signals that a peer's stream went or came back. Duty cycle only.
 */
final class Liveness
{
    private final SequencerProtocol p;

    Liveness(final SequencerProtocol protocol)
    {
        this.p = protocol;
    }

    /**
     * R10: a member of {@code A} silent for {@code T_fd} is suspected: publish {@code DelNode} and move to a new
     * epoch without it (the DelNode before the epoch is persisted: {@link EpochChange#startEpochChange}).
     */
    int checkSilence()
    {
        for (int i = 0; i < p.memberCount; i++)
        {
            if (i != p.selfIndex && isActive(i) && isSilent(i))
            {
                if (!p.epochs.startEpochChange(EpochTrigger.SUSPICION, i))
                {
                    return 0;
                }
                p.counters.suspicions++; // its DelNode went out first (EpochChange.startEpochChange)
                return 1;
            }
        }
        return 0;
    }

    /** {@link SequencerProtocol#onMemberUnavailable}'s work. */
    void memberUnavailable(final int memberId)
    {
        final int i = p.cluster.indexOf(memberId);
        if (i >= 0 && i != p.selfIndex && (p.mode == NodeMode.BOOT || p.mode == NodeMode.RUNNING))
        {
            p.detector.streamLost(i, p.nowNs);
            p.counters.streamsLost++;
            if (ordersWith(i))
            {
                p.epochs.startEpochChange(EpochTrigger.STREAM_LOST, i);
            }
        }
    }

    /** {@link SequencerProtocol#onMemberAvailable}'s work. */
    void memberAvailable(final int memberId)
    {
        final int i = p.cluster.indexOf(memberId);
        if (i >= 0 && i != p.selfIndex && (p.mode == NodeMode.BOOT || p.mode == NodeMode.RUNNING))
        {
            p.detector.streamRenewed(i, p.nowNs); // a new process (cold, compiling) or a healed link: allowed stalls
            if (ordersWith(i))
            {
                p.epochs.startEpochChange(EpochTrigger.STREAM_RENEWED, i);
            }
        }
    }

    /**
     * Whether frames of member {@code index} lost with its stream (or before a new one) could make this member order
     * past them in the current epoch (I2), so that it must leave the epoch (§10.4): before the decision (the others may
     * already run and order), or when both are in its active set. A member outside the decided active set orders
     * nothing in it, and one outside takes part in nothing this member orders: either asks in itself. Before this
     * rule a member left out and cut off from one active member (one pair cut one way, three processes across a
     * bridge) lost that member's stream, started an epoch, coordinated it and left out the member the others still
     * heard: an epoch change the cluster did not need.
     */
    private boolean ordersWith(final int index)
    {
        return !p.decided || isActive(index) && isActive(p.selfIndex);
    }

    /** The members this node heard within their failure timeouts, itself included, as a mask over member indexes. */
    int hearsMask()
    {
        return p.detector.hearsMask(p.nowNs);
    }

    /**
     * Whether this node and every member of the decided active set hear each other (their hears masks name this
     * node): only then can an epoch take it in.
     */
    boolean hearsAllActive()
    {
        for (int i = 0; i < p.memberCount; i++)
        {
            if (i != p.selfIndex && isActive(i) && !reaches(i))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether this node and member {@code index} hear each other: heard within its failure timeout, and its frames say
     * it hears this node (not {@link #isSilent}).
     */
    boolean reaches(final int index)
    {
        return (hearsMask() & (1 << index)) != 0 && !isSilent(index);
    }

    /** Check-quorum: only a node that hears a quorum (itself included) starts an epoch change on its own. */
    boolean hearsQuorum()
    {
        return Integer.bitCount(hearsMask()) >= p.quorum;
    }

    int allMembersMask()
    {
        return (1 << p.memberCount) - 1;
    }

    /** Not heard within its failure timeout by a frame that says it hears this node (R10, §10.6). */
    boolean isSilent(final int index)
    {
        return p.detector.isSilent(index, p.nowNs);
    }

    boolean isActive(final int index)
    {
        return (p.activeMask & (1 << index)) != 0;
    }
}
