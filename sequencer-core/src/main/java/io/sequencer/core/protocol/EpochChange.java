package io.sequencer.core.protocol;

import io.sequencer.core.EpochTrigger;
import io.sequencer.core.MemberSet;
import io.sequencer.core.NodeMode;

/**
 * Entering epochs (docs/protocol.md B1, B7, §10.4, §10.6): the next epoch a trigger leads to and who coordinates it,
 * what entering one resets (the epoch-scoped state) and persists, pre-vote and check-quorum before starting one, and
 * the boot timers that move a stuck epoch change on with jitter and backoff. Reads and changes the protocol's state
 * through the protocol it belongs to. Duty cycle only.
 */
final class EpochChange
{
    /** Since when this member waits for a decision, over epoch changes that decide nothing,
        and when it says so next. */
    private long waitingSinceNs = Long.MIN_VALUE;
    private long waitingReportDueNs;

    private long bootJitterNs;

    // Boot timing (B7): kept across epochs so the timeout backs off on repeated failure.
    long bootStartNs;
    long bootTimeoutNs;
    /** When this member entered the current epoch (the node log reports how long a decision took). */
    long epochEnteredNs;
    /**
     * A member just started listens for {@code T_fd} before it enters an epoch, until {@link #listenUntilNs} (B1): one
     * that does not know its last epoch (node state new or lost, not bootstrapping), and an intact one with peers,
     * which may take up the epoch that runs without it.
     */
    boolean listening;
    /**
     * Whether the {@code T_fd} of listening has started: at the first duty cycle after the start, not at the start
     * itself. The start's own work (its node-state writes, code not yet compiled) can take tens of milliseconds
     * before that cycle, and the transport skips what arrived before its first poll: counted from the start, the
     * member heard less than {@code T_fd} of its peers (kill cycles of real processes: 10 of 50 restarts heard no
     * frame of the running epoch in time and started a new one, and the running pair paused 150-420 ms for it).
     */
    private boolean listenTimerStarted;
    private long listenUntilNs;
    /**
     * The epoch a restarted member's node state names, while it listens for a decided epoch to take up (B1): a later
     * one, or this one if {@link #reentersEpoch}; 0 when this member is not listening for that.
     */
    long rejoinEpoch;
    /** Whether the listening member may go back into {@link #rejoinEpoch} itself: it cannot have run in it (B1). */
    boolean reentersEpoch;
    /**
     * When this member, holding no decision of its epoch, first saw the coordinator running in it (B6: it asks for the
     * decision and, if none comes, in); -1 while it has not.
     */
    long decisionMissedSinceNs = -1;
    /**
     * Whether that coordinator's frames have said it hears this member since: only then can it send the decision
     * again, and the wait for it ({@code T_boot}) starts over from there (B6).
     */
    boolean coordinatorHearsSelf;
    private final SequencerProtocol p;

    EpochChange(final SequencerProtocol protocol)
    {
        this.p = protocol;
        bootTimeoutNs = p.initialBootTimeoutNs;
    }

    long epochOfLastEpochStart()
    {
        final long position = p.log.lastEpochStartPosition();
        if (position == 0)
        {
            return p.log.baseEpoch(); // discarded by retention or below an installed snapshot: the log keeps its epoch
        }
        p.log.read(position, p.entry);
        return p.entry.epoch();
    }

    /** The epoch a local trigger moves to: above all known, skipping coordinators that cannot decide it. */
    long nextEpochForLocalTrigger()
    {
        return nextEpoch(true);
    }

    /**
     * The next epoch above all known whose coordinator can decide it: a silent peer cannot, nor this member when it is
     * not intact, nor, with {@code selfMayCoordinate} false, at all while another able coordinator comes first. A
     * member asking in passes false: it has just started or has been away, its view is the stalest and, freshly
     * started, it is the slowest to decide, while the running members wait for the decision within {@code T_boot}.
     */
    long nextEpoch(final boolean selfMayCoordinate)
    {
        final long epoch = p.maxKnownEpoch + 1;
        for (int k = 0; k < p.memberCount; k++)
        {
            final int coordinator = coordinatorIndex(epoch + k);
            final boolean able = coordinator == p.selfIndex ? selfMayCoordinate && p.intact
                : !p.liveness.isSilent(coordinator);
            if (able)
            {
                return epoch + k;
            }
        }
        return selfMayCoordinate ? epoch : nextEpoch(true);
    }

    int coordinatorIndex(final long epoch)
    {
        return (int)(epoch % p.memberCount);
    }

    /**
     * B1: whether this member, just started with its node state naming {@code epoch}, listens for a decided epoch to
     * take up before it enters a new one: it has not lost entries and has peers.
     */
    boolean mayListenAtStart(final long epoch)
    {
        return p.intact && p.memberCount > 1 && epoch > 0 && p.lastNormalEpoch <= epoch;
    }

    /**
     * B1: listen before entering an epoch, entering none and sending nothing; {@code epochNamed} is the epoch the node
     * state names (0: not known), {@code reenters} whether this member may go back into it.
     */
    void startListening(final long epochNamed, final boolean reenters)
    {
        listening = true;
        listenTimerStarted = false; // T_fd from the first duty cycle (checkListening)
        rejoinEpoch = epochNamed;
        reentersEpoch = reenters;
    }

    /** B1, each duty cycle while listening: start the {@code T_fd} at the first, end the listening when it is over. */
    void checkListening(final long nowNs)
    {
        if (!listenTimerStarted)
        {
            listenTimerStarted = true;
            listenUntilNs = nowNs + p.failureTimeoutNs;
        }
        else if (nowNs - listenUntilNs >= 0)
        {
            endListening();
        }
    }

    /**
     * B1: whether this member, just started, may go back into {@code epoch}, the epoch its node state names, instead of
     * entering a new one: it has not lost entries, does not coordinate that epoch (it may have decided it already) and
     * cannot have run in it.
     */
    boolean mayRejoin(final long epoch)
    {
        return p.intact && p.memberCount > 1 && epoch > 0 && coordinatorIndex(epoch) != p.selfIndex &&
            p.lastNormalEpoch <= epoch && p.rules.rejoinsEpoch(mayHaveRunIn(epoch));
    }

    /**
     * Whether this member's log shows that it may have run in {@code epoch}: only a member of the epoch's active set
     * runs in it, and its report that lets it run (R8, {@code ser ≥ N+1}) follows its own {@code EpochStart} in its
     * log, forced first under {@code batch}. A member outside the active set that followed the base owner holds the
     * owner's {@code EpochStart} too: the active set it names leaves this member out.
     */
    private boolean mayHaveRunIn(final long epoch)
    {
        if (p.lastNormalEpoch < epoch)
        {
            return false;
        }
        final long position = p.log.lastEpochStartPosition();
        if (position == 0)
        {
            return true; // below the log's base: which members the epoch began with is not known here
        }
        p.log.read(position, p.entry);
        return MemberSet.isActive(p.entry.payload(), p.entry.payloadOffset(), p.entry.payloadLength(), p.selfId);
    }

    /**
     * B6: once the coordinator of this epoch, which this member saw running without holding its decision, says it
     * hears this member (its latest hears mask), the decision can come again, and the wait for it starts over.
     */
    void checkCoordinatorHearsSelf()
    {
        if (decisionMissedSinceNs >= 0 && !coordinatorHearsSelf &&
            (p.peerHears[coordinatorIndex(p.currentEpoch)] & (1 << p.selfIndex)) != 0)
        {
            coordinatorHearsSelf = true;
            decisionMissedSinceNs = p.nowNs;
        }
    }

    /**
     * B1: a member that listened before entering an epoch enters one above all it heard; or, a restarted member that
     * heard a later epoch than its node state names, though not from a coordinator that shows it decided (that
     * member's stream may not be set up yet), adopts the highest it heard, as any member adopts a peer's epoch: above
     * it, it made the running members leave their epoch for it, and, coordinating the new one, it took itself into
     * the active set behind and cold (kill cycles of real processes: 200-370 ms without acknowledgements).
     */
    void endListening()
    {
        if (rejoinEpoch > 0 && p.maxKnownEpoch > rejoinEpoch)
        {
            adoptAtStart(p.maxKnownEpoch, -1);
            return;
        }
        stopListening();
        enterBoot(nextEpochForLocalTrigger(), EpochTrigger.START, -1);
    }

    /**
     * B1: the restarted member takes up {@code epoch}, later than the one its node state names, whose coordinator
     * {@code sender} shows it decided (or, {@code sender} -1, the highest heard when listening ended): as a member
     * that adopted it late, it holds no decision of it and asks for it (B6), and follows outside the active set until
     * it asks in. The running members stay in their epoch.
     */
    void adoptAtStart(final long epoch, final int sender)
    {
        stopListening();
        p.counters.epochsAdoptedAtStart++;
        enterBoot(epoch, EpochTrigger.ADOPTED_AT_START, sender);
    }

    /**
     * B1: the restarted member goes back into the epoch it was in and never ran in, whose coordinator {@code sender}
     * shows it decided: it holds no decision of it and asks for it (B6), and follows outside the active set until it
     * asks in. Nothing is persisted: its node state names this epoch already.
     */
    void rejoin(final int sender)
    {
        final long epoch = rejoinEpoch;
        stopListening();
        p.counters.epochsRejoined++;
        enter(epoch, EpochTrigger.REJOINED, sender, false);
    }

    private void stopListening()
    {
        listening = false;
        listenTimerStarted = false;
        rejoinEpoch = 0;
        reentersEpoch = false;
    }

    /** B1: persist the epoch, clear the epoch's state, report. */
    void enterBoot(final long requestedEpoch, final EpochTrigger requestedTrigger, final int memberIndex)
    {
        final long epoch = enterableEpoch(requestedEpoch);
        final EpochTrigger trigger = epoch != requestedEpoch ? EpochTrigger.EVENTS_MISSED : requestedTrigger;
        enter(epoch, trigger, memberIndex, true);
    }

    private void enter(final long epoch, final EpochTrigger trigger, final int memberIndex, final boolean persist)
    {
        if (epoch <= p.currentEpoch)
        {
            throw new IllegalStateException("epoch must rise: " + p.currentEpoch + " -> " + epoch);
        }
        final long previousEpoch = p.currentEpoch;
        final boolean wasDecided = p.decided;
        if (p.decided && p.lastNormalEpoch == p.currentEpoch)
        {
            for (int i = 0; i < p.memberCount; i++)
            {
                if (i != p.selfIndex && p.ordering.ser[i] > 0)
                {
                    // Up to g only: no alignment ever cuts a member's log below it, so what a member held up to g it
                    // holds in every later epoch unless it lost entries.
                    p.reports.knownHeld[i] = Math.min(p.ordering.ser[i], p.guaranteed);
                    p.reports.knownHeldEpoch[i] = p.currentEpoch;
                }
            }
        }
        // The high-water mark is what survives any crash this policy covers: a later open must find it. A fresh
        // member records nothing of its log before it knows the cluster is new.
        if (persist)
        {
            p.store.epochChange(epoch, p.guaranteed, p.store.initialized() ? p.ordering.serSelf() : 0);
            p.counters.epochChanges++;
        }
        p.currentEpoch = epoch;
        p.maxKnownEpoch = Math.max(p.maxKnownEpoch, epoch);

        // The epoch's shared state, then each part's own, reset beside its fields: nothing of the last epoch counts.
        p.mode = NodeMode.BOOT;
        p.phase = BootPhase.COLLECTING;
        p.activeMask = 0;
        p.decided = false;
        p.ordering.onEpochEntered();
        p.reports.onEpochEntered();
        p.coordinator.onEpochEntered();
        p.catchUp.onEpochEntered();
        p.receiving.onEpochEntered();
        p.replay.onEpochEntered();
        p.entriesServing.stopAll(); // windows of an earlier epoch: their requesters ask again in this one
        p.snapshotServing.stopAll();
        p.rules.onEpochEntered();
        decisionMissedSinceNs = -1;
        coordinatorHearsSelf = false;
        bootStartNs = p.nowNs;
        epochEnteredNs = p.nowNs;
        if (wasDecided || waitingSinceNs == Long.MIN_VALUE)
        {
            // a wait for a decision starts; an epoch change from an undecided epoch goes on with the same wait
            waitingSinceNs = p.nowNs;
            waitingReportDueNs = p.nowNs + SequencerProtocol.WAITING_FIRST_NS;
        }
        bootJitterNs = bootJitter(epoch);
        p.reportDue = true;
        p.reports.recordOwnReport();
        p.listener.onEpochEntered(previousEpoch, epoch, trigger, memberIndex < 0 ? -1 : p.memberIds[memberIndex]);
    }

    /**
     * B7's jitter: up to half the boot timeout, different for each member and epoch, so that members whose timers
     * started together do not give up in lock-step (a cycle of epochs nobody completes).
     */
    private long bootJitter(final long epoch)
    {
        long h = p.jitterSeed ^ (epoch * 0x9E3779B97F4A7C15L) ^ ((long)p.selfId << 32);
        h = (h ^ (h >>> 33)) * 0xFF51AFD7ED558CCDL;
        h = (h ^ (h >>> 33)) * 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return Long.remainderUnsigned(h, Math.max(1, bootTimeoutNs / 2));
    }

    /** Whether this log holds an event after its last {@code EpochStart}: then the cluster has run. */
    boolean holdsEvents()
    {
        return p.log.have() > p.log.lastEpochStartPosition();
    }

    /**
     * A local trigger (R10, B7, a member asking in): move to a new epoch.
     *
     * @param memberIndex the member the trigger concerns, or -1.
     */
    boolean startEpochChange(final EpochTrigger trigger, final int memberIndex)
    {
        // A lost or renewed stream is the exception: frames of this epoch may be gone, and staying in it would let
        // this member order past them (I2). It leaves at once, once per signal, which inflates nothing. So does a
        // member that must not order in this epoch at all (events of it dropped, or a refused bootstrap).
        final boolean mustLeave = trigger == EpochTrigger.STREAM_LOST || trigger == EpochTrigger.STREAM_RENEWED ||
            trigger == EpochTrigger.EVENTS_MISSED || trigger == EpochTrigger.BOOTSTRAP_REFUSED;
        if (p.mode != NodeMode.RUNNING && !p.liveness.hearsQuorum() && !mustLeave && p.rules.heedsHearsMasks())
        {
            // Check-quorum: a node that cannot hear a quorum cannot complete an epoch; moving again and again would
            // only inflate its epoch. A running node still steps down once (it stops taking submits), and peers do
            // not follow it there before it hears a quorum (pre-vote, onFrame). It waits until it hears enough.
            p.counters.epochChangesDeferred++;
            return false;
        }
        final long epoch = enterableEpoch(nextEpoch(trigger != EpochTrigger.ASKING_IN));
        if (trigger == EpochTrigger.SUSPICION)
        {
            // R10's DelNode leaves before B1's persist, the one frame of E' that may: it carries no state and is no
            // vote (a crash before the persist leaves this member in the old epoch, which it leaves again for E' or
            // later, having said nothing in E'). The peers adopt E' and persist it beside this member, instead of
            // after it: one fsync fewer (1.5 ms at the median, up to 32, on a loaded 2-core machine) before failover.
            p.publisher.delNode(memberIndex, epoch);
            p.transport.flush();
        }
        enterBoot(epoch, trigger, memberIndex);
        return true;
    }

    /**
     * §10.3: never an epoch some of whose events this member dropped as too far ahead, however it comes to enter one
     * (adopted or its own trigger): ordering there could pass over them (I2). The next one instead.
     */
    private long enterableEpoch(final long requestedEpoch)
    {
        long epoch = requestedEpoch;
        while (p.ordering.droppedEventsOf(epoch))
        {
            epoch++;
        }
        return epoch;
    }

    /** For the operator (the listener): an epoch change that waits long for its decision, a fetch that runs long. */
    void reportProgress()
    {
        if (!p.decided && p.nowNs - waitingReportDueNs >= 0)
        {
            waitingReportDueNs = p.nowNs + SequencerProtocol.WAITING_EVERY_NS;
            p.listener.onWaiting(p.currentEpoch, p.liveness.hearsMask(), p.nowNs - waitingSinceNs);
        }
        if (p.phase == BootPhase.FETCHING && p.nowNs - p.catchUp.fetchProgressDueNs >= 0)
        {
            p.catchUp.fetchProgressDueNs = p.nowNs + SequencerProtocol.FETCH_PROGRESS_EVERY_NS;
            p.listener.onFetchProgress(p.currentEpoch, p.memberIds[p.catchUp.source], p.catchUp.fetchStartedFrom,
                p.catchUp.fetchNext - 1,
                p.catchUp.fetchTarget);
        }
    }

    /** The boot-mode part of a duty cycle: decide (coordinator), retry a lost fetch, give up on a stuck epoch. */
    int bootWork()
    {
        int work = 0;
        if ((p.phase == BootPhase.COLLECTING || p.phase == BootPhase.PUBLISHING)
            && (coordinatorIndex(p.currentEpoch) == p.selfIndex || !p.rules.coordinated()))
        {
            work += p.coordinator.coordinate();
        }
        if ((p.phase == BootPhase.PROBING || p.phase == BootPhase.FETCHING || p.phase == BootPhase.TRANSFERRING) &&
            p.nowNs - p.catchUp.fetchMovedNs >= p.failureTimeoutNs)
        {
            if (p.phase == BootPhase.PROBING)
            {
                p.catchUp.switchSource(true); // B5: another member aligned to the epoch, if the owner does not answer
                p.catchUp.sendProbe(p.catchUp.probePosition);
            }
            else if (p.phase == BootPhase.TRANSFERRING)
            {
                // answers stopped: ask again
                p.receiving.requestSnapshotWindow(p.receiving.incoming == null ? 0 : p.receiving.incoming.received());
            }
            else if (p.receiving.transferWanted)
            {
                p.receiving.askForSnapshot();
            }
            else if (p.catchUp.alignedOutside)
            {
                // A follow round that stopped: its source cannot be reached (the next round, if one is due, follows
                // another member's durable log, or the owner's again), or it does not hold the g it reported (a forged
                // or garbled report: ProcessFaultTest followed toward 2^63, round after round, each fetching what the
                // cluster had ordered meanwhile, and never asked in) or it stalled. An honest round from a reachable
                // source does not stall, so no other round follows in this epoch: this member asks in with what it
                // holds (§10.5).
                p.catchUp.followGap = p.catchUp.switchSource(false) ? -1 : 0;
                p.catchUp.endFetchOutside();
            }
            else
            {
                // answers fell short, or the source does not answer: ask again, of another member if so (B5)
                p.catchUp.switchSource(true);
                p.catchUp.fetchWindowEntries = Math.max(SequencerProtocol.MIN_FETCH_WINDOW,
                    p.catchUp.fetchWindowEntries / 2);
                p.catchUp.sendFetchWindow(p.catchUp.fetchNext);
            }
            work++;
        }
        if (!p.decided && decisionMissedSinceNs >= 0)
        {
            if (p.nowNs - decisionMissedSinceNs >= (coordinatorHearsSelf ? bootTimeoutNs : p.maxBootTimeoutNs))
            {
                p.reports.askToBeAdmitted(); // the coordinator did not send its decision again: ask in (B6)
                return work + 1;
            }
            // The epoch runs without this member, which waits for its decision: B7 does not apply (giving up would
            // end the running epoch for every member), the wait above is bounded.
            bootStartNs = p.nowNs;
            return work;
        }
        if (p.phase == BootPhase.OUTSIDE)
        {
            // Left out of a running epoch: waiting is no failure of this epoch (B7 does not apply). Ask in once this
            // node hears every member of the active set and has seen each of them ordering: asking earlier would
            // end an epoch before it ran (each member left out would take the next one down), and asking a set
            // that cannot hear it would start an epoch nobody can run.
            if (p.catchUp.followRound())
            {
                work++;
            }
            else if (p.ordering.activeSetOrdering() && p.liveness.hearsAllActive())
            {
                p.reports.askToBeAdmitted();
                work++;
            }
            else
            {
                bootStartNs = p.nowNs;
            }
            return work;
        }
        if (p.decided && !p.liveness.isActive(p.selfIndex))
        {
            // Aligning or following outside the epoch: the epoch runs without this member, so neither a stalled fetch
            // nor not hearing the active set is a failure of it (B7 does not apply). Giving up would end a running
            // epoch for every member (CatchUpFigures: a fetch stalled 60 ms on a starved serving member, and the
            // epochs it started held acknowledgements for two seconds); the fetch is asked again after T_fd instead,
            // and the active set's own failure detection ends the epoch if its members fail.
            bootStartNs = p.nowNs;
        }
        if (p.mode == NodeMode.BOOT && p.nowNs - bootStartNs > bootTimeoutNs + bootJitterNs)
        {
            p.counters.bootTimeouts++;
            if (startEpochChange(EpochTrigger.BOOT_TIMEOUT, -1)) // B7
            {
                bootTimeoutNs = Math.min(p.maxBootTimeoutNs, bootTimeoutNs * 2);
            }
            else
            {
                bootStartNs = p.nowNs; // waits in this epoch until it hears a quorum
            }
            work++;
        }
        return work;
    }
}
