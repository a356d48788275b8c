package io.sequencer.core.protocol;

import io.sequencer.core.EpochTrigger;
import io.sequencer.core.NodeMode;
import io.sequencer.core.RecoveredFault;
import io.sequencer.core.codec.ClusterNodesFrame;
import io.sequencer.core.codec.DropReason;
import org.agrona.DirectBuffer;

/**
 * The reports of an epoch change and its decision (docs/protocol.md B2, B6): each member's report (have, chk, g,
 * intact, the epochs it has run) as its MySerializeCounter frames carry it, counted once per member and epoch;
 * bootstrap refused on evidence that the cluster ran; the coordinator's one ClusterNodes decision, sent again to a
 * member that missed it, and a member's request to be admitted. Reads and changes the epoch's state through the
 * protocol it belongs to. Duty cycle only.
 */
final class EpochReports
{

    private final ClusterNodesFrame clusterNodesFrame = new ClusterNodesFrame();

    final boolean[] reported;
    final long[] reportHave;
    final long[] reportChk;
    final long[] reportLastNormalEpoch;
    final long[] reportGuaranteed;
    final boolean[] reportIntact;
    final boolean[] reportFresh;
    /** Kept across epochs: the position each member was last counted holding (R8), and in which epoch. */
    final long[] knownHeld;
    final long[] knownHeldEpoch;
    /** The report shows the cluster has run: an event in the sender's log or a durable watermark. */
    final boolean[] reportRan;
    final int[] reportHears;
    final long[] historyHave;
    final long[] historyChk;
    final int[] historyCount;
    /** When and in which epoch this coordinator last sent its decision again to each member that missed it (B6). */
    final long[] decisionResentNs;
    final long[] decisionResentEpoch;
    private final SequencerProtocol p;

    EpochReports(final SequencerProtocol protocol)
    {
        this.p = protocol;
        reported = new boolean[p.memberCount];
        reportHave = new long[p.memberCount];
        reportChk = new long[p.memberCount];
        reportLastNormalEpoch = new long[p.memberCount];
        reportGuaranteed = new long[p.memberCount];
        reportIntact = new boolean[p.memberCount];
        reportFresh = new boolean[p.memberCount];
        knownHeld = new long[p.memberCount];
        knownHeldEpoch = new long[p.memberCount];
        reportRan = new boolean[p.memberCount];
        reportHears = new int[p.memberCount];
        historyHave = new long[p.memberCount * SequencerProtocol.REPORT_HISTORY];
        historyChk = new long[p.memberCount * SequencerProtocol.REPORT_HISTORY];
        historyCount = new int[p.memberCount];
        decisionResentNs = new long[p.memberCount];
        decisionResentEpoch = new long[p.memberCount];
    }

    /** A new epoch: no reports of it yet, and the history of the last one's reports starts over. */
    void onEpochEntered()
    {
        java.util.Arrays.fill(reported, false);
        java.util.Arrays.fill(historyCount, 0);
    }

    /** The coordinator counts its own report like any other. */
    void recordOwnReport()
    {
        final long have = p.ordering.serSelf();
        reported[p.selfIndex] = true;
        reportHave[p.selfIndex] = have;
        reportChk[p.selfIndex] = p.log.chkAt(have);
        reportLastNormalEpoch[p.selfIndex] = p.lastNormalEpoch;
        reportGuaranteed[p.selfIndex] = p.guaranteed;
        reportIntact[p.selfIndex] = p.intact;
        reportFresh[p.selfIndex] = p.fresh;
        reportRan[p.selfIndex] = p.epochs.holdsEvents() || p.guaranteed > 0;
    }

    /**
     * The coordinator runs in this epoch, and this member holds no decision of it: the decision went out before it
     * listened (a restarted member adopts a running epoch). It reports, marked undecided, and the coordinator sends
     * the decision again (B6); asking in at once would end an epoch that has just started running, and a member far
     * behind would be left out again and ask in twice. If no decision comes within {@code T_boot} of the coordinator's
     * frames first saying it hears this member (at most B7's cap on {@code T_boot} from now, should they never say
     * so), it asks in.
     */
    void decisionMissed()
    {
        if (p.epochs.decisionMissedSinceNs < 0)
        {
            p.epochs.decisionMissedSinceNs = p.nowNs;
            p.reportDue = true;
            p.epochs.checkCoordinatorHearsSelf();
        }
    }

    /** Left out of the decided epoch: move to the next one and say so with {@code NewNode}. */
    void askToBeAdmitted()
    {
        if (!p.epochs.startEpochChange(EpochTrigger.ASKING_IN, -1))
        {
            return; // asked again at the next sign of the decided epoch, once this node hears a quorum
        }
        p.counters.admissionRequests++;
        p.publisher.newNode(p.ordering.serSelf());
    }

    /** A member outside the decided epoch asks in: start the next epoch so it can be admitted. */
    void onNewNode(final int sender)
    {
        if (p.decided && !p.liveness.isActive(sender))
        {
            p.epochs.startEpochChange(EpochTrigger.PEER_ASKED_IN, sender);
        }
    }

    /**
     * A report: in boot it is the state report the coordinator collects (B2); once the sender has aligned to this
     * epoch it is R8's serialized position, which counts towards {@code g} only if it agrees with our log.
     */
    void onSerializeCounter(final int sender, final DirectBuffer buffer, final int offset, final int length)
    {
        p.serializeCounterFrame.wrap(buffer, offset, length);
        final long have = p.serializeCounterFrame.have();
        final long senderLastNormalEpoch = p.serializeCounterFrame.lastNormalEpoch();
        if (p.fresh && p.serializeCounterFrame.showsClusterRan())
        {
            refuseBootstrap("member " + p.memberIds[sender] + " reports a log of " + have + " entries, last epoch " +
                senderLastNormalEpoch);
            return; // a report of the epoch it left
        }
        if (!p.decided)
        {
            if (senderLastNormalEpoch == p.currentEpoch && sender == p.epochs.coordinatorIndex(p.currentEpoch)
                && p.rules.coordinated())
            {
                decisionMissed(); // the coordinator aligned to a decision this node never received
                return;
            }
            if (p.rules.refusesContradictingReports() &&
                contradictsThisLog(have, senderLastNormalEpoch, p.serializeCounterFrame.chkAtHave()))
            {
                p.counters.bootReportsRefused++;
                return; // no vote: forged, or of a log damaged in a way its owner did not see
            }
            reported[sender] = true;
            reportHave[sender] = have;
            reportChk[sender] = p.serializeCounterFrame.chkAtHave();
            reportLastNormalEpoch[sender] = senderLastNormalEpoch;
            reportGuaranteed[sender] = p.serializeCounterFrame.guaranteed();
            reportIntact[sender] = p.serializeCounterFrame.intact();
            reportFresh[sender] = p.serializeCounterFrame.isFresh();
            reportRan[sender] = p.serializeCounterFrame.showsClusterRan();
            reportHears[sender] = p.serializeCounterFrame.hearsMask();
            return;
        }
        if (p.serializeCounterFrame.isUndecided() && p.selfIndex == p.epochs.coordinatorIndex(p.currentEpoch)
            && p.rules.coordinated() &&
            (decisionResentEpoch[sender] != p.currentEpoch
                || p.nowNs - decisionResentNs[sender] >= p.heartbeatIntervalNs) &&
            publishDecisionFrame())
        {
            // B6: the sender missed this epoch's decision (it adopted the epoch after the decision went out): the same
            // decision again, at most once a heartbeat per member.
            decisionResentEpoch[sender] = p.currentEpoch;
            decisionResentNs[sender] = p.nowNs;
            p.counters.decisionsResent++;
        }
        if (senderLastNormalEpoch != p.currentEpoch || !p.liveness.isActive(sender))
        {
            return; // sent before the sender aligned to this epoch: not counted
        }
        reported[sender] = true;
        reportLastNormalEpoch[sender] = senderLastNormalEpoch;
        rememberReport(sender, have, p.serializeCounterFrame.chkAtHave(), p.serializeCounterFrame.guaranteed());
        if (p.phase == BootPhase.ALIGNED || p.mode == NodeMode.RUNNING)
        {
            countReport(sender);
            p.ordering.updateGuaranteed();
        }
    }

    /** Keep an aligned member's report until this node's log reaches its {@code have} and can check it (R8). */
    private void rememberReport(final int sender, final long have, final long chk, final long reportedGuaranteed)
    {
        final int base = sender * SequencerProtocol.REPORT_HISTORY;
        if (historyCount[sender] == SequencerProtocol.REPORT_HISTORY)
        {
            dropReports(sender, 1);
        }
        // Kept sorted by have. An honest member's position only rises, but a forged or replayed report may sit
        // anywhere: inserted in order, a forged one above this log never blocks the honest ones below it (they are
        // checked and counted as this log reaches them), and a replayed old one never pushes a newer one out.
        final int count = historyCount[sender];
        int at = count;
        while (at > 0 && historyHave[base + at - 1] >= have)
        {
            at--;
        }
        if (at < count && historyHave[base + at] == have)
        {
            historyChk[base + at] = chk; // the same position again: keep one
        }
        else
        {
            System.arraycopy(historyHave, base + at, historyHave, base + at + 1, count - at);
            System.arraycopy(historyChk, base + at, historyChk, base + at + 1, count - at);
            historyHave[base + at] = have;
            historyChk[base + at] = chk;
            historyCount[sender] = count + 1;
        }
        reportGuaranteed[sender] = Math.max(reportGuaranteed[sender], reportedGuaranteed);
    }

    private void dropReports(final int sender, final int n)
    {
        final int base = sender * SequencerProtocol.REPORT_HISTORY;
        final int count = historyCount[sender];
        System.arraycopy(historyHave, base + n, historyHave, base, count - n);
        System.arraycopy(historyChk, base + n, historyChk, base, count - n);
        historyCount[sender] = count - n;
    }

    /**
     * §10.3: whether a boot report contradicts this log where no correct member's log can. Two members aligned to the
     * same epoch hold one sequence on their common prefix: both aligned to its one decision (the same base, the same
     * {@code EpochStart} after it), and after it each holds a prefix of the epoch's one order, or of the base owner's
     * log it follows. A report of the same last normal epoch whose {@code chk} differs from this log's at a position
     * this log holds is therefore forged (without authentication one frame is enough: counted, it was a vote that could
     * shape a decision leaving out acknowledged entries; simulator seed 583) or from a log damaged in a way its owner
     * did not see; either way it is no vote.
     */
    private boolean contradictsThisLog(final long have, final long senderLastNormalEpoch, final long chk)
    {
        return senderLastNormalEpoch == p.lastNormalEpoch && have >= p.log.base() && have <= p.log.have() &&
            p.log.chkAt(have) != chk;
    }

    /**
     * R8: count the newest remembered report of an aligned member that this node can check, once this node is
     * aligned too: its {@code chk} must match this log at its {@code have}. A report above this log waits until the
     * log reaches it: counted unchecked it would let one forged or diverged report make an entry that only this node
     * holds look durable.
     */
    void countReport(final int sender)
    {
        final int count = historyCount[sender];
        final int base = sender * SequencerProtocol.REPORT_HISTORY;
        final long logHave = p.log.have();
        int k = count - 1;
        while (k >= 0 && historyHave[base + k] > logHave)
        {
            k--;
        }
        if (k < 0)
        {
            return;
        }
        final long have = historyHave[base + k];
        if (have < p.log.base())
        {
            dropReports(sender, k + 1); // below what this log holds: it cannot be checked, and is not counted
            return;
        }
        if (p.log.chkAt(have) != historyChk[base + k])
        {
            p.counters.reportChkMismatches++;
            dropReports(sender, k + 1);
            return;
        }
        dropReports(sender, k + 1);
        if (have > p.ordering.ser[sender])
        {
            p.ordering.ser[sender] = have;
        }
        // A peer's watermark is knowledge this node may adopt, but only as far as it has checked the peer's log.
        final long adoptable = Math.min(reportGuaranteed[sender], p.ordering.ser[sender]);
        if (adoptable > p.guaranteed)
        {
            p.guaranteed = adoptable;
        }
    }

    /**
     * This node was started to bootstrap a new cluster, but a peer shows that the cluster has run: its empty log is
     * not the log of a new member but possibly of one whose disk was lost. The bootstrap is refused: from here on it
     * is a member that is not intact, which counts for nothing until it has caught up (as if started without
     * bootstrap, which is what the operator would do next; doing it here also lets a member that was merely slow to
     * start at creation join). And it leaves the epoch it entered as a fresh member (the cluster's first, or one it
     * chose without knowing its past) for one above all it knows: its earlier life may have ordered in that epoch, and
     * a replayed decision of it would have it order there again, differently (I2, simulator seed 6013 of 10,000 on
     * two members; §10.2).
     */
    void refuseBootstrap(final String evidence)
    {
        p.fresh = false;
        p.intact = false;
        p.store.amnesia(true);
        p.store.logId(p.log.logId());
        p.store.initialize();
        reportIntact[p.selfIndex] = false;
        reportFresh[p.selfIndex] = false;
        p.counters.bootstrapRefusals++;
        p.errorHandler.onError(new RecoveredFault("member " + p.selfId
            + " was started to bootstrap a new cluster, but " +
            "the cluster has already run (" + evidence + "): bootstrap refused. It continues as a member whose disk " +
            "was lost: not intact, it catches up before its log counts."));
        p.epochs.startEpochChange(EpochTrigger.BOOTSTRAP_REFUSED, -1);
    }

    /** B4 receiver side: act only on the first decision of this epoch from its coordinator. */
    void onClusterNodes(final int sender, final DirectBuffer buffer, final int offset, final int length)
    {
        clusterNodesFrame.wrap(buffer, offset, length);
        if (p.decided || !p.rules.coordinated() || sender != p.epochs.coordinatorIndex(p.currentEpoch) ||
            clusterNodesFrame.newEpoch() != p.currentEpoch)
        {
            p.counters.dropped(DropReason.UNEXPECTED.ordinal());
            return;
        }
        if (clusterNodesFrame.memberCount() != p.memberCount)
        {
            p.counters.dropped(DropReason.BAD_FIELD.ordinal());
            return;
        }
        for (int i = 0; i < p.memberCount; i++)
        {
            if (clusterNodesFrame.memberId(i) != p.memberIds[i])
            {
                p.counters.dropped(DropReason.BAD_FIELD.ordinal()); // a membership change this node cannot follow
                return;
            }
        }
        p.alignment.applyDecision(
            clusterNodesFrame.n(), clusterNodesFrame.chkAtN(), clusterNodesFrame.activeMask(),
            p.cluster.indexOf(clusterNodesFrame.baseOwner()));
    }

    /** B4: publish the one decision of this epoch (retried unchanged if the channel refuses it). */
    boolean publishDecision()
    {
        if (p.memberCount > 1 && p.rules.coordinated() && !publishDecisionFrame())
        {
            return false;
        }
        // The decision leaves now, not with the rest of the cycle's frames: this member's own alignment comes next and
        // may take long (a probe to send, a cut, a rebuild of its state), and every other member waits for the decision
        // (an admitting epoch in CatchUpFigures: the decision reached the others 12 ms after it was made).
        p.transport.flush();
        p.phase = BootPhase.COLLECTING; // applyDecision moves it on
        p.alignment.applyDecision(p.decisionN, p.decisionChk, p.decisionMask, p.decisionBaseOwner);
        return true;
    }

    /** The {@code ClusterNodes} frame of this epoch's one decision: sent once, and again to a member that missed it. */
    private boolean publishDecisionFrame()
    {
        return p.publisher.clusterNodes(p.decisionN, p.decisionChk, p.decisionMask, p.decisionBaseOwner);
    }
}
