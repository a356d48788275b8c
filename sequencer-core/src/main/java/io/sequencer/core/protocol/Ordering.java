package io.sequencer.core.protocol;

import io.sequencer.core.Durability;
import io.sequencer.core.EntryType;
import io.sequencer.core.codec.DropReason;
import io.sequencer.core.codec.NewEventFrame;
import org.agrona.DirectBuffer;

/**
 * Ordering in a running epoch (docs/protocol.md R1-R9): propose own events and ticks with the Lamport counter, take
 * peers' events into the per-origin pending queues, promise (R2, R2a: the events before the promise that covers them),
 * order by (counter, origin) once every active member has promised past the head (R5), append and apply, report what
 * is durable (R7) and move g to what a quorum holds (R8); resubmit own events the base did not hold (B6). Reads and
 * changes the epoch's state through the protocol it belongs to. Duty cycle only; allocates nothing.
 */
final class Ordering
{
    private final NewEventFrame newEventFrame = new NewEventFrame();

    /** When this member first saw a timer due with no entry yet to fire it (-1: none due); when it last ticked. */
    private long tickDueSinceNs = -1;

    private long lastTickNs;

    private int droppedEventEpochNext;

    /** Back-pressured submits already reported (onOverload), and when they are looked at next. */
    private long backPressuredReported;

    private long overloadReportDueNs;

    final long[] promise;
    final long[] ser;
    final PendingQueue[] pending;
    long arrivals;
    long clock;
    long lastPromiseSent;
    /** The largest time of the entries proposed in this epoch, this member's and those received (§12). */
    long maxProposedTimeNs;
    /** This member's tick is proposed and not yet ordered: it does not propose another (while ordering stalls). */
    boolean ownTickPending;
    /**
     * The latest distinct epochs of {@code NewEvent}s dropped as too far ahead (§10.3): this member never enters one of
     * them. Exactly those, not every epoch below the highest: a forged event of epoch 2^61 must not send the member
     * there. A ring, so garbage of ever new epochs costs nothing but can only push the oldest out.
     */
    final long[] droppedEventEpochs = new long[SequencerProtocol.DROPPED_EVENT_EPOCHS];
    /** Active members of the decided epoch seen aligned to it (their events, promises or reports): running soon. */
    int orderingSeenMask;
    /** When this member last published a report: a running member reports at least every few heartbeats. */
    long lastReportSentNs;
    long lastMaskSentNs;
    private final SequencerProtocol p;

    Ordering(final SequencerProtocol protocol)
    {
        this.p = protocol;
        promise = new long[p.memberCount];
        ser = new long[p.memberCount];
        pending = new PendingQueue[p.memberCount];
        java.util.Arrays.fill(droppedEventEpochs, -1);
    }

    /** A new epoch (R1–R9 start over): no counters, promises, reports or unordered events of the last one. */
    void onEpochEntered()
    {
        orderingSeenMask = 0;
        clock = 0;
        lastPromiseSent = 0;
        arrivals = 0;
        ownTickPending = false;
        maxProposedTimeNs = 0;
        for (int i = 0; i < p.memberCount; i++)
        {
            promise[i] = 0;
            ser[i] = 0;
            pending[i].clear();
        }
    }

    /**
     * R1 for a new or resubmitted own event, or a tick (§12): take the next counter and this member's time, tell the
     * others, join {@code pending}.
     */
    boolean propose(
        final int entryType, final long localSeq, final DirectBuffer event, final int offset, final int length)
    {
        final long counter = clock + 1;
        final long timestamp = p.epochClock.nanoTime();
        maxProposedTimeNs = Math.max(maxProposedTimeNs, timestamp);
        if (p.memberCount > 1)
        {
            final int frameLength =
                p.publisher.encodeNewEvent(localSeq, counter, entryType, timestamp, event, offset, length);
            if (!p.rules.publishOwnEvent(this, p, counter, frameLength))
            {
                return false;
            }
        }
        clock = counter;
        pending[p.selfIndex].add(counter, p.incarnation, localSeq, arrivals++, entryType, timestamp, event,
            offset, length);
        return true;
    }

    /** R2: a peer's event joins {@code pending}; our clock moves past it. */
    void onNewEvent(final int sender, final DirectBuffer buffer, final int offset, final int length)
    {
        newEventFrame.wrap(buffer, offset, length);
        final long counter = newEventFrame.counter();
        if (!plausibleCounter(counter))
        {
            p.counters.dropped(DropReason.BAD_FIELD.ordinal());
            return;
        }
        if (counter <= promise[sender])
        {
            // The sender promised not to go this low: ordering may already have passed this key (R2a, I7).
            p.counters.dropped(DropReason.PROMISE_BROKEN.ordinal());
            return;
        }
        promise[sender] = counter;
        if (counter > clock)
        {
            clock = counter;
        }
        maxProposedTimeNs = Math.max(maxProposedTimeNs, newEventFrame.timestamp());
        pending[sender].add(
            counter, newEventFrame.incarnation(), newEventFrame.localSeq(), arrivals++,
                newEventFrame.entryType(),
            newEventFrame.timestamp(), newEventFrame.buffer(), newEventFrame.payloadOffset(),
            newEventFrame.payloadLength());
    }

    private boolean resubmit(final long localSeq, final DirectBuffer payload, final int offset, final int length)
    {
        if (p.rules.proposeResubmitted(this, localSeq, payload, offset, length))
        {
            p.counters.resubmitted++;
            return true;
        }
        return false;
    }

    int resubmitRemaining()
    {
        return p.own.resubmit(this::resubmit);
    }

    /**
     * For the operator (the listener): submits back-pressured since the last report, once a second while there are
     * any. Overload is answered by back-pressure, never by an epoch change (§10.6): this says it happens.
     */
    void reportOverload()
    {
        if (p.nowNs - overloadReportDueNs < 0)
        {
            return;
        }
        final long refused = p.counters.submitsBackPressured - backPressuredReported;
        if (refused > 0)
        {
            // since the last look, which set the due time one interval ahead of itself
            final long lookedNs = overloadReportDueNs - SequencerProtocol.OVERLOAD_REPORT_EVERY_NS;
            p.listener.onOverload(p.currentEpoch, refused, p.nowNs - lookedNs, p.own.inFlight(), p.pendingCount());
            backPressuredReported = p.counters.submitsBackPressured;
        }
        overloadReportDueNs = p.nowNs + SequencerProtocol.OVERLOAD_REPORT_EVERY_NS;
    }

    /**
     * §12: order a tick when a timer is due and no entry has come to fire it. A timer is due once this member's clock
     * (or the cluster time, for a deadline already passed) reaches its deadline. The active members wait for an entry
     * that fires it in turn, {@code tickInterval} apart by their rank in the active set (the first one interval): under
     * load an event comes first, when idle one tick usually does, and a silent member costs one interval more; each
     * ticks at most once an interval while the timer stays unfired.
     *
     * @return 1 when a tick was proposed.
     */
    int tickIfDue()
    {
        final ClusterTimers timers = p.replica.timers();
        final long deadline = timers.earliestDeadline();
        if (deadline == Long.MAX_VALUE || deadline > Math.max(p.epochClock.nanoTime(), timers.currentTime()) ||
            (deadline <= maxProposedTimeNs && anyPending()))
        {
            // not due, or an entry on its way to the log already carries a time past it: under load events move the
            // time, and ticks would only add entries (5,195 to the demo's 120,000)
            tickDueSinceNs = -1;
            return 0;
        }
        if (tickDueSinceNs < 0)
        {
            tickDueSinceNs = p.nowNs;
        }
        int rank = 0;
        for (int i = 0; i < p.selfIndex; i++)
        {
            if (p.liveness.isActive(i))
            {
                rank++;
            }
        }
        if (ownTickPending || p.nowNs - tickDueSinceNs < (rank + 1) * p.tickIntervalNs ||
            (lastTickNs != 0 && p.nowNs - lastTickNs < p.tickIntervalNs))
        {
            return 0;
        }
        if (!propose(EntryType.TICK, 0, p.sendBuffer, 0, 0))
        {
            return 0; // back-pressured: tried again next cycle
        }
        lastTickNs = p.nowNs;
        ownTickPending = true;
        p.counters.ticksProposed++;
        return 1;
    }

    void noteDroppedEventEpoch(final long epoch)
    {
        if (!droppedEventsOf(epoch))
        {
            droppedEventEpochs[droppedEventEpochNext] = epoch;
            droppedEventEpochNext = (droppedEventEpochNext + 1) % SequencerProtocol.DROPPED_EVENT_EPOCHS;
        }
    }

    boolean droppedEventsOf(final long epoch)
    {
        for (final long dropped : droppedEventEpochs)
        {
            if (dropped == epoch)
            {
                return true;
            }
        }
        return false;
    }

    private boolean anyPending()
    {
        for (int i = 0; i < p.memberCount; i++)
        {
            if (!pending[i].isEmpty())
            {
                return true;
            }
        }
        return false;
    }

    /** R5 and R6: append every ordered head of {@code pending}, in key order, and apply it. */
    int serializeOrdered()
    {
        int serialized = 0;
        while (true)
        {
            final int origin = headOrigin();
            if (origin < 0)
            {
                break;
            }
            final PendingQueue queue = pending[origin];
            final long counter = queue.headCounter();
            if (!promisedPast(origin, counter))
            {
                break;
            }

            final int originId = p.memberIds[origin];
            final long eventIncarnation = queue.headIncarnation();
            final long localSeq = queue.headLocalSeq();
            final int entryType = queue.headEntryType();
            final long timestamp = queue.headTimestamp();
            if (entryType == EntryType.EVENT && p.replica.isApplied(origin, eventIncarnation, localSeq))
            {
                // R6: this event id is already in the log; it is not appended again.
                p.counters.duplicatesDropped++;
                queue.removeHead();
                continue;
            }
            p.appending.header(entryType, p.currentEpoch, counter, originId, eventIncarnation, localSeq, timestamp)
                .payload(queue.payloads(), queue.headPayloadOffset(), queue.headPayloadLength());
            p.log.append(p.appending);
            p.replay.applyEntry(p.appending, true);
            ownTickPending &= !(entryType == EntryType.TICK && origin == p.selfIndex);
            queue.removeHead();
            p.counters.serialized++;
            serialized++;
        }
        return serialized;
    }

    /** @return the index of the origin whose pending head has the smallest key {@code (E, counter, originId)}. */
    private int headOrigin()
    {
        int best = -1;
        long bestCounter = 0;
        for (int i = 0; i < p.memberCount; i++)
        {
            final PendingQueue queue = pending[i];
            if (queue.isEmpty() || !p.liveness.isActive(i))
            {
                continue;
            }
            final long counter = queue.headCounter();
            if (best < 0 || counter < bestCounter ||
                (counter == bestCounter && p.rules.orderedFirst(
                    p.memberIds[i], queue.headArrival(), p.memberIds[best], pending[best].headArrival())))
            {
                best = i;
                bestCounter = counter;
            }
        }
        return best;
    }

    /** R5: every other active member has promised to send nothing at or below {@code counter}. */
    private boolean promisedPast(final int origin, final long counter)
    {
        for (int i = 0; i < p.memberCount; i++)
        {
            if (i == origin || !p.liveness.isActive(i))
            {
                continue;
            }
            final long bound = i == p.selfIndex ? clock : promise[i];
            if (!p.rules.promisedPast(bound, counter))
            {
                return false;
            }
        }
        return true;
    }

    /** R8: {@code g = max(g, q-th highest ser over the active set)}, with our own {@code ser_self}. */
    void updateGuaranteed()
    {
        ser[p.selfIndex] = serSelf();
        final long quorumSer = QuorumWatermark.of(ser, p.memberCount, p.activeMask, p.quorum);
        if (quorumSer > p.guaranteed)
        {
            p.guaranteed = quorumSer;
        }
    }

    long serSelf()
    {
        return p.durability == Durability.BATCH ? p.log.forcedPosition() : p.log.have();
    }

    boolean publishPromise()
    {
        if (p.publisher.orderCounter(clock, p.liveness.hearsMask()))
        {
            lastPromiseSent = clock;
            lastMaskSentNs = p.nowNs;
            return true;
        }
        return false;
    }

    boolean publishReport()
    {
        final long have = serSelf();
        final long progress = p.phase == BootPhase.FETCHING ? p.catchUp.fetchNext - 1 : have;
        // g may run ahead of ser_self under batch (peers' forced copies): a report says only what it holds.
        if (p.publisher.serializeCounter(Math.min(p.guaranteed, have), have, p.log.chkAt(have), p.lastNormalEpoch,
            p.intact, progress, p.liveness.hearsMask(), p.fresh, p.epochs.holdsEvents(), !p.decided))
        {
            lastMaskSentNs = p.nowNs;
            lastReportSentNs = p.nowNs;
            return true;
        }
        return false;
    }

    /**
     * Whether a peer's counter (an event's or a promise) is one an honest member can have sent. A peer's Lamport clock
     * runs ahead of this member's only by events this member has not seen yet, and none of them can be ordered (and
     * leave its origin's in-flight limit) without this member's promise: so at most every peer's whole in-flight
     * limit ahead. A garbage frame that passed validation carries a random counter far beyond; believed, it would let
     * this member order its own events past the sender's real ones (I2).
     */
    boolean plausibleCounter(final long counter)
    {
        return counter >= 0 && counter - clock <= p.counterSlack; // a heartbeat before any event promises 0
    }

    /** Whether every member of the decided active set has been seen aligned to this epoch (it runs, or is about to). */
    boolean activeSetOrdering()
    {
        return (orderingSeenMask & p.activeMask) == p.activeMask;
    }
}
