package io.sequencer.core.protocol;

import io.sequencer.core.CheckpointStore;
import io.sequencer.core.ClusterConfig;
import io.sequencer.core.CompletionHandler;
import io.sequencer.core.Durability;
import io.sequencer.core.EntryType;
import io.sequencer.core.EventLog;
import io.sequencer.core.LogEntry;
import io.sequencer.core.MemberStreamListener;
import io.sequencer.core.NodeMode;
import io.sequencer.core.NodeStore;
import io.sequencer.core.ProtocolContext;
import io.sequencer.core.ProtocolListener;
import io.sequencer.core.StateMachine;
import io.sequencer.core.SubmitStatus;
import io.sequencer.core.Transport;
import io.sequencer.core.codec.EntriesFrame;
import io.sequencer.core.codec.FetchFrame;
import io.sequencer.core.codec.FrameValidator;
import io.sequencer.core.codec.MyOrderCounterFrame;
import io.sequencer.core.codec.MySerializeCounterFrame;
import io.sequencer.core.codec.NewEventFrame;
import io.sequencer.core.codec.SnapshotFrame;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One node's protocol (docs/protocol.md §2 "Frames" to §6 "Durability and intactness", and §10) as a pure,
 * deterministic state machine: no thread, clock, random source or file. Its caller feeds it input — {@link #onFrame}
 * for each received frame, {@link #submit} for each local event, {@link #doWork} with the current time once per duty
 * cycle — and it acts through narrow interfaces: frames to the {@link Transport}, entries to the {@link EventLog},
 * checkpoints to the {@link CheckpointStore}, its small persistent state to the {@link NodeStore}, events to the
 * {@link StateMachine} and completions to the {@link CompletionHandler}. The same object runs under the duty-cycle
 * agent and under the simulator.
 * <p>
 * Life of a node: {@link #start} always enters <em>boot</em> in a new epoch (B1). The epoch's coordinator collects
 * state reports, picks the base and decides {@code ClusterNodes} once (B2–B4); each member of the new active set
 * aligns its log to the base — finds where it diverges, unrolls, rebuilds its state from a checkpoint, fetches the
 * missing entries, appends {@code EpochStart} (B5) — and is <em>running</em> once a quorum has aligned (B6). A
 * silent member (R10), a restarted one ({@code NewNode}) or a stuck boot (B7) starts the next epoch.
 * <p>
 * Not thread-safe: all calls come from one thread. Allocation-free once warm on the running path.
 */
public final class SequencerProtocol implements MemberStreamListener
{
    /**
     * The furthest a frame may move this node's epoch in one step. Honest epochs rise by about one per epoch change;
     * a frame further ahead is garbage or forged, and adopting it would bring the epoch space's end within reach of a
     * few frames (docs/protocol.md, "Frames nobody authorised").
     */
    public static final long MAX_EPOCH_STEP = 1L << 20;
    /** Frames of one far epoch from one sender that, over {@code T_fd}, widen the window by a step (§10.3). */
    static final int FAR_EPOCH_FRAMES = 4;
    /** The reports of each peer kept for R8 until this node's log reaches them and can check their {@code chk}. */
    static final int REPORT_HISTORY = 8;
    /** {@code Entries} frames a member sends in answer to one {@code Fetch}: a window is several frames long. */
    static final int FETCH_FRAMES_PER_REQUEST = 8;
    /**
     * {@code Entries} frames a member serves per requester in one duty cycle: a window goes out over several cycles, so
     * that a serving member's own heartbeats and ordering come between its frames (a whole window in one cycle took
     * tens of ms while the serving code was still cold, and its peers suspected it: CatchUpFigures).
     */
    static final int SERVE_FRAMES_PER_CYCLE = 1;
    static final int MIN_FETCH_WINDOW = 64;
    static final int MAX_FETCH_WINDOW = 1 << 16;
    /** When an epoch change without a decision is first reported to the listener (onWaiting), and then how often. */
    static final long WAITING_FIRST_NS = 1_000_000_000L;
    static final long WAITING_EVERY_NS = 5_000_000_000L;
    /** How often back-pressured submits are reported to the listener (onOverload), while there are any. */
    static final long OVERLOAD_REPORT_EVERY_NS = 1_000_000_000L;
    /** How many distinct epochs of events dropped as too far ahead a member remembers (§10.3). */
    static final int DROPPED_EVENT_EPOCHS = 64;
    /** How often a fetch that runs long reports its progress to the listener (onFetchProgress). */
    static final long FETCH_PROGRESS_EVERY_NS = 1_000_000_000L;
    /** Positions a divergence probe asks for at once, below the one probed: most logs diverge within the last few. */
    static final int PROBE_WINDOW = 32;
    /**
     * A running member reports at least once every this many heartbeats, even when idle: a member outside the active
     * set asks in only once it has seen each active member aligned (B6), which a report shows and, under
     * {@code authentication = control}, a promise cannot (promises are not tagged, and a session is trusted only once
     * a tagged frame of it arrived: an idle cluster kept a member left out at its start outside for good); and the
     * owner's reported {@code g} is what a member outside follows (§10.5).
     */
    private static final int REPORT_REFRESH_HEARTBEATS = 10;
    /** Entries replayed per duty cycle ahead of the alignment (a few ms on code not yet compiled, far less after). */
    static final int REPLAY_AHEAD_PER_CYCLE = 128;
    /** How far short of its log's end a member replays ahead of the alignment, beyond {@code g} (replayAhead). */
    static final int REPLAY_AHEAD_MARGIN = 256;

    final ClusterConfig cluster;
    final int selfId;
    final int selfIndex;
    final int memberCount;
    final int quorum;
    final int clusterId;
    private final int maxEventLength;
    private final int maxResultLength;
    final Durability durability;
    final long heartbeatIntervalNs;
    final long failureTimeoutNs;
    final long initialBootTimeoutNs;
    final long maxBootTimeoutNs;
    final long decisionGraceNs;
    private final int fetchBatchBytes;
    final boolean bootstrap;
    final boolean acceptDataLoss;
    final long bootId;
    final ErrorHandler errorHandler;
    final ProtocolListener listener;
    /** The rules where the design note left a choice: {@link ProtocolRules#SPECIFIED} outside the simulator. */
    final ProtocolRules rules;

    final EventLog log;
    final CheckpointStore checkpoints;
    final NodeStore store;
    final Transport transport;
    private final CompletionHandler completionHandler;
    final ProtocolCounters counters = new ProtocolCounters();

    final FrameValidator validator;
    final MyOrderCounterFrame orderCounterFrame = new MyOrderCounterFrame();
    final MySerializeCounterFrame serializeCounterFrame = new MySerializeCounterFrame();
    final FetchFrame fetchFrame = new FetchFrame();
    final EntriesFrame entriesFrame = new EntriesFrame();
    final UnsafeBuffer sendBuffer;
    /**
     * {@code C} and the durability in one word ({@link ClusterConfig#configurationWord}): stamped into every frame
     * sent, checked in each (§10.8).
     */
    final int configurationWord;
    final SnapshotFrame snapshotFrame = new SnapshotFrame();
    final SnapshotServing snapshotServing;
    /** The state machine, the cluster time and timers (§12) and the dedup index, as the applied entries built them. */
    final Replica replica;
    final EpochNanoClock epochClock;
    final long tickIntervalNs;
    final LogEntry entry = new LogEntry();
    /** The entry being appended by ordering, catch-up or alignment: one view, filled in place. */
    final LogEntry appending = new LogEntry();
    final int[] memberIds;

    /** Volatile for the snapshot thread, which works only while it is RUNNING; written only at mode changes. */
    volatile NodeMode mode = NodeMode.INIT;
    BootPhase phase = BootPhase.NONE;
    boolean intact = true;
    /** Started to bootstrap on an empty, new store: intact only while the cluster has never run. */
    boolean fresh;
    long incarnation;
    long currentEpoch;
    long maxKnownEpoch;
    long lastNormalEpoch;
    long guaranteed;
    boolean stateValid;
    /** Under {@code batch}: the log's forced position when a report was last made due by its moving on. */
    private long forcedReported;

    // Scoped to one epoch (docs/protocol.md §1, "State"): cleared by EpochChange.enterBoot, the parts' own by their
    // onEpochEntered. The decision's fields are written by the coordinator before the decision and read after it.
    int activeMask;
    boolean decided;
    boolean reportDue;
    long decisionN;
    long decisionChk;
    int decisionMask;
    int decisionBaseOwner;
    int baseOwner;
    private final long admissionLag;
    final long followLag;
    /** Per requester, the rest of the window its last {@code Fetch} asked for: served a few frames a duty cycle. */
    final EntriesServing entriesServing;
    /** B2–B4 when this member coordinates the epoch. */
    final EpochCoordinator coordinator;
    final Liveness liveness;
    final Retention retention;
    final Serving serving;
    final FrameDispatch frames;
    final Startup startup;
    final Alignment alignment;
    final EpochChange epochs;
    final EpochReports reports;
    final LogReplay replay;
    final Ordering ordering;
    /** Encodes and sends every frame this member originates (the serving side's windows aside). */
    final FramePublisher publisher;
    final CatchUp catchUp;
    final LiveCheckpoint liveCheckpoints;
    /** §13: a checkpoint taken from the base owner instead of entries it no longer holds. */
    final SnapshotReceiving receiving;

    final OwnEvents own;
    private long nextLocalSeq = 1;

    long nowNs;
    long lastSentNs;
    /** R10: when each peer was last heard, its adaptive failure timeout, the hears mask (§10.6). */
    final FailureDetector detector;
    /** Seeds the boot timers' jitter (B7), so that members do not time out in lock-step. */
    final long jitterSeed;
    /** How far ahead of this member's clock a peer's counter can honestly be ({@link Ordering#plausibleCounter}). */
    final long counterSlack;
    /** Each peer's latest hears mask (from its heartbeats and reports, of any epoch): pre-vote reads it. */
    final int[] peerHears;

    public SequencerProtocol(
        final ProtocolContext context,
        final EventLog log,
        final CheckpointStore checkpoints,
        final NodeStore store,
        final StateMachine stateMachine,
        final Transport transport,
        final CompletionHandler completionHandler)
    {
        this(context, log, checkpoints, store, stateMachine, transport, completionHandler, ProtocolRules.SPECIFIED);
    }

    /** With other rules: only the simulator's deliberately broken protocols, from this package. */
    SequencerProtocol(
        final ProtocolContext context,
        final EventLog log,
        final CheckpointStore checkpoints,
        final NodeStore store,
        final StateMachine stateMachine,
        final Transport transport,
        final CompletionHandler completionHandler,
        final ProtocolRules rules)
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
        this.counterSlack = (long)memberCount * context.maxInFlight() + 1;
        this.initialBootTimeoutNs = context.bootTimeoutNs();
        this.maxBootTimeoutNs = context.maxBootTimeoutNs();
        this.decisionGraceNs = context.decisionGraceNs();
        this.fetchBatchBytes = context.fetchBatchBytes();
        this.bootstrap = context.bootstrap();
        this.acceptDataLoss = context.acceptDataLoss();
        this.bootId = context.bootId();
        this.errorHandler = context.errorHandler();
        this.listener = context.listener();
        this.epochClock = context.epochClock();
        this.tickIntervalNs = context.tickIntervalNs();
        this.rules = rules;

        this.log = log;
        this.checkpoints = checkpoints;
        this.store = store;
        this.transport = transport;
        this.completionHandler = completionHandler;

        validator = new FrameValidator(maxEventLength);
        sendBuffer = new UnsafeBuffer(new byte[NewEventFrame.PAYLOAD_OFFSET + maxEventLength + 64]);
        configurationWord = cluster.configurationWord(context.durability());
        snapshotServing = new SnapshotServing(memberCount, log, checkpoints, transport, counters, errorHandler,
            fetchBatchBytes, configurationWord);
        publisher = new FramePublisher(this);
        coordinator = new EpochCoordinator(this);
        liveness = new Liveness(this);
        retention = new Retention(this);
        serving = new Serving(this);
        frames = new FrameDispatch(this);
        startup = new Startup(this);
        alignment = new Alignment(this);
        epochs = new EpochChange(this);
        reports = new EpochReports(this);
        replay = new LogReplay(this);
        ordering = new Ordering(this);
        catchUp = new CatchUp(this);
        liveCheckpoints = new LiveCheckpoint(this);
        receiving = new SnapshotReceiving(this);
        entriesServing = new EntriesServing(memberCount, log, transport, counters, fetchBatchBytes, maxEventLength,
            configurationWord);
        memberIds = cluster.memberIds();
        for (int i = 0; i < memberCount; i++)
        {
            ordering.pending[i] = new PendingQueue(1024, 64 * 1024);
        }
        replica = new Replica(stateMachine, memberCount, maxResultLength, errorHandler);
        own = new OwnEvents(context.maxInFlight(), maxResultLength,
            Math.max(maxEventLength * 2, context.maxInFlight() * 256));
        detector = new FailureDetector(memberCount, selfIndex, failureTimeoutNs, context.maxFailureTimeoutNs());
        peerHears = new int[memberCount];
        jitterSeed = context.jitterSeed();
        admissionLag = context.admissionLag();
        followLag = context.followLag();
    }

    /**
     * Start this process: finish an unroll a crash interrupted, decide whether this node's log is intact
     * (docs/protocol.md §6 and §10.1, "Knowing what was lost"), and enter boot in a new epoch (B1). A process never
     * resumes an epoch it ran in; one it never ran in it may go back into while that epoch runs (B1).
     */
    public void start(final long nowNs)
    {
        startup.startAt(nowNs);
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
        if (own.resubmissionPending() || !own.add(correlationId, nextLocalSeq, event, offset, length))
        {
            counters.submitsRefused++;
            counters.submitsBackPressured++;
            return SubmitStatus.BACK_PRESSURED;
        }
        if (!ordering.propose(EntryType.EVENT, nextLocalSeq, event, offset, length))
        {
            own.removeNewest();
            counters.submitsRefused++;
            counters.submitsBackPressured++;
            return SubmitStatus.BACK_PRESSURED;
        }
        nextLocalSeq++;
        counters.submitted++;
        return SubmitStatus.ACCEPTED;
    }

    /**
     * Handle one received frame. Anything invalid, foreign or stale is dropped and counted, never thrown.
     */
    public void onFrame(final DirectBuffer buffer, final int offset, final int length)
    {
        frames.dispatchFrame(buffer, offset, length);
    }

    /**
     * What a catch-up in progress is doing, for reports (the simulator's, an operator's): the probe, the fetch, the
     * transfer; empty when none is. Duty cycle only; allocates.
     */
    public String catchUpState()
    {
        return catchUp.describe();
    }

    /**
     * Retention (§13), from the snapshot thread or any other: the entries at and below {@code position} may go once
     * they are also at or below {@code g}. The duty cycle discards them while it runs.
     */
    public void retainUpTo(final long position)
    {
        if (position > retention.retentionRequested)
        {
            retention.retentionRequested = position;
        }
    }

    /**
     * From the snapshot thread: it has no checkpoint at or above the log's base to start from (they were lost or
     * damaged). The duty cycle writes one of its live state once it can (§13).
     */
    public void checkpointNeeded()
    {
        retention.checkpointNeeded = true;
    }

    /**
     * The duty cycle's time, read once at its start and given here before the frames of the cycle are polled, so that
     * they are handled at the time they were taken in, not at the previous cycle's (after a stall of this node, that
     * one is the stall's length out of date: a decision grace or a suspicion would be measured from it). Also called
     * by {@link #doWork}; a second call with the same time changes nothing.
     */
    public void advanceClock(final long nowNs)
    {
        final long gapNs = nowNs - this.nowNs;
        this.nowNs = nowNs;
        if (mode == NodeMode.INIT || mode == NodeMode.STOPPED || gapNs <= heartbeatIntervalNs)
        {
            return;
        }
        // This node did not run for a while (a GC pause, a starved thread, a slow start): peers' frames of that
        // time are still queued for it, so the gap is not their silence, nor a failure of the epoch change. The
        // timers count only the time it was looking, but at least T_hb per duty cycle, so that a member
        // starved for good still suspects a dead peer and gives up on a stuck epoch, later.
        final long shiftNs = gapNs - heartbeatIntervalNs;
        detector.shift(shiftNs, nowNs);
        epochs.bootStartNs = Math.min(nowNs, epochs.bootStartNs + shiftNs);
        // A fetch or probe asked for during the gap (or in the long cycle before it: the catch-up that has just
        // started a follow round may have taken 200 ms in a cold JVM) was not unanswered for the gap's length: its
        // answers are among the frames queued for this node. Unshifted, the next cycle took the fetch for stalled,
        // ended the follow round having fetched nothing and asked in with the whole gap still to fetch.
        catchUp.fetchMovedNs = Math.min(nowNs, catchUp.fetchMovedNs + shiftNs);
        if (epochs.decisionMissedSinceNs >= 0)
        {
            epochs.decisionMissedSinceNs = Math.min(nowNs, epochs.decisionMissedSinceNs + shiftNs);
        }
    }

    /**
     * One duty cycle's protocol work at time {@code nowNs}: order and serialize (R5, R6), report (R7), promise
     * (R2, R2a), heartbeat (R4), complete (R9), watch for silent members (R10) and drive the epoch change (B1–B7).
     *
     * @return the amount of work done; 0 when idle.
     */
    public int doWork(final long nowNs)
    {
        advanceClock(nowNs);
        if (epochs.listening)
        {
            epochs.checkListening(nowNs);
        }
        if (mode == NodeMode.INIT || mode == NodeMode.STOPPED)
        {
            return 0;
        }
        int work = serving.continueServing();
        if (mode == NodeMode.BOOT)
        {
            assert decided == (phase != BootPhase.COLLECTING && phase != BootPhase.PUBLISHING) :
                "phase " + phase + " with decided=" + decided + " in epoch " + currentEpoch;
            epochs.reportProgress();
            work += epochs.bootWork();
            if (phase == BootPhase.COLLECTING || phase == BootPhase.PUBLISHING || phase == BootPhase.OUTSIDE
                || phase == BootPhase.PROBING)
            {
                work += replay.replayAhead();
            }
            if (mode == NodeMode.STOPPED)
            {
                return work;
            }
        }
        if (mode == NodeMode.RUNNING && own.resubmissionPending())
        {
            work += ordering.resubmitRemaining();
        }
        if (mode == NodeMode.RUNNING)
        {
            work += ordering.tickIfDue();
            work += retention.applyRetention();
        }

        final boolean ordersNow = phase == BootPhase.ALIGNED || mode == NodeMode.RUNNING;
        if (ordersNow)
        {
            final int serialized = ordering.serializeOrdered();
            if (serialized > 0)
            {
                if (durability == Durability.BATCH)
                {
                    transport.flush(); // this cycle's events and promises leave before the fsync, not after it
                    // the report follows once it is forced (below), in this cycle or a later one: one now would only
                    // repeat the last forced position, a message more per event
                    log.requestForce();
                }
                else
                {
                    reportDue = true;
                }
                work += serialized;
                for (int i = 0; i < memberCount; i++)
                {
                    if (reports.historyCount[i] > 0)
                    {
                        reports.countReport(i); // reports that ran ahead of this log can be checked now
                    }
                }
            }
            if (durability == Durability.BATCH && log.forcedPosition() != forcedReported)
            {
                // ser_self moved on with the force: report it now rather than at the next cycle that serializes
                forcedReported = log.forcedPosition();
                reportDue = true;
                work++;
            }
            ordering.updateGuaranteed();
            alignment.checkRunning();
        }

        if (memberCount > 1)
        {
            if (ordersNow && ordering.clock > ordering.lastPromiseSent && ordering.publishPromise())
            {
                work++;
            }
            work += rules.afterPromise(this);
            if ((reportDue || (ordersNow
                && nowNs - ordering.lastReportSentNs >= REPORT_REFRESH_HEARTBEATS * heartbeatIntervalNs))
                && ordering.publishReport())
            {
                reportDue = false;
                work++;
            }
            // R4: a frame with our hears mask every T_hb, however busy the channel is with events: only such a frame
            // shows peers that this node is alive and hears them.
            if (nowNs - ordering.lastMaskSentNs >= heartbeatIntervalNs && (ordersNow ? ordering.publishPromise()
                : ordering.publishReport()))
            {
                work++;
            }
            if (ordersNow)
            {
                work += liveness.checkSilence();
            }
        }

        ordering.reportOverload();
        final int completed = own.completeUpTo(rules.acknowledgedUpTo(guaranteed, log.have()), completionHandler);
        counters.completed += completed;
        return work + completed;
    }

    /**
     * A transport signal that {@code memberId}'s stream is gone (an Aeron image became unavailable): it is silent
     * (R10), and since frames of it may have been lost, this node leaves the epoch at once.
     */
    public void onMemberUnavailable(final int memberId)
    {
        liveness.memberUnavailable(memberId);
    }

    /**
     * A transport signal that a new stream of {@code memberId} appeared (a new Aeron image: it restarted, or a cut
     * link healed). Frames sent before it may never arrive: unless the member is outside the decided epoch, this node
     * leaves the epoch, and in the next one every member starts from a clean state.
     */
    public void onMemberAvailable(final int memberId)
    {
        liveness.memberAvailable(memberId);
    }

    /** More than {@code admissionLag} entries behind the base: caught up outside the epoch, not in it (§10.5). */
    boolean farBehind(final long have, final long baseHave)
    {
        return have + admissionLag < baseHave;
    }

    /**
     * The log cannot be written (a full disk, a failed force): stop this member as if it had crashed
     * (docs/protocol.md §10.7). It can neither order nor catch up, and kept in the epochs it would hold each one it is
     * admitted to. Under {@code batch} it first records a cut back to its last forced entry for its next start.
     */
    public void stopOnUnwritableLog(final io.sequencer.core.LogUnwritableException ex)
    {
        String cut = "";
        if (durability == Durability.BATCH && log.forcedPosition() < log.have())
        {
            // After a failed fdatasync the page cache may still show pages the disk never took, and the next one may
            // succeed without writing them (fsyncgate): what was not forced is not trusted at the next start, which
            // cuts it as it finishes a recorded unroll (Startup), and fetches it again from the peers.
            final long recorded = store.unrollIntent();
            final long forced = recorded >= 0 ? Math.min(recorded, log.forcedPosition()) : log.forcedPosition();
            try
            {
                store.unrollIntent(forced); // never above a cut already recorded and not made
                cut = "; its next start cuts its log back to entry " + forced + ", the last forced";
            }
            catch (final RuntimeException stored)
            {
                errorHandler.onError(stored);
                cut = "; the cut back to entry " + forced + ", the last forced, could not be recorded: do not " +
                    "restart it in this boot without emptying its log directory";
            }
        }
        fatal("its event log cannot be written (" + ex.getMessage() + ")" + cut + ": it stops, and its peers go on " +
            "without it; restart it once the disk is mended, and it catches up");
    }

    /** A broken promise of the protocol itself: stop this node rather than risk an acknowledged event. */
    void fatal(final String message)
    {
        counters.fatalErrors++;
        mode = NodeMode.STOPPED;
        phase = BootPhase.NONE;
        errorHandler.onError(new IllegalStateException("fatal: member " + selfId + ": " + message));
    }

    public NodeMode mode()
    {
        return mode;
    }

    public BootPhase bootPhase()
    {
        return phase;
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

    /** Whether this node's log counts towards a quorum (docs/protocol.md §6, "Durability and intactness"). */
    public boolean isIntact()
    {
        return intact;
    }

    /** The durability watermark {@code g}: every position at or below it is durable on a quorum. */
    public long guaranteed()
    {
        return guaranteed;
    }

    /** The Lamport clock {@code L} of the current epoch. */
    public long clock()
    {
        return ordering.clock;
    }

    /** The highest promise received from {@code memberId} in this epoch (our own clock for ourselves). */
    public long promise(final int memberId)
    {
        final int i = cluster.indexOf(memberId);
        return i == selfIndex ? ordering.clock : ordering.promise[i];
    }

    /** The highest counted serialized position of {@code memberId} in this epoch. */
    public long ser(final int memberId)
    {
        return ordering.ser[cluster.indexOf(memberId)];
    }

    /** Whether {@code memberId} has been silent for longer than {@code T_fd} (R10). */
    public boolean isSuspected(final int memberId)
    {
        final int i = cluster.indexOf(memberId);
        return i != selfIndex && liveness.isSilent(i);
    }

    /** The active set of the current epoch as a mask over member indexes; 0 before the decision. */
    public int activeMask()
    {
        return activeMask;
    }

    /** The id of the member that coordinates the current epoch (B2), or -1 before the first epoch. */
    public int coordinatorId()
    {
        return currentEpoch > 0 ? memberIds[epochs.coordinatorIndex(currentEpoch)] : -1;
    }

    /** The id of the member whose log is the current epoch's base (B3), or -1 before the decision. */
    public int baseOwnerId()
    {
        return decided ? memberIds[baseOwner] : -1;
    }

    /** Events received or submitted and not yet ordered. */
    public int pendingCount()
    {
        int n = 0;
        for (final PendingQueue queue : ordering.pending)
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

    /** The first epoch this process ran in (0 before it first runs): part of every event id it assigns. */
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
