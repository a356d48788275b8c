package io.sequencer.core.protocol;

import io.sequencer.core.EpochTrigger;
import io.sequencer.core.LeftOutReason;
import io.sequencer.core.RecoveredFault;

/**
 * B2–B4 on the coordinator of an epoch (docs/protocol.md): once a quorum with enough intact members has reported,
 * choose the base (B3), the active set of reporters that hear each other (B4), leave out the far behind, and hand the
 * decision to {@link SequencerProtocol} to publish and apply. Reads the epoch's reports and the failure detector
 * through the protocol it belongs to. Duty cycle only; allocates nothing.
 */
final class EpochCoordinator
{
    /** When a quorum with enough intact members first reported in this epoch; -1 while there is none. */
    private long quorumSinceNs = -1;
    /** This epoch's decision was refused (B3's assertion): reported once. */
    private boolean decisionRefused;
    private final SequencerProtocol p;

    EpochCoordinator(final SequencerProtocol protocol)
    {
        this.p = protocol;
    }

    /** A new epoch: nothing of the last one's decision counts. */
    void onEpochEntered()
    {
        quorumSinceNs = -1;
        decisionRefused = false;
    }

    /** B2–B4 on the coordinator: decide once a quorum with enough intact members has reported. */
    int coordinate()
    {
        if (p.phase == BootPhase.PUBLISHING)
        {
            return p.reports.publishDecision() ? 1 : 0;
        }
        if (!p.intact)
        {
            // B1: a node that is not intact never coordinates; hand the decision to the next able coordinator.
            if (p.epochs.coordinatorIndex(p.epochs.nextEpochForLocalTrigger()) != p.selfIndex)
            {
                p.epochs.startEpochChange(EpochTrigger.NOT_INTACT_COORDINATOR, -1);
                return 1;
            }
            return 0;
        }
        p.reports.recordOwnReport();
        boolean clusterRan = false;
        for (int i = 0; i < p.memberCount; i++)
        {
            if (p.reports.reported[i] && p.reports.reportRan[i])
            {
                clusterRan = true;
            }
        }
        if (p.fresh && clusterRan)
        {
            p.reports.refuseBootstrap("the reports of epoch " + p.currentEpoch + " show a log that has run");
            return 1;
        }
        int reporters = 0;
        int intactReporters = 0;
        int silentMissing = 0;
        boolean allReported = true;
        boolean anyAligned = false;
        for (int i = 0; i < p.memberCount; i++)
        {
            allReported &= p.reports.reported[i];
            anyAligned |= p.reports.reported[i] && p.reports.reportLastNormalEpoch[i] > 0;
        }
        for (int i = 0; i < p.memberCount; i++)
        {
            if (p.reports.reported[i])
            {
                reporters++;
                if (p.reports.reportIntact[i] && p.reports.reportFresh[i] && (clusterRan || (anyAligned
                    && !allReported)))
                {
                    // An empty log bootstrapped into a cluster that ran is a lost disk. And once some member has
                    // aligned to an epoch, that epoch may have run without it: only the whole configuration can then
                    // show that it never did (the member holding the events may be the one missing, §10.2).
                    p.reports.reportIntact[i] = false;
                }
                if (p.reports.reportIntact[i] && i != p.selfIndex
                    && p.reports.reportLastNormalEpoch[i] >= p.reports.knownHeldEpoch[i] &&
                    p.reports.reportHave[i] < p.reports.knownHeld[i])
                {
                    // This node counted the member holding more, all of it durable, and no alignment cuts below the
                    // watermark: it lost entries without knowing it (docs/protocol.md §10.1).
                    p.reports.reportIntact[i] = false;
                    p.counters.lossesSeenInReports++;
                    p.errorHandler.onError(new RecoveredFault("member " + p.memberIds[i] + " reports "
                        + p.reports.reportHave[i] +
                        " entries of epoch " + p.reports.knownHeldEpoch[i] + " but was counted holding "
                            + p.reports.knownHeld[i] +
                        " in it: its report does not count as intact"));
                }
                if (p.reports.reportIntact[i])
                {
                    intactReporters++;
                }
            }
            else if (p.liveness.isSilent(i) || notHeardByAReporter(i) >= 0)
            {
                silentMissing++; // not waited for (B2)
            }
        }
        if (reporters < p.quorum || intactReporters < p.memberCount - p.quorum + 1)
        {
            quorumSinceNs = -1;
            return 0;
        }
        if (quorumSinceNs < 0)
        {
            quorumSinceNs = p.nowNs;
        }
        if (reporters + silentMissing < p.memberCount &&
            (p.nowNs - quorumSinceNs < p.decisionGraceNs
                || p.nowNs - p.epochs.bootStartNs < p.epochs.bootTimeoutNs / 2))
        {
            // A member that is not silent (it hears this coordinator) and has not reported yet is on its way into the
            // epoch: a loaded or starting member adopts it tens of ms late, stalled by its own epoch persist. It is
            // waited for up to half the epoch's timer, since leaving it out costs two more epochs when it asks in, and
            // a member far behind in its place would hold everyone's ordering for its whole catch-up (B2, B4, B6).
            return 0;
        }

        // B3: the base is the intact report with the largest (lastNormalEpoch, have).
        final int base = p.rules.chooseBase(p.reports, p.memberCount, p.quorum);
        if (base != p.selfIndex && p.farBehind(p.reports.reportHave[p.selfIndex], p.reports.reportHave[base]) &&
            p.epochs.coordinatorIndex(p.epochs.nextEpoch(false)) != p.selfIndex)
        {
            // B4: far behind the base, this coordinator could not leave itself out (A' holds its coordinator), and in
            // A' it would hold everyone's ordering until it has fetched all of it (R5 waits for its promises). Hand the
            // decision on to a member that can leave it out; it catches up outside that epoch (§10.5).
            p.counters.farBehindHandOvers++;
            p.epochs.startEpochChange(EpochTrigger.FAR_BEHIND_COORDINATOR, -1);
            return 1;
        }
        int mask = 0;
        for (int i = 0; i < p.memberCount; i++)
        {
            if (p.reports.reported[i])
            {
                mask |= 1 << i;
                if (p.rules.durableFloor(p.reports.reportGuaranteed[i]) > p.reports.reportHave[base]
                    && p.reports.reportIntact[i])
                {
                    // B3's assertion. Honest reports never fail it; a forged or garbled one may, and must not stop
                    // the coordinator: it does not decide, and B7 moves the cluster on.
                    if (!decisionRefused)
                    {
                        p.counters.decisionsRefused++;
                        p.errorHandler.onError(new RecoveredFault("B3: the base (" + p.reports.reportHave[base]
                            + " of member " +
                            p.memberIds[base] + ") is below the watermark " + p.reports.reportGuaranteed[i]
                                + " reported by member " +
                            p.memberIds[i] + ": epoch " + p.currentEpoch + " not decided"));
                        decisionRefused = true;
                    }
                    return 0;
                }
            }
        }
        final int connected = connectedActiveSet(mask, base);
        if (connected == 0 || (connected != mask && p.nowNs - quorumSinceNs < p.decisionGraceNs))
        {
            // No quorum that hears each other yet, or one smaller than the reporters: hears masks are a T_hb old at
            // most, so wait the grace period for fresher reports before leaving a reporter out (B7 moves on).
            return 0;
        }
        mask = connected;
        for (int i = 0; i < p.memberCount; i++)
        {
            final int without = mask & ~(1 << i);
            if (without != mask && i != p.selfIndex && i != base && Integer.bitCount(without) >= p.quorum &&
                p.farBehind(p.reports.reportHave[i], p.reports.reportHave[base]))
            {
                mask = without; // far behind: it catches up outside the epoch instead of stalling everyone's ordering
            }
        }
        reportLeftOut(mask, p.reports.reportHave[base]);
        p.phase = BootPhase.PUBLISHING;
        p.decisionN = p.reports.reportHave[base];
        p.decisionChk = p.reports.reportChk[base];
        p.decisionMask = mask;
        p.decisionBaseOwner = base;
        p.counters.decisions++;
        return p.reports.publishDecision() ? 1 : 0;
    }

    /** Tells the listener why each configured member outside {@code mask} is left out of this decision. */
    private void reportLeftOut(final int mask, final long baseHave)
    {
        for (int i = 0; i < p.memberCount; i++)
        {
            if ((mask & (1 << i)) != 0)
            {
                continue;
            }
            final LeftOutReason reason;
            int other = -1;
            if (!p.reports.reported[i])
            {
                final int unhearing = notHeardByAReporter(i);
                reason = p.liveness.isSilent(i) ? LeftOutReason.SILENT :
                    unhearing >= 0 ? LeftOutReason.NOT_HEARD : LeftOutReason.NOT_REPORTED;
                other = p.liveness.isSilent(i) || unhearing < 0 ? -1 : p.memberIds[unhearing];
            }
            else if (p.farBehind(p.reports.reportHave[i], baseHave))
            {
                reason = LeftOutReason.FAR_BEHIND;
            }
            else
            {
                reason = LeftOutReason.NOT_CONNECTED;
                for (int j = 0; j < p.memberCount && other < 0; j++)
                {
                    if ((mask & (1 << j)) != 0 &&
                        ((hearsMaskOfMember(i) & (1 << j)) == 0 || (hearsMaskOfMember(j) & (1 << i)) == 0))
                    {
                        other = p.memberIds[j];
                    }
                }
            }
            p.listener.onLeftOut(p.currentEpoch, p.memberIds[i], reason, other, p.nowNs - p.epochs.epochEnteredNs);
        }
    }

    /**
     * B4's {@code A'}: the largest set of reporters, with this coordinator and the base owner in it, whose members all
     * hear each other (by the hears masks of their reports), if it reaches a quorum. A member that cannot hear another
     * would stall ordering waiting for its promises and be suspected at once: leaving it out keeps the epoch alive,
     * and it asks in again once it hears every member of the active set.
     *
     * @return the active set as a mask over member indexes, or 0 when no such set reaches a quorum.
     */
    private int connectedActiveSet(final int reporterMask, final int base)
    {
        final int required = (1 << p.selfIndex) | (1 << base);
        int best = 0;
        for (int set = reporterMask; set != 0; set = (set - 1) & reporterMask)
        {
            if ((set & required) == required && Integer.bitCount(set) > Integer.bitCount(best) &&
                Integer.bitCount(set) >= p.quorum && allHearEachOther(set))
            {
                best = set;
            }
        }
        return best;
    }

    private boolean allHearEachOther(final int set)
    {
        for (int i = 0; i < p.memberCount; i++)
        {
            if ((set & (1 << i)) != 0 && (hearsMaskOfMember(i) & set) != set)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * B2: a reporter of this epoch, other than this coordinator, whose report's hears mask leaves out member
     * {@code index} but holds this coordinator, or -1. That member is not waited for: the reporter's failure timeout
     * for it ran out (it may have started this epoch suspecting it), though this coordinator's, adapted to other gaps,
     * may not have yet.
     */
    private int notHeardByAReporter(final int index)
    {
        for (int j = 0; j < p.memberCount; j++)
        {
            // a reporter that does not hear this coordinator either is deaf, not a witness (§10.4)
            if (j != p.selfIndex && j != index && p.reports.reported[j]
                && (p.reports.reportHears[j] & (1 << index)) == 0 &&
                (p.reports.reportHears[j] & (1 << p.selfIndex)) != 0)
            {
                return j;
            }
        }
        return -1;
    }

    private int hearsMaskOfMember(final int index)
    {
        return index == p.selfIndex ? p.liveness.hearsMask() : p.reports.reportHears[index] | (1 << index);
    }
}
