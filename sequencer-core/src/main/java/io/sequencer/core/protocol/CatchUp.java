package io.sequencer.core.protocol;

import io.sequencer.core.CompletionHandler;
import io.sequencer.core.Durability;
import io.sequencer.core.EntryType;

/**
 * The fetching side of catch-up (docs/protocol.md B5, §10.5): probe the base owner's log for where this one diverges
 * (checksums chain: agreement at a position implies it below), fetch the owner's entries from there in windows, check
 * each one chains onto this log (and onto the decision at N) before it is appended and applied, and, outside the
 * active set, follow the owner's durable log in rounds until close enough to ask in. When the owner cannot be reached,
 * the same is asked of a member aligned to the epoch, whose log holds the base and the epoch's entries after it.
 * Reads and changes the epoch's state through the protocol it belongs to. Duty cycle only.
 */
final class CatchUp
{
    private long probeFrom;
    /**
     * The last position the probe in flight asked for: above the probed position when that is this log's end, below
     * {@code N}; its answer then also carries the first entries to fetch.
     */
    private long probeTo;
    /** A probe answer is being handled: a fetch that starts meanwhile takes the base's entries it carries first. */
    private boolean probeAnswerInHand;

    /** The last position asked for by the fetches in flight; two windows are kept in flight. */
    private long fetchRequestedTo;

    private long fetchWindowStart;

    long probeLo;
    long probeHi;
    long probePosition;
    long fetchNext;
    /** When this member last asked for entries or received some it could use: a fetch is asked again after a pause. */
    long fetchMovedNs;
    /** Entries per fetch window, adapted to the entries a frame holds. */
    int fetchWindowEntries = SequencerProtocol.MIN_FETCH_WINDOW * 4;
    /** The last position the fetch in progress brings in: {@code N}, or in a follow round the owner's {@code g}. */
    long fetchTarget;
    /**
     * How far behind its source's {@code g} this member was when its last follow round began; -1 before the first; 0
     * once a round stalled with its source reachable: no other round in this epoch.
     */
    long followGap;
    /** Where the current fetch started, and when its progress is reported next (onFetchProgress). */
    long fetchStartedFrom;
    long fetchProgressDueNs;
    /** Left out of the decided epoch: aligning to its base, or following it, before asking in (B4, B6). */
    boolean catchingUpOutside;
    /** Outside the epoch, this log agrees with the base up to {@code N}; what follows is the owner's durable log. */
    boolean alignedOutside;
    /**
     * The member probes and fetches go to: the base owner from the decision on, another member aligned to the epoch
     * while the owner cannot be reached ({@link #switchSource}).
     */
    int source;
    private final SequencerProtocol p;

    CatchUp(final SequencerProtocol protocol)
    {
        this.p = protocol;
    }

    /** A new epoch: no catch-up outside it, no follow round. */
    void onEpochEntered()
    {
        catchingUpOutside = false;
        alignedOutside = false;
        followGap = -1;
    }

    /**
     * A divergence probe (B5): the base owner's entries up to {@code position}, from up to {@link
     * SequencerProtocol#PROBE_WINDOW} below it (never at or below a position known to agree). Their checksums settle
     * in one round trip a divergence inside the window, where most are; a binary search finds the others.
     */
    void sendProbe(final long position)
    {
        fetchMovedNs = p.nowNs;
        probeFrom = Math.max(probeLo + 1, position - SequencerProtocol.PROBE_WINDOW + 1);
        // Probing at this log's end, the entries above it come in the same answer: a member a few entries behind the
        // base (one asking in after its follow rounds, a survivor that missed the last events) aligns in one round trip
        // instead of a probe's and then a fetch's. They are checked as fetched entries are.
        probeTo = position == p.log.have() && position < p.decisionN ?
            Math.min(p.decisionN, position + fetchWindowEntries) : position;
        p.publisher.fetchEntries(source, probeFrom, probeTo);
    }

    /**
     * Ask the base owner for the window of entries from {@code from} (B5). Each answer is several frames long, and a
     * second window is asked for while the first arrives, so catch-up is not one round trip per frame.
     */
    void sendFetchWindow(final long from)
    {
        final long to = Math.min(fetchTarget, from + fetchWindowEntries - 1);
        fetchMovedNs = p.nowNs;
        fetchWindowStart = from;
        fetchRequestedTo = to;
        p.publisher.fetchEntries(source, from, to);
    }

    /** The probe learnt something (B5): aligned once it has narrowed to one position, else probe on. */
    void probeNext()
    {
        p.epochs.bootStartNs = p.nowNs; // progress (B7)
        if (probeHi - probeLo <= 1)
        {
            p.alignment.alignedUpTo(probeLo);
        }
        else
        {
            // The rest fits one window: ask for it; otherwise bisect (the window below the midpoint comes too).
            probePosition = probeHi - probeLo - 1 <= SequencerProtocol.PROBE_WINDOW ? probeHi - 1 : (probeLo
                + probeHi) >>> 1;
            sendProbe(probePosition);
        }
    }

    /**
     * Whether a probe answer's entries chain one onto the other, and the first onto this log's entry at
     * {@code probeLo} when the window starts right above it (the base agrees there). A mismatch in a probe answer
     * makes this member cut its log, so an answer that is not a piece of a real chain is not believed.
     */
    private boolean probeAnswerChains()
    {
        final boolean anchored = probeFrom == probeLo + 1;
        long previousChk = anchored ? p.log.chkAt(probeLo) : 0;
        boolean first = true;
        while (p.entriesFrame.nextEntry())
        {
            if ((anchored || !first) && chainedChk(previousChk) != p.entriesFrame.entryChk())
            {
                return false;
            }
            previousChk = p.entriesFrame.entryChk();
            first = false;
        }
        return !first;
    }

    /**
     * The checksum the entry under {@code entriesFrame}'s cursor has if it follows an entry of {@code previousChk}; the
     * entry is left in {@code p.appending}, where {@link #onEntries} appends it from.
     */
    private long chainedChk(final long previousChk)
    {
        return p.entriesFrame.entry(p.appending).expectedChk(previousChk);
    }

    /** Entries for this node: a divergence probe's answer or a batch of catch-up (B5). */
    void onEntries(final int sender)
    {
        if (sender != source || !p.decided)
        {
            return;
        }
        p.entriesFrame.resetCursor();
        if (p.phase == BootPhase.PROBING)
        {
            if (p.entriesFrame.firstPosition() != probeFrom)
            {
                return; // the answer to an earlier probe
            }
            if (!probeAnswerChains())
            {
                p.counters.fetchRejected++;
                return; // garbled or forged: a real answer chains from the position known to agree
            }
            p.entriesFrame.resetCursor();
            // Checksums chain: agreement at a position implies it below, divergence implies it above.
            for (long pos = probeFrom; pos <= probePosition && p.entriesFrame.nextEntry(); pos++)
            {
                if (p.entriesFrame.entryChk() == p.log.chkAt(pos))
                {
                    probeLo = Math.max(probeLo, pos);
                }
                else
                {
                    probeHi = Math.min(probeHi, pos);
                    break;
                }
            }
            probeAnswerInHand = true; // aligned, the fetch starts with this answer's entries above the agreement
            probeNext();
            probeAnswerInHand = false;
            return;
        }
        appendFetched();
    }

    /**
     * B5: the fetch starts at {@code fetchNext}. When the probe answer in hand carries the base's entries from there,
     * they are taken as a fetch window's first frame (its other frames, if any, follow from the owner); else, or if
     * it carried none, the first window is asked for.
     */
    void startFetch()
    {
        if (probeAnswerInHand)
        {
            probeAnswerInHand = false;
            fetchWindowStart = fetchNext;
            fetchRequestedTo = probeTo;
            p.entriesFrame.resetCursor();
            final long before = fetchNext;
            appendFetched();
            if (fetchNext > before || p.phase != BootPhase.FETCHING)
            {
                return;
            }
        }
        sendFetchWindow(fetchNext);
    }

    /** A fetch answer under {@code entriesFrame}: append what chains onto this log, then ask for more as needed. */
    private void appendFetched()
    {
        final long first = p.entriesFrame.firstPosition();
        if (p.phase != BootPhase.FETCHING || p.receiving.transferWanted || first > fetchNext ||
            first + p.entriesFrame.count() <= fetchNext)
        {
            return; // a window answered twice, or one whose start was lost: asked again after a while
        }
        fetchWindowEntries = (int)Math.min(SequencerProtocol.MAX_FETCH_WINDOW,
            Math.max(fetchWindowEntries, (long)p.entriesFrame.count() * SequencerProtocol.FETCH_FRAMES_PER_REQUEST));
        for (long pos = first; pos < fetchNext; pos++)
        {
            p.entriesFrame.nextEntry(); // already appended from an earlier answer
        }
        final long fetchedBefore = fetchNext;
        while (p.entriesFrame.nextEntry() && fetchNext <= fetchTarget)
        {
            final long expected = chainedChk(p.log.chkAt(fetchNext - 1));
            if (expected != p.entriesFrame.entryChk() || (fetchNext == p.decisionN && expected != p.decisionChk))
            {
                p.counters.fetchRejected++;
                p.errorHandler.onError(new IllegalStateException("catch-up entry " + fetchNext + " from member " +
                    p.memberIds[source] + " does not chain onto this log or the base: rejected"));
                return;
            }
            final long position = p.log.appendChained(p.appending, expected); // filled by chainedChk
            if (position > p.receiving.installAt)
            {
                p.replay.applyEntry(p.appending, true);
            }
            else
            {
                // covered by the installed snapshot: applied on the member that took it, its result unknown here; own
                // events before it in submission order lie below the log's base, at positions not known here
                if (p.entriesFrame.entryType() == EntryType.EVENT && p.entriesFrame.entryOrigin() == p.selfId &&
                    p.entriesFrame.entryIncarnation() == p.incarnation)
                {
                    p.receiving.completeOwnBelowBase(p.entriesFrame.entryLocalSeq() - 1);
                }
                p.replay.trackOwn(position, p.entriesFrame.entryType(), p.entriesFrame.entryOrigin(),
                    p.entriesFrame.entryIncarnation(), p.entriesFrame.entryLocalSeq(), CompletionHandler.RESULT_UNKNOWN,
                    p.sendBuffer, 0);
            }
            p.counters.fetchedEntries++;
            fetchNext++;
            if (position == p.receiving.installAt && !p.receiving.restoreInstalled())
            {
                return;
            }
        }
        if (fetchNext == fetchedBefore)
        {
            return; // nothing usable: asked again after a while
        }
        p.epochs.bootStartNs = p.nowNs; // progress: a fetch that moves is not stuck (B7)
        fetchMovedNs = p.nowNs; // nor lost: asked again only once answers stop (asked again while they came, the
                              // server restarted the window each time and sent most entries two or three times)
        p.reportDue = true;
        if (fetchNext > fetchTarget)
        {
            p.alignment.appendEpochStart();
        }
        else if (fetchNext > fetchRequestedTo)
        {
            sendFetchWindow(fetchNext); // the windows in flight fell short (a frame lost or refused): ask again
        }
        else if (fetchRequestedTo < fetchTarget &&
            fetchNext - fetchWindowStart >= (fetchRequestedTo - fetchWindowStart) / 2)
        {
            sendFetchWindow(fetchRequestedTo + 1); // half of the window is in: ask for the next one
        }
    }

    /**
     * A follow round (§10.5): outside the epoch and aligned to its base, fetch the entries the source (the base owner,
     * or a member aligned to the epoch, B5) reports durable ({@code g}), when they are more than {@code followLag}
     * ahead of this log and fewer than at the last round's start (catch-up outruns ordering; when it does not, asking
     * in is no worse than before). While this member cannot ask in (it does not hear the whole active set) it follows
     * however far behind it stays: it has nothing better to do, and the epoch that admits it once it can waits less.
     * Durable entries are final: every later base holds them, so nothing this member appends here is ever cut.
     *
     * @return whether a round started.
     */
    boolean followRound()
    {
        final long target = p.reports.reportGuaranteed[source];
        final long gap = target - p.log.have();
        if (!alignedOutside || gap <= p.followLag || followGap == 0 ||
            (followGap > 0 && gap >= followGap && p.liveness.hearsAllActive()))
        {
            return false;
        }
        followGap = gap;
        p.counters.followRounds++;
        catchingUpOutside = true;
        p.phase = BootPhase.FETCHING;
        fetchNext = p.log.have() + 1;
        fetchTarget = target;
        fetchStarted();
        p.listener.onFollowing(p.currentEpoch, p.memberIds[source], fetchNext, fetchTarget);
        sendFetchWindow(fetchNext);
        return true;
    }

    /**
     * A fetch outside the epoch is over: aligned to the base up to N, or a follow round ended (done or stalled).
     * Follow the owner's durable log again while it is far ahead, else ask in (or once this node hears the active
     * set); the next epoch finds it close to everyone else (§10.5).
     */
    void endFetchOutside()
    {
        p.receiving.closeIncoming(); // a transfer abandoned along the way
        p.receiving.refetchedUpTo = 0;
        catchingUpOutside = false;
        alignedOutside = true;
        p.phase = BootPhase.OUTSIDE;
        if (p.durability == Durability.BATCH)
        {
            p.log.force(); // ser_self is the forced position: unforced, this member would look as far behind as ever
        }
        if (!followRound() && p.ordering.activeSetOrdering() && p.liveness.hearsAllActive())
        {
            p.reports.askToBeAdmitted();
        }
    }

    /**
     * Whether this log holds the epoch's log from its base: this member owns the base, or it aligned to the epoch (its
     * {@code EpochStart} follows the base at {@code N+1}, and only the epoch's entries, in the epoch's one order,
     * after it), or, outside the active set, it aligned to the base and followed durable entries only. Such a member
     * serves an {@code ENTRIES_OF_EPOCH} fetch: what it sends is what the owner would.
     */
    boolean holdsEpochLog()
    {
        return p.decided && (p.baseOwner == p.selfIndex || p.lastNormalEpoch == p.currentEpoch || alignedOutside);
    }

    /**
     * A probe or fetch got no answer for {@code T_fd}: ask the base owner if it can be reached (heard, and its frames
     * say it hears this member), else the source asked so far if that can, else the next member that can and that was
     * seen aligned to the epoch. The owner comes first: only it offers a snapshot where the entries asked for lie
     * below the logs' bases (§13). With {@code passOverUnanswering}, the source that left this request unanswered is
     * passed over even if it can be reached: catch-up travels on a point-to-point path of its own, which can fail
     * while the shared channel still carries the source's heartbeats. After one request, not more: an active member
     * that waits stops every member's ordering, and B7 gives up on the epoch after {@code T_boot}.
     *
     * @param passOverUnanswering whether a reachable source that does not answer is passed over (a probe or an
     *                            alignment's fetch); a follow round that stalls on a reachable source ends instead
     *                            (§10.5: its {@code g} may be forged), so a forged {@code g} costs one round.
     * @return whether the source changed.
     */
    boolean switchSource(final boolean passOverUnanswering)
    {
        int next = p.liveness.reaches(p.baseOwner) && !(passOverUnanswering && source == p.baseOwner) ? p.baseOwner :
            p.liveness.reaches(source) && !passOverUnanswering ? source : -1;
        for (int k = 1; next < 0 && k < p.memberCount; k++)
        {
            final int candidate = (source + k) % p.memberCount;
            if (candidate != p.selfIndex && p.liveness.reaches(candidate) &&
                (p.ordering.orderingSeenMask & (1 << candidate)) != 0)
            {
                next = candidate;
            }
        }
        if (next < 0 || next == source)
        {
            return false;
        }
        p.counters.fetchSourcesChanged++;
        p.listener.onFetchSource(p.currentEpoch, p.memberIds[source], p.memberIds[next]);
        source = next;
        return true;
    }

    /** A fetch (an alignment's or a follow round's) starts at {@code fetchNext}: its progress is timed from now. */
    void fetchStarted()
    {
        fetchStartedFrom = fetchNext;
        fetchProgressDueNs = p.nowNs + SequencerProtocol.FETCH_PROGRESS_EVERY_NS;
    }

    /**
     * What a catch-up in progress is doing, for reports (the simulator's, an operator's): the probe, the fetch, the
     * transfer; empty when none is. Duty cycle only; allocates.
     */
    String describe()
    {
        final String from = p.decided && source >= 0 && source < p.memberCount ? " from member " +
            p.memberIds[source] : "";
        switch (p.phase)
        {
            case PROBING:
                return "probing " + probeLo + ".." + probeHi + from;
            case FETCHING:
                return (p.receiving.transferWanted ? "asking for a snapshot, " : "") + "fetching " + fetchNext + ".." +
                    fetchTarget + from + (p.receiving.installAt > 0 ? ", the installed snapshot at "
                        + p.receiving.installAt : "") +
                    (p.log.base() > 0 ? ", log from " + (p.log.base() + 1) : "");
            case TRANSFERRING:
                return "receiving the snapshot at " + p.receiving.transferPosition + ": "
                    + (p.receiving.incoming == null ? 0 :
                    p.receiving.incoming.received()) + " of " + p.receiving.transferLength + " bytes" + from;
            default:
                return "";
        }
    }
}
