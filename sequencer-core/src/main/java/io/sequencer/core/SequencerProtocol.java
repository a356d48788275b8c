package io.sequencer.core;

import io.sequencer.core.codec.DropReason;
import io.sequencer.core.codec.FrameHeader;
import io.sequencer.core.codec.FrameValidator;
import io.sequencer.core.codec.MessageType;
import io.sequencer.core.codec.MyOrderCounterFrame;
import io.sequencer.core.codec.MySerializeCounterFrame;
import io.sequencer.core.codec.NewEventFrame;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One node's protocol (PROTOCOL.md §2–3) as a pure, deterministic state machine: no thread, clock, random source
 * or file. Its caller feeds it decoded input — {@link #onFrame} for each received frame, {@link #submit} for each
 * local event, {@link #doWork} with the current time once per duty cycle — and it acts through narrow interfaces:
 * frames to the {@link Transport}, entries to the {@link EventLog}, events to the {@link StateMachine} and
 * completions to the {@link CompletionHandler}. The same object runs under the duty-cycle agent and under the
 * simulator.
 * <p>
 * Not thread-safe: all calls come from one thread. Allocation-free once warm.
 */
public final class SequencerProtocol
{
    /** The epoch the cluster's first run starts in; every later epoch is higher. */
    public static final long FIRST_EPOCH = 1;

    private final ClusterConfig cluster;
    private final int selfId;
    private final int selfIndex;
    private final int memberCount;
    private final int quorum;
    private final int clusterId;
    private final int maxEventLength;
    private final int maxResultLength;
    private final Durability durability;
    private final long heartbeatIntervalNs;
    private final long failureTimeoutNs;
    private final long incarnation;
    private final org.agrona.ErrorHandler errorHandler;
    private final boolean noOriginTieBreak;
    private final boolean strictPromise;
    private final boolean ackAtHave;
    private final boolean promiseBeforeEvent;

    private final EventLog log;
    private final StateMachine stateMachine;
    private final Transport transport;
    private final CompletionHandler completionHandler;
    private final ProtocolCounters counters = new ProtocolCounters();

    private final FrameValidator validator;
    private final NewEventFrame newEventFrame = new NewEventFrame();
    private final MyOrderCounterFrame orderCounterFrame = new MyOrderCounterFrame();
    private final MySerializeCounterFrame serializeCounterFrame = new MySerializeCounterFrame();
    private final UnsafeBuffer sendBuffer;
    private final UnsafeBuffer resultBuffer;
    private final UnsafeBuffer epochStartBuffer = new UnsafeBuffer(new byte[MemberSet.MAX_LENGTH]);

    private NodeMode mode = NodeMode.INIT;
    private long currentEpoch;
    private long lastNormalEpoch;
    private long guaranteed;

    // Scoped to one epoch (PROTOCOL.md §1): cleared on every epoch change.
    private int activeMask;
    private long clock;
    private long lastPromiseSent;
    private final long[] promise;
    private final long[] ser;
    private final PendingQueue[] pending;
    private long arrivals;
    private boolean reportDue;

    private final OwnEvents own;
    private long nextLocalSeq = 1;

    private long nowNs;
    private long lastSentNs;
    private final long[] lastHeardNs;
    private final boolean[] suspected;

    // Test only (ProtocolDefect.PROMISE_BEFORE_EVENT): own NewEvent frames held back until after the promise.
    private final ExpandableArrayBuffer deferredFrames;
    private int deferredLength;

    public SequencerProtocol(
        final ProtocolContext context,
        final EventLog log,
        final StateMachine stateMachine,
        final Transport transport,
        final CompletionHandler completionHandler)
    {
        context.conclude();
        this.cluster = context.cluster();
        this.selfId = context.memberId();
        this.selfIndex = cluster.indexOf(selfId);
        this.memberCount = cluster.size();
        this.quorum = cluster.quorum();
        this.clusterId = cluster.clusterId();
        this.maxEventLength = context.maxEventLength();
        this.maxResultLength = context.maxResultLength();
        this.durability = context.durability();
        this.heartbeatIntervalNs = context.heartbeatIntervalNs();
        this.failureTimeoutNs = context.failureTimeoutNs();
        this.incarnation = context.incarnation();
        this.errorHandler = context.errorHandler();
        this.noOriginTieBreak = context.defects().contains(ProtocolDefect.NO_ORIGIN_TIE_BREAK);
        this.strictPromise = context.defects().contains(ProtocolDefect.STRICT_PROMISE);
        this.ackAtHave = context.defects().contains(ProtocolDefect.ACK_AT_HAVE);
        this.promiseBeforeEvent = context.defects().contains(ProtocolDefect.PROMISE_BEFORE_EVENT);

        this.log = log;
        this.stateMachine = stateMachine;
        this.transport = transport;
        this.completionHandler = completionHandler;

        validator = new FrameValidator(maxEventLength);
        sendBuffer = new UnsafeBuffer(new byte[NewEventFrame.PAYLOAD_OFFSET + maxEventLength + 64]);
        resultBuffer = new UnsafeBuffer(new byte[Math.max(1, maxResultLength)]);
        promise = new long[memberCount];
        ser = new long[memberCount];
        pending = new PendingQueue[memberCount];
        for (int i = 0; i < memberCount; i++)
        {
            pending[i] = new PendingQueue(1024, 64 * 1024);
        }
        own = new OwnEvents(context.maxInFlight(), maxResultLength);
        lastHeardNs = new long[memberCount];
        suspected = new boolean[memberCount];
        deferredFrames = promiseBeforeEvent ? new ExpandableArrayBuffer(4096) : null;
    }

    /**
     * Start the cluster's first epoch on an empty log: every member writes the same {@code EpochStart(1, C, C)}
     * at position 1, so their logs agree from the first entry.
     *
     * @throws IllegalStateException when the log is not empty: a member with history rejoins only through an
     *                               epoch change (PROTOCOL.md §4), never by resuming the epoch it was in.
     */
    public void start(final long nowNs)
    {
        if (mode != NodeMode.INIT)
        {
            throw new IllegalStateException("already started");
        }
        if (log.have() != 0)
        {
            throw new IllegalStateException(
                "log of member " + selfId + " holds " + log.have() + " entries: a member with history rejoins " +
                "through an epoch change (boot mode), which this build does not have");
        }
        this.nowNs = nowNs;
        final int length = MemberSet.encode(epochStartBuffer, 0, cluster, cluster.allMask());
        log.append(EntryType.EPOCH_START, FIRST_EPOCH, 0, cluster.memberId(0), 0, 0, epochStartBuffer, 0, length);
        if (durability == Durability.BATCH)
        {
            log.force();
        }
        currentEpoch = FIRST_EPOCH;
        lastNormalEpoch = FIRST_EPOCH;
        enterRunning(cluster.allMask());
    }

    private void enterRunning(final int activeMask)
    {
        this.activeMask = activeMask;
        clock = 0;
        lastPromiseSent = 0;
        arrivals = 0;
        for (int i = 0; i < memberCount; i++)
        {
            promise[i] = 0;
            ser[i] = 0;
            pending[i].clear();
            lastHeardNs[i] = nowNs;
            suspected[i] = false;
        }
        lastSentNs = nowNs;
        reportDue = true;
        mode = NodeMode.RUNNING;
        updateGuaranteed();
    }

    /**
     * R1: submit a local event.
     *
     * @return {@link SubmitStatus#ACCEPTED}, or a negative {@link SubmitStatus} code when nothing was accepted.
     */
    public int submit(final long correlationId, final DirectBuffer event, final int offset, final int length)
    {
        if (mode != NodeMode.RUNNING)
        {
            counters.submitsRefused++;
            return SubmitStatus.NOT_RUNNING;
        }
        if (length < 0 || length > maxEventLength)
        {
            counters.submitsRefused++;
            return SubmitStatus.TOO_LARGE;
        }
        if (own.isFull())
        {
            counters.submitsRefused++;
            return SubmitStatus.BACK_PRESSURED;
        }

        final long counter = clock + 1;
        final long localSeq = nextLocalSeq;
        if (memberCount > 1)
        {
            newEventFrame.encode(
                sendBuffer, 0, selfId, clusterId, currentEpoch, incarnation, localSeq, counter, event, offset, length);
            final int frameLength = newEventFrame.encodedLength();
            if (promiseBeforeEvent)
            {
                deferredFrames.putInt(deferredLength, frameLength);
                deferredFrames.putBytes(deferredLength + Integer.BYTES, sendBuffer, 0, frameLength);
                deferredLength += Integer.BYTES + frameLength;
            }
            else
            {
                if (!publish(MessageType.NEW_EVENT, frameLength))
                {
                    counters.submitsRefused++;
                    return SubmitStatus.BACK_PRESSURED;
                }
                lastPromiseSent = counter;
            }
        }

        clock = counter;
        nextLocalSeq++;
        pending[selfIndex].add(counter, incarnation, localSeq, arrivals++, event, offset, length);
        own.add(correlationId, localSeq);
        counters.submitted++;
        return SubmitStatus.ACCEPTED;
    }

    /**
     * Handle one received frame. Anything invalid, foreign or stale is dropped and counted, never thrown.
     */
    public void onFrame(final DirectBuffer buffer, final int offset, final int length)
    {
        final int verdict = validator.validate(buffer, offset, length);
        final int type = length >= FrameHeader.LENGTH && offset >= 0 && offset + length <= buffer.capacity() ?
            FrameHeader.type(buffer, offset) : 0;
        counters.frameIn(type);
        if (verdict != FrameValidator.VALID)
        {
            counters.dropped(verdict);
            return;
        }
        if (FrameHeader.clusterId(buffer, offset) != clusterId)
        {
            counters.dropped(DropReason.WRONG_CLUSTER.ordinal());
            return;
        }
        final int senderId = FrameHeader.senderId(buffer, offset);
        final int sender = cluster.indexOf(senderId);
        if (sender < 0)
        {
            counters.dropped(DropReason.UNKNOWN_SENDER.ordinal());
            return;
        }
        if (sender == selfIndex)
        {
            return; // our own frame looped back by a multicast transport
        }
        if (mode != NodeMode.RUNNING)
        {
            counters.dropped(DropReason.UNEXPECTED.ordinal());
            return;
        }
        final long epoch = FrameHeader.epoch(buffer, offset);
        if (epoch < currentEpoch && type != MessageType.NEW_NODE)
        {
            counters.dropped(DropReason.STALE_EPOCH.ordinal());
            return;
        }
        if (epoch > currentEpoch)
        {
            counters.dropped(DropReason.HIGHER_EPOCH.ordinal());
            return;
        }

        lastHeardNs[sender] = nowNs;
        suspected[sender] = false;

        switch (type)
        {
            case MessageType.NEW_EVENT:
                if (isActive(sender))
                {
                    onNewEvent(sender, buffer, offset, length);
                }
                else
                {
                    counters.dropped(DropReason.NOT_ACTIVE.ordinal());
                }
                break;

            case MessageType.MY_ORDER_COUNTER:
                if (isActive(sender))
                {
                    orderCounterFrame.wrap(buffer, offset, length);
                    promise[sender] = Math.max(promise[sender], orderCounterFrame.counter()); // R3
                }
                else
                {
                    counters.dropped(DropReason.NOT_ACTIVE.ordinal());
                }
                break;

            case MessageType.MY_SERIALIZE_COUNTER:
                if (isActive(sender))
                {
                    onSerializeCounter(sender, buffer, offset, length);
                }
                else
                {
                    counters.dropped(DropReason.NOT_ACTIVE.ordinal());
                }
                break;

            default:
                // Membership and catch-up messages belong to the epoch change, which running mode does not act on.
                counters.dropped(DropReason.UNEXPECTED.ordinal());
                break;
        }
    }

    /** R2: a peer's event joins {@code pending}; our clock moves past it. */
    private void onNewEvent(final int sender, final DirectBuffer buffer, final int offset, final int length)
    {
        newEventFrame.wrap(buffer, offset, length);
        final long counter = newEventFrame.counter();
        if (counter <= promise[sender])
        {
            // The sender promised not to go this low: ordering may already have passed this key (R2a, I7).
            counters.dropped(DropReason.PROMISE_BROKEN.ordinal());
            return;
        }
        promise[sender] = counter;
        if (counter > clock)
        {
            clock = counter;
        }
        pending[sender].add(
            counter, newEventFrame.incarnation(), newEventFrame.localSeq(), arrivals++,
            newEventFrame.buffer(), newEventFrame.payloadOffset(), newEventFrame.payloadLength());
    }

    /** R8: a peer's report counts towards {@code g} only if it is of this epoch's log and agrees with ours. */
    private void onSerializeCounter(final int sender, final DirectBuffer buffer, final int offset, final int length)
    {
        serializeCounterFrame.wrap(buffer, offset, length);
        if (serializeCounterFrame.lastNormalEpoch() != currentEpoch)
        {
            return; // sent before the sender finished aligning to this epoch: not counted
        }
        final long have = serializeCounterFrame.have();
        if (have <= log.have() && log.chkAt(have) != serializeCounterFrame.chkAtHave())
        {
            counters.reportChkMismatches++;
            return;
        }
        if (have > ser[sender])
        {
            ser[sender] = have;
        }
        final long theirGuaranteed = serializeCounterFrame.guaranteed();
        if (theirGuaranteed > guaranteed)
        {
            guaranteed = theirGuaranteed;
        }
        updateGuaranteed();
    }

    /**
     * One duty cycle's protocol work at time {@code nowNs}: order and serialize (R5, R6), report (R7), promise
     * (R2, R2a), heartbeat (R4), complete (R9) and watch for silent members (R10).
     *
     * @return the amount of work done; 0 when idle.
     */
    public int doWork(final long nowNs)
    {
        this.nowNs = nowNs;
        if (mode != NodeMode.RUNNING)
        {
            return 0;
        }

        int work = serializeOrdered();
        if (work > 0)
        {
            if (durability == Durability.BATCH)
            {
                log.force();
            }
            reportDue = true;
        }
        updateGuaranteed();

        if (memberCount > 1)
        {
            if (clock > lastPromiseSent && publishPromise())
            {
                work++;
            }
            if (deferredLength > 0)
            {
                work += flushDeferred();
            }
            if (reportDue && publishReport())
            {
                reportDue = false;
                work++;
            }
            if (nowNs - lastSentNs >= heartbeatIntervalNs && publishPromise())
            {
                work++;
            }
            work += checkSilence();
        }

        final int completed = own.completeUpTo(ackAtHave ? log.have() : guaranteed, completionHandler);
        counters.completed += completed;
        return work + completed;
    }

    /** R5 and R6: append every ordered head of {@code pending}, in key order, and apply it. */
    private int serializeOrdered()
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

            final int originId = cluster.memberId(origin);
            final DirectBuffer payload = queue.payloads();
            final int payloadOffset = queue.headPayloadOffset();
            final int payloadLength = queue.headPayloadLength();
            final long localSeq = queue.headLocalSeq();
            final long position = log.append(
                EntryType.EVENT, currentEpoch, counter, originId, queue.headIncarnation(), localSeq,
                payload, payloadOffset, payloadLength);

            int status = CompletionHandler.OK;
            int resultLength;
            try
            {
                resultLength = stateMachine.apply(position, payload, payloadOffset, payloadLength, resultBuffer, 0);
                if (resultLength < 0 || resultLength > maxResultLength)
                {
                    throw new IllegalStateException("state machine returned a result length of " + resultLength +
                        " at position " + position + "; expected 0.." + maxResultLength);
                }
            }
            catch (final RuntimeException ex)
            {
                status = CompletionHandler.APPLY_FAILED;
                resultLength = 0;
                counters.applyErrors++;
                errorHandler.onError(ex);
            }

            if (origin == selfIndex)
            {
                own.onSerialized(localSeq, position, status, resultBuffer, resultLength);
            }
            queue.removeHead();
            counters.serialized++;
            serialized++;
        }
        return serialized;
    }

    /** @return the index of the origin whose pending head has the smallest key {@code (E, counter, originId)}. */
    private int headOrigin()
    {
        int best = -1;
        long bestCounter = 0;
        for (int i = 0; i < memberCount; i++)
        {
            final PendingQueue queue = pending[i];
            if (queue.isEmpty())
            {
                continue;
            }
            final long counter = queue.headCounter();
            if (best < 0 || counter < bestCounter ||
                (counter == bestCounter && (noOriginTieBreak ?
                    queue.headArrival() < pending[best].headArrival() :
                    cluster.memberId(i) < cluster.memberId(best))))
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
        for (int i = 0; i < memberCount; i++)
        {
            if (i == origin || !isActive(i))
            {
                continue;
            }
            final long bound = i == selfIndex ? clock : promise[i];
            if (strictPromise ? bound <= counter : bound < counter)
            {
                return false;
            }
        }
        return true;
    }

    /** R8: {@code g = max(g, q-th highest ser over C)}, with our own {@code ser_self}. */
    private void updateGuaranteed()
    {
        ser[selfIndex] = serSelf();
        long first = 0;
        long second = 0;
        long third = 0;
        for (int i = 0; i < memberCount; i++)
        {
            final long s = isActive(i) ? ser[i] : 0;
            if (s > first)
            {
                third = second;
                second = first;
                first = s;
            }
            else if (s > second)
            {
                third = second;
                second = s;
            }
            else if (s > third)
            {
                third = s;
            }
        }
        final long quorumSer = quorum == 1 ? first : quorum == 2 ? second : third;
        if (quorumSer > guaranteed)
        {
            guaranteed = quorumSer;
        }
    }

    private long serSelf()
    {
        return durability == Durability.BATCH ? log.forcedPosition() : log.have();
    }

    private boolean publishPromise()
    {
        orderCounterFrame.encode(sendBuffer, 0, selfId, clusterId, currentEpoch, clock);
        if (publish(MessageType.MY_ORDER_COUNTER, orderCounterFrame.encodedLength()))
        {
            lastPromiseSent = clock;
            return true;
        }
        return false;
    }

    private boolean publishReport()
    {
        final long have = serSelf();
        serializeCounterFrame.encode(
            sendBuffer, 0, selfId, clusterId, currentEpoch, guaranteed, have, log.chkAt(have), lastNormalEpoch,
            true, 0);
        return publish(MessageType.MY_SERIALIZE_COUNTER, serializeCounterFrame.encodedLength());
    }

    private int flushDeferred()
    {
        int offset = 0;
        int sent = 0;
        while (offset < deferredLength)
        {
            final int frameLength = deferredFrames.getInt(offset);
            if (!transport.publish(deferredFrames, offset + Integer.BYTES, frameLength))
            {
                counters.publishBackPressure++;
                break;
            }
            counters.frameOut(MessageType.NEW_EVENT);
            lastSentNs = nowNs;
            offset += Integer.BYTES + frameLength;
            sent++;
        }
        deferredFrames.putBytes(0, deferredFrames, offset, deferredLength - offset);
        deferredLength -= offset;
        return sent;
    }

    private boolean publish(final int type, final int length)
    {
        if (transport.publish(sendBuffer, 0, length))
        {
            counters.frameOut(type);
            lastSentNs = nowNs;
            return true;
        }
        counters.publishBackPressure++;
        return false;
    }

    /** R10: a member of {@code A} silent for {@code T_fd} is suspected (signalled once per silence). */
    private int checkSilence()
    {
        int raised = 0;
        for (int i = 0; i < memberCount; i++)
        {
            if (i != selfIndex && isActive(i) && !suspected[i] && nowNs - lastHeardNs[i] > failureTimeoutNs)
            {
                suspected[i] = true;
                counters.suspicions++;
                raised++;
            }
        }
        return raised;
    }

    private boolean isActive(final int index)
    {
        return (activeMask & (1 << index)) != 0;
    }

    public NodeMode mode()
    {
        return mode;
    }

    public int memberId()
    {
        return selfId;
    }

    public ClusterConfig cluster()
    {
        return cluster;
    }

    public long currentEpoch()
    {
        return currentEpoch;
    }

    public long lastNormalEpoch()
    {
        return lastNormalEpoch;
    }

    /** The durability watermark {@code g}: every position at or below it is durable on a quorum. */
    public long guaranteed()
    {
        return guaranteed;
    }

    /** The Lamport clock {@code L} of the current epoch. */
    public long clock()
    {
        return clock;
    }

    /** The highest promise received from {@code memberId} in this epoch (our own clock for ourselves). */
    public long promise(final int memberId)
    {
        final int i = cluster.indexOf(memberId);
        return i == selfIndex ? clock : promise[i];
    }

    /** The highest counted serialized position of {@code memberId} in this epoch. */
    public long ser(final int memberId)
    {
        return ser[cluster.indexOf(memberId)];
    }

    /** Whether {@code memberId} has been silent for longer than {@code T_fd} (R10). */
    public boolean isSuspected(final int memberId)
    {
        return suspected[cluster.indexOf(memberId)];
    }

    /** Events received or submitted and not yet ordered. */
    public int pendingCount()
    {
        int n = 0;
        for (final PendingQueue queue : pending)
        {
            n += queue.size();
        }
        return n;
    }

    /** Own events submitted and not yet completed. */
    public int ownInFlight()
    {
        return own.inFlight();
    }

    public long incarnation()
    {
        return incarnation;
    }

    /** The {@code localSeq} of the event id given to the last accepted submit; 0 before the first. */
    public long lastLocalSeq()
    {
        return nextLocalSeq - 1;
    }

    public EventLog log()
    {
        return log;
    }

    public ProtocolCounters counters()
    {
        return counters;
    }
}
