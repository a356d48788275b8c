package io.sequencer.core.protocol;

import io.sequencer.core.Durability;
import io.sequencer.core.EntryType;
import io.sequencer.core.EpochTrigger;
import io.sequencer.core.MemberSet;
import io.sequencer.core.NodeMode;
import io.sequencer.core.RecoveredFault;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Taking an epoch's decision and aligning to it (docs/protocol.md B3-B6, §5): the base and the active set, the probe
 * or fetch it needs, the unroll of a divergent tail (never below g) and the rebuild of the state, the EpochStart
 * appended at N+1, and running once every active member is seen aligned; a member outside the active set aligns and
 * follows instead. Reads and changes the epoch's state through the protocol it belongs to. Duty cycle only.
 */
final class Alignment
{
    private final UnsafeBuffer epochStartBuffer = new UnsafeBuffer(new byte[MemberSet.MAX_LENGTH]);

    private final SequencerProtocol p;

    Alignment(final SequencerProtocol protocol)
    {
        this.p = protocol;
    }

    /** B4/B5: the epoch is decided; a member of the new active set starts aligning to the base. */
    void applyDecision(final long n, final long chkAtN, final int mask, final int baseOwnerIndex)
    {
        p.decided = true;
        p.activeMask = mask;
        // B7 times the alignment from the decision: a late decision is not a stuck epoch
        p.epochs.bootStartNs = p.nowNs;
        p.listener.onDecided(p.currentEpoch, p.memberIds[p.epochs.coordinatorIndex(p.currentEpoch)], mask,
            p.memberIds[baseOwnerIndex], n);
        p.decisionN = n;
        p.decisionChk = chkAtN;
        p.baseOwner = baseOwnerIndex;
        p.catchUp.source = baseOwnerIndex; // probes and fetches go to the owner first (B5)
        for (int i = 0; i < p.memberCount; i++)
        {
            if (!p.liveness.isActive(i))
            {
                p.ordering.pending[i].clear();
                p.ordering.ownTickPending &= i != p.selfIndex;
            }
        }
        if (!p.liveness.isActive(p.selfIndex))
        {
            if (baseOwnerIndex != p.selfIndex)
            {
                // Left out: align to the base and follow the owner's durable log while the active set runs, then
                // ask in; the epoch that admits it then waits only for the last few entries (docs/protocol.md, §10.5).
                p.catchUp.catchingUpOutside = true;
                p.counters.catchUpsOutside++;
            }
            else
            {
                p.phase = BootPhase.OUTSIDE;
                if (p.liveness.hearsAllActive())
                {
                    p.reports.askToBeAdmitted(); // B6: left out; ask to be admitted in the next epoch
                }
                return; // otherwise bootWork asks once this node hears every member of the active set
            }
        }
        if (!p.intact)
        {
            p.store.amnesia(true);
        }

        final long common = Math.min(p.log.have(), n);
        if (common == n && n >= p.log.base() && p.log.chkAt(n) == chkAtN)
        {
            alignedUpTo(n);
        }
        else if (n < p.log.base())
        {
            // A base below what this log still holds: only a member that lost what it held gets here (an intact
            // one's log base is at or below its g, which no decision goes below). Refuse it; the next epoch decides.
            p.counters.decisionsRefused++;
            p.errorHandler.onError(new RecoveredFault("member " + p.selfId + " refuses the decision of epoch " +
                p.currentEpoch + ": its base N=" + n + " lies below this log's base " + p.log.base() + "; next epoch"));
            p.epochs.startEpochChange(EpochTrigger.DECISION_REFUSED, -1);
        }
        else if (baseOwnerIndex == p.selfIndex)
        {
            // The decision rests on a report this process did not make: one of an earlier incarnation of this
            // member, delivered late (its disk has since been lost or cut). Refuse it and move on: nobody can
            // align to a base this node cannot serve.
            p.counters.staleDecisions++;
            p.errorHandler.onError(new RecoveredFault("member " + p.selfId + " named base owner of epoch " +
                p.currentEpoch + " with N=" + n + ", which its log does not hold (a stale report): next epoch"));
            p.epochs.startEpochChange(EpochTrigger.DECISION_REFUSED, -1);
        }
        else
        {
            p.phase = BootPhase.PROBING;
            p.catchUp.probeLo = p.log.base(); // every entry up to the base was committed: canonical (§13)
            p.catchUp.probeHi = common + 1;
            p.catchUp.probePosition = common;
            if (p.catchUp.probePosition == p.catchUp.probeLo)
            {
                alignedUpTo(p.catchUp.probeLo);
            }
            else
            {
                p.listener.onProbing(p.currentEpoch, p.memberIds[baseOwnerIndex], p.catchUp.probePosition);
                p.catchUp.sendProbe(p.catchUp.probePosition);
            }
        }
    }

    /**
     * B5: the log agrees with the base up to {@code agreed}: unroll what lies above, rebuild the state, then fetch
     * the rest of the base.
     */
    void alignedUpTo(final long agreed)
    {
        if (agreed < Math.min(p.rules.durableFloor(p.guaranteed), p.log.have()) && p.intact)
        {
            // Following this decision would cut entries known durable. Honest reports never lead here; forged or
            // garbled ones may: refuse the decision, keep the log, and let the next epoch decide again.
            p.counters.decisionsRefused++;
            p.errorHandler.onError(new RecoveredFault("member " + p.selfId + " refuses the decision of epoch " +
                p.currentEpoch + ": its base diverges from this log at " + (agreed + 1) +
                ", below the durable watermark g=" + p.guaranteed + "; next epoch"));
            p.epochs.startEpochChange(EpochTrigger.DECISION_REFUSED, -1);
            return;
        }
        if (agreed < p.log.base())
        {
            p.receiving.requestTransfer(agreed, true, "it diverges from the base at " + (agreed + 1)
                + ", below this log's base " +
                p.log.base());
            return;
        }
        if (p.log.have() > agreed)
        {
            p.counters.unrolledEntries += p.log.have() - agreed;
            if (p.store.highWater() > agreed)
            {
                p.store.highWater(agreed); // lowered first: a crash inside the cut must not read as lost entries
            }
            p.store.unrollIntent(agreed);
            p.checkpoints.unrollUntil(agreed);
            p.log.unrollTo(agreed, p.intact ? p.rules.durableFloor(p.guaranteed) : 0);
            p.store.unrollIntent(-1);
            p.own.unserializeFrom(agreed + 1);
            p.counters.unrolls++;
            p.lastNormalEpoch = p.epochs.epochOfLastEpochStart();
        }
        if (p.receiving.installAt > agreed)
        {
            // still fetching up to an installed snapshot: its checkpoint is restored when the log reaches it
            if (p.receiving.installAt > p.decisionN)
            {
                p.receiving.requestTransfer(agreed, false, "the installed snapshot at " + p.receiving.installAt
                    + " lies above this epoch's " +
                    "base N=" + p.decisionN);
                return;
            }
        }
        else
        {
            p.replay.rebuildStateTo(agreed);
            if (!p.stateValid)
            {
                final long installed = p.receiving.installedAbove(agreed);
                if (installed > 0 && installed <= p.decisionN)
                {
                    // a restart between an install and its restore: the fetch goes on to it
                    p.receiving.installAt = installed;
                }
                else
                {
                    p.receiving.requestTransfer(agreed, true, "no checkpoint at or above this log's base "
                        + p.log.base() +
                        " loads");
                    return;
                }
            }
        }
        p.catchUp.fetchNext = agreed + 1;
        p.catchUp.fetchTarget = p.decisionN;
        if (p.catchUp.fetchNext > p.catchUp.fetchTarget)
        {
            appendEpochStart();
        }
        else
        {
            p.phase = BootPhase.FETCHING;
            p.catchUp.fetchStarted();
            p.listener.onFetching(p.currentEpoch, p.memberIds[p.catchUp.source], p.catchUp.fetchNext, p.decisionN);
            p.catchUp.startFetch();
        }
    }

    /** B5 end: {@code EpochStart(E, C, A)} at {@code N+1}; this node now orders in the epoch. */
    void appendEpochStart()
    {
        if (p.catchUp.catchingUpOutside)
        {
            p.catchUp.endFetchOutside(); // not in the epoch: nothing to append
            return;
        }
        p.receiving.closeIncoming(); // a transfer abandoned along the way
        p.receiving.refetchedUpTo = 0;
        if (p.fresh)
        {
            // The cluster's first epoch, decided on empty logs only: from now on this is an ordinary member.
            p.fresh = false;
            p.store.logId(p.log.logId());
            p.store.initialize();
        }
        final int length = MemberSet.encode(epochStartBuffer, 0, p.cluster, p.activeMask);
        p.appending.header(EntryType.EPOCH_START, p.currentEpoch, 0,
            p.memberIds[p.epochs.coordinatorIndex(p.currentEpoch)], 0, 0, 0).payload(epochStartBuffer, 0, length);
        final long position = p.log.append(p.appending);
        p.replay.applyEntry(p.appending, false);
        if (p.durability == Durability.BATCH)
        {
            p.log.force();
        }
        p.lastNormalEpoch = p.currentEpoch;
        p.phase = BootPhase.ALIGNED;
        p.reportDue = true;
        p.listener.onAligned(p.currentEpoch, position);
        for (int i = 0; i < p.memberCount; i++)
        {
            if (i != p.selfIndex && p.liveness.isActive(i))
            {
                p.reports.countReport(i);
            }
        }
        p.ordering.updateGuaranteed();
        checkRunning();
    }

    /** B6: running once a quorum of the configuration has aligned to this epoch (counted reports ≥ N+1). */
    void checkRunning()
    {
        if (p.phase != BootPhase.ALIGNED)
        {
            return;
        }
        final long start = p.decisionN + 1;
        int aligned = 0;
        for (int i = 0; i < p.memberCount; i++)
        {
            if (p.liveness.isActive(i) && (i == p.selfIndex ? p.ordering.serSelf() : p.ordering.ser[i]) >= start)
            {
                aligned++;
            }
        }
        if (aligned < p.quorum)
        {
            return;
        }
        p.mode = NodeMode.RUNNING;
        p.phase = BootPhase.NONE;
        p.epochs.bootTimeoutNs = p.initialBootTimeoutNs;
        if (p.incarnation == 0)
        {
            // The first epoch this process runs in is above every epoch in the log it aligned to, and so above every
            // incarnation of this member whose events could be in it, even when its own disk was lost.
            p.incarnation = p.currentEpoch;
        }
        if (!p.intact)
        {
            p.intact = true;
            p.store.amnesia(false);
        }
        p.listener.onRunning(p.currentEpoch, p.log.lastEpochStartPosition());
        // B6: own events the base does not hold go again, with their ids, before any new submit.
        p.own.startResubmission();
        p.ordering.resubmitRemaining();
    }
}
