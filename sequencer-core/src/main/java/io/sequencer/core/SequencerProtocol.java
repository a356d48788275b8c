package io.sequencer.core;

import io.sequencer.core.codec.ClusterNodesFrame;
import io.sequencer.core.codec.DelNodeFrame;
import io.sequencer.core.codec.DropReason;
import io.sequencer.core.codec.EntriesFrame;
import io.sequencer.core.codec.FetchFrame;
import io.sequencer.core.codec.FrameHeader;
import io.sequencer.core.codec.FrameValidator;
import io.sequencer.core.codec.MessageType;
import io.sequencer.core.codec.MyOrderCounterFrame;
import io.sequencer.core.codec.MySerializeCounterFrame;
import io.sequencer.core.codec.SnapshotFrame;
import io.sequencer.core.codec.NewEventFrame;
import io.sequencer.core.codec.NewNodeFrame;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;

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
    private static final int REPORT_HISTORY = 8;
    /** {@code Entries} frames a member sends in answer to one {@code Fetch}: a window is several frames long. */
    static final int FETCH_FRAMES_PER_REQUEST = 8;
    /**
     * {@code Entries} frames a member serves per requester in one duty cycle: a window goes out over several cycles, so
     * that a serving member's own heartbeats and ordering come between its frames (a whole window in one cycle took
     * tens of ms while the serving code was still cold, and its peers suspected it: CatchUpFigures).
     */
    static final int SERVE_FRAMES_PER_CYCLE = 1;
    private static final int MIN_FETCH_WINDOW = 64;
    private static final int MAX_FETCH_WINDOW = 1 << 16;
    /** When an epoch change without a decision is first reported to the listener (onWaiting), and then how often. */
    private static final long WAITING_FIRST_NS = 1_000_000_000L;
    private static final long WAITING_EVERY_NS = 5_000_000_000L;
    /** How often back-pressured submits are reported to the listener (onOverload), while there are any. */
    private static final long OVERLOAD_REPORT_EVERY_NS = 1_000_000_000L;
    /** How many distinct epochs of events dropped as too far ahead a member remembers (§10.3). */
    private static final int DROPPED_EVENT_EPOCHS = 64;
    /** How often a fetch that runs long reports its progress to the listener (onFetchProgress). */
    private static final long FETCH_PROGRESS_EVERY_NS = 1_000_000_000L;
    /** Positions a divergence probe asks for at once, below the one probed: most logs diverge within the last few. */
    private static final int PROBE_WINDOW = 32;
    /**
     * A running member reports at least once every this many heartbeats, even when idle: a member outside the active
     * set asks in only once it has seen each active member aligned (B6), which a report shows and, under
     * {@code authentication = control}, a promise cannot (promises are not tagged, and a session is trusted only once
     * a tagged frame of it arrived: an idle cluster kept a member left out at its start outside for good); and the
     * owner's reported {@code g} is what a member outside follows (§10.5).
     */
    private static final int REPORT_REFRESH_HEARTBEATS = 10;
    /** Entries replayed per duty cycle ahead of the alignment (a few ms on code not yet compiled, far less after). */
    private static final int REPLAY_AHEAD_PER_CYCLE = 512;
    /** How far short of its log's end a member replays ahead of the alignment, beyond {@code g} (replayAhead). */
    private static final int REPLAY_AHEAD_MARGIN = 4096;
    /** How long a peer's largest gap between signs of life is kept before it is halved. */
    private static final long PEAK_GAP_DECAY_NS = TimeUnit.SECONDS.toNanos(1);

    /** Where a node in boot is with the epoch change. */
    public enum BootPhase
    {
        /** Reported; waiting for the coordinator's decision. */
        COLLECTING,
        /** Decided: finding where this log diverges from the base. */
        PROBING,
        /** Fetching the base's entries up to {@code N}. */
        FETCHING,
        /** Receiving a snapshot: the entries this log needs lie below the base owner's log (§13). */
        TRANSFERRING,
        /** {@code EpochStart} appended: ordering, waiting for a quorum to align (B6). */
        ALIGNED,
        /** Running in the epoch. */
        NONE
    }

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
    private final long initialBootTimeoutNs;
    private final long maxBootTimeoutNs;
    private final long decisionGraceNs;
    private final int fetchBatchBytes;
    private final boolean bootstrap;
    private final boolean acceptDataLoss;
    private final long bootId;
    private final ErrorHandler errorHandler;
    private final ProtocolListener listener;
    private final boolean noOriginTieBreak;
    private final boolean strictPromise;
    private final boolean ackAtHave;
    private final boolean promiseBeforeEvent;
    private final boolean literalCutRule;
    private final boolean noCoordinator;
    private final boolean baseByHaveOnly;
    private final boolean corruptResubmitted;
    /** Test only: a defect that stands for a protocol without the B3 and B5 assertions (the note's). */
    private final boolean unguardedDefect;

    private final EventLog log;
    private final CheckpointStore checkpoints;
    private final NodeStore store;
    private final Transport transport;
    private final CompletionHandler completionHandler;
    private final ProtocolCounters counters = new ProtocolCounters();

    private final FrameValidator validator;
    private final NewEventFrame newEventFrame = new NewEventFrame();
    private final MyOrderCounterFrame orderCounterFrame = new MyOrderCounterFrame();
    private final MySerializeCounterFrame serializeCounterFrame = new MySerializeCounterFrame();
    private final NewNodeFrame newNodeFrame = new NewNodeFrame();
    private final DelNodeFrame delNodeFrame = new DelNodeFrame();
    private final ClusterNodesFrame clusterNodesFrame = new ClusterNodesFrame();
    private final FetchFrame fetchFrame = new FetchFrame();
    private final EntriesFrame entriesFrame = new EntriesFrame();
    private final UnsafeBuffer sendBuffer;
    private final UnsafeBuffer entriesBuffer;
    private final SnapshotFrame snapshotFrame = new SnapshotFrame();
    private final SnapshotServing snapshotServing;
    // Snapshot transfer, the receiving side (§13). Kept across epochs: the same checkpoint offered again by the same
    // member resumes where it stopped.
    private CheckpointStore.Incoming incoming;
    private int transferOwner = -1;
    private long transferPosition;
    private long transferChk;
    private long transferBase;
    private long transferBaseChk;
    private long transferBaseEpoch;
    private long transferLength;
    private long transferWindowStart;
    private long transferRequestedTo;
    /** The phase a transfer that fails its check goes back to, and what this log agrees with the base up to. */
    private BootPhase transferReturnPhase;
    private long transferAgreed;
    /** A snapshot is needed whatever this log holds: no checkpoint at or above its base to rebuild from. */
    private boolean transferWanted;
    /** The installed checkpoint's position: restored once the fetch has brought the log up to it; 0 for none. */
    private long installAt;
    /** After an install, the log is fetched again up to here: own events it serialized before keep their results. */
    private long refetchedUpTo;
    /** Retention (§13): the snapshot thread's wish, and what this log was last asked to discard. */
    private volatile long retentionRequested;
    private long retentionApplied;
    /** The snapshot thread has no checkpoint to start from above the log's base: write one of the live state. */
    private volatile boolean checkpointNeeded;
    /**
     * A checkpoint of the live state written at {@code have}, not visible until {@code g} reaches its position in the
     * same epoch (a checkpoint is of committed entries, §5); null when none is staged.
     */
    private CheckpointStore.Incoming liveCheckpoint;
    private long liveCheckpointAt;
    private long liveCheckpointChk;
    private long liveCheckpointEpoch;
    /** After a live checkpoint failed (a full disk, the state machine threw): not tried again before this. */
    private long liveCheckpointRetryNs;
    /** No checkpoint loaded for the replay ahead in this epoch: not tried again every duty cycle. */
    private boolean replayAheadStopped;
    private final UnsafeBuffer epochStartBuffer = new UnsafeBuffer(new byte[MemberSet.MAX_LENGTH]);
    /** The state machine, the cluster time and timers (§12) and the dedup index, as the applied entries built them. */
    private final Replica replica;
    private final EpochNanoClock epochClock;
    private final long tickIntervalNs;
    /** When this member first saw a timer due with no entry yet to fire it (-1: none due); when it last ticked. */
    private long tickDueSinceNs = -1;
    private long lastTickNs;
    /** The largest time of the entries proposed in this epoch, this member's and those received (§12). */
    private long maxProposedTimeNs;
    /** This member's tick is proposed and not yet ordered: it does not propose another (while ordering stalls). */
    private boolean ownTickPending;
    /**
     * The latest distinct epochs of {@code NewEvent}s dropped as too far ahead (§10.3): this member never enters one of
     * them. Exactly those, not every epoch below the highest: a forged event of epoch 2^61 must not send the member
     * there. A ring, so garbage of ever new epochs costs nothing but can only push the oldest out.
     */
    private final long[] droppedEventEpochs = new long[DROPPED_EVENT_EPOCHS];
    private int droppedEventEpochNext;
    private final LogEntry entry = new LogEntry();
    private final int[] memberIds;

    /** Volatile for the snapshot thread, which works only while it is RUNNING; written only at mode changes. */
    private volatile NodeMode mode = NodeMode.INIT;
    private BootPhase phase = BootPhase.NONE;
    private boolean intact = true;
    /** Started to bootstrap on an empty, new store: intact only while the cluster has never run. */
    private boolean fresh;
    private long incarnation;
    private long currentEpoch;
    private long maxKnownEpoch;
    /** Each sender's latest epoch beyond the window, since when and in how many frames: widened towards it if the
     *  sender keeps at it (§10.3). */
    private final long[] farEpoch;
    private final long[] farEpochSinceNs;
    private final int[] farEpochFrames;
    /** The highest epoch a frame may carry, once widened beyond {@code maxKnownEpoch + MAX_EPOCH_STEP} (§10.3). */
    private long widenedEpochTop;
    private long lastNormalEpoch;
    private long guaranteed;
    private boolean stateValid;

    // Scoped to one epoch (docs/protocol.md §1, "State"): cleared on every epoch change.
    private int activeMask;
    private boolean decided;
    private long clock;
    private long lastPromiseSent;
    private final long[] promise;
    private final long[] ser;
    private final PendingQueue[] pending;
    private long arrivals;
    private boolean reportDue;
    /**
     * A member that does not know its last epoch (node state new or lost, not bootstrapping) listens for {@code T_fd}
     * before it enters one, until {@link #listenUntilNs} (B1).
     */
    private boolean listening;
    private long listenUntilNs;
    /**
     * When this member, holding no decision of its epoch, first saw the coordinator running in it (B6: it asks for the
     * decision and, if none comes, in); -1 while it has not.
     */
    private long decisionMissedSinceNs = -1;
    private final boolean[] reported;
    private final long[] reportHave;
    private final long[] reportChk;
    private final long[] reportLastNormalEpoch;
    private final long[] reportGuaranteed;
    private final boolean[] reportIntact;
    private final boolean[] reportFresh;
    /** Kept across epochs: the position each member was last counted holding (R8), and in which epoch. */
    private final long[] knownHeld;
    private final long[] knownHeldEpoch;
    /** The report shows the cluster has run: an event in the sender's log or a durable watermark. */
    private final boolean[] reportRan;
    private final int[] reportHears;
    private final long[] historyHave;
    private final long[] historyChk;
    private final int[] historyCount;
    private long quorumSinceNs;
    /** When this member entered the current epoch (the node log reports how long a decision took). */
    private long epochEnteredNs;
    /**
     * Since when this member waits for a decision, over epoch changes that decide nothing, and when it says so next.
     */
    private long waitingSinceNs = Long.MIN_VALUE;
    private long waitingReportDueNs;
    /** Back-pressured submits already reported (onOverload), and when they are looked at next. */
    private long backPressuredReported;
    private long overloadReportDueNs;
    /** Where the current fetch started, and when its progress is reported next (onFetchProgress). */
    private long fetchStartedFrom;
    private long fetchProgressDueNs;
    private boolean decisionRefused;
    private boolean decisionPending;
    private long decisionN;
    private long decisionChk;
    private int decisionMask;
    private int decisionBaseOwner;
    private int baseOwner;
    private long probeLo;
    private long probeHi;
    private long probePosition;
    private long probeFrom;
    private long fetchNext;
    /** When this member last asked for entries or received some it could use: a fetch is asked again after a pause. */
    private long fetchMovedNs;
    /** The last position asked for by the fetches in flight; two windows are kept in flight. */
    private long fetchRequestedTo;
    private long fetchWindowStart;
    /** Entries per fetch window, adapted to the entries a frame holds. */
    private int fetchWindowEntries = MIN_FETCH_WINDOW * 4;
    /** Left out of the decided epoch: aligning to its base, or following it, before asking in (B4, B6). */
    private boolean catchingUpOutside;
    /** Outside the epoch, this log agrees with the base up to {@code N}; what follows is the owner's durable log. */
    private boolean alignedOutside;
    /** The last position the fetch in progress brings in: {@code N}, or in a follow round the owner's {@code g}. */
    private long fetchTarget;
    /** How far behind the base owner's {@code g} this member was when its last follow round began, or -1. */
    private long followGap;
    private final long admissionLag;
    private final long followLag;
    /** Per requester, the rest of the window its last {@code Fetch} asked for: served a few frames a duty cycle. */
    private final long[] servingNext;
    private final long[] servingTo;
    /** When this member last published a report: a running member reports at least every few heartbeats. */
    private long lastReportSentNs;

    // Boot timing (B7): kept across epochs so the timeout backs off on repeated failure.
    private long bootStartNs;
    private long bootTimeoutNs;
    private long bootJitterNs;
    private final long jitterSeed;

    private final OwnEvents own;
    private long nextLocalSeq = 1;

    private long nowNs;
    private long lastSentNs;
    /** When each member last showed it is alive and hears this node (a hears mask with our bit): R10 reads it. */
    private final long[] lastHeardNs;
    /** When and in which epoch this coordinator last sent its decision again to each member that missed it (B6). */
    private final long[] decisionResentNs;
    private final long[] decisionResentEpoch;
    /** When each member's last valid frame of any kind arrived: what this node hears, sent as its hears mask. */
    private final long[] rawHeardNs;
    /**
     * The largest recent gap between each member's signs of life: its failure timeout grows to twice this (up to
     * {@code maxFailureTimeoutNs}), so that a member whose heartbeats come irregularly (starved, overloaded, a fresh
     * JVM compiling) is not suspected for every stall, while a regular one that stops is suspected after {@code T_fd}.
     */
    private final long[] peakGapNs;
    /** When {@link #peakGapNs} last rose or decayed. */
    private final long[] peakGapSinceNs;
    private final long maxFailureTimeoutNs;
    /** How far ahead of this member's clock a peer's counter can honestly be (see {@link #plausibleCounter}). */
    private final long counterSlack;
    private long lastMaskSentNs;
    /** Each peer's latest hears mask (from its heartbeats and reports, of any epoch): pre-vote reads it. */
    private final int[] peerHears;
    /** Active members of the decided epoch seen aligned to it (their events, promises or reports): running soon. */
    private int orderingSeenMask;

    // Test only (ProtocolDefect.PROMISE_BEFORE_EVENT): own NewEvent frames held back until after the promise.
    private final ExpandableArrayBuffer deferredFrames;
    private int deferredLength;

    public SequencerProtocol(
        final ProtocolContext context,
        final EventLog log,
        final CheckpointStore checkpoints,
        final NodeStore store,
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
        this.maxFailureTimeoutNs = context.maxFailureTimeoutNs();
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
        this.noOriginTieBreak = context.defects().contains(ProtocolDefect.NO_ORIGIN_TIE_BREAK);
        this.strictPromise = context.defects().contains(ProtocolDefect.STRICT_PROMISE);
        this.ackAtHave = context.defects().contains(ProtocolDefect.ACK_AT_HAVE);
        this.promiseBeforeEvent = context.defects().contains(ProtocolDefect.PROMISE_BEFORE_EVENT);
        this.literalCutRule = context.defects().contains(ProtocolDefect.LITERAL_CUT_RULE);
        this.noCoordinator = context.defects().contains(ProtocolDefect.NO_COORDINATOR);
        this.baseByHaveOnly = context.defects().contains(ProtocolDefect.BASE_BY_HAVE_ONLY);
        this.corruptResubmitted = context.defects().contains(ProtocolDefect.CORRUPT_RESUBMITTED_PAYLOAD);
        this.unguardedDefect = literalCutRule || noCoordinator || baseByHaveOnly;

        this.log = log;
        this.checkpoints = checkpoints;
        this.store = store;
        this.transport = transport;
        this.completionHandler = completionHandler;

        validator = new FrameValidator(maxEventLength);
        sendBuffer = new UnsafeBuffer(new byte[NewEventFrame.PAYLOAD_OFFSET + maxEventLength + 64]);
        snapshotServing = new SnapshotServing(memberCount, log, checkpoints, transport, counters, errorHandler,
            fetchBatchBytes);
        entriesBuffer = new UnsafeBuffer(
            new byte[Math.max(fetchBatchBytes, EntriesFrame.ENTRIES_OFFSET + EntriesFrame.ENTRY_HEADER_LENGTH +
            maxEventLength)]);
        memberIds = cluster.memberIds();
        promise = new long[memberCount];
        ser = new long[memberCount];
        pending = new PendingQueue[memberCount];
        for (int i = 0; i < memberCount; i++)
        {
            pending[i] = new PendingQueue(1024, 64 * 1024);
        }
        reported = new boolean[memberCount];
        reportHave = new long[memberCount];
        reportChk = new long[memberCount];
        reportLastNormalEpoch = new long[memberCount];
        reportGuaranteed = new long[memberCount];
        reportIntact = new boolean[memberCount];
        reportFresh = new boolean[memberCount];
        knownHeld = new long[memberCount];
        knownHeldEpoch = new long[memberCount];
        reportRan = new boolean[memberCount];
        reportHears = new int[memberCount];
        historyHave = new long[memberCount * REPORT_HISTORY];
        historyChk = new long[memberCount * REPORT_HISTORY];
        historyCount = new int[memberCount];
        replica = new Replica(stateMachine, memberCount, maxResultLength, errorHandler);
        own = new OwnEvents(context.maxInFlight(), maxResultLength,
            Math.max(maxEventLength * 2, context.maxInFlight() * 256));
        lastHeardNs = new long[memberCount];
        decisionResentNs = new long[memberCount];
        decisionResentEpoch = new long[memberCount];
        rawHeardNs = new long[memberCount];
        peakGapNs = new long[memberCount];
        peerHears = new int[memberCount];
        farEpoch = new long[memberCount];
        farEpochSinceNs = new long[memberCount];
        farEpochFrames = new int[memberCount];
        peakGapSinceNs = new long[memberCount];
        jitterSeed = context.jitterSeed();
        admissionLag = context.admissionLag();
        followLag = context.followLag();
        servingNext = new long[memberCount];
        servingTo = new long[memberCount];
        deferredFrames = promiseBeforeEvent ? new ExpandableArrayBuffer(4096) : null;
        bootTimeoutNs = initialBootTimeoutNs;
        java.util.Arrays.fill(droppedEventEpochs, -1);
    }

    /**
     * Start this process: finish an unroll a crash interrupted, decide whether this node's log is intact
     * (docs/protocol.md §6 and §10.1, "Knowing what was lost"), and enter boot in a new epoch (B1). A process never
     * resumes the epoch it crashed in.
     */
    public void start(final long nowNs)
    {
        if (mode != NodeMode.INIT)
        {
            throw new IllegalStateException("already started");
        }
        this.nowNs = nowNs;
        for (int i = 0; i < memberCount; i++)
        {
            lastHeardNs[i] = nowNs;
            rawHeardNs[i] = nowNs - failureTimeoutNs - 1; // heard nobody yet
        }

        final boolean lastEpochUnknown = !store.initialized();
        final long intent = store.unrollIntent();
        if (intent >= 0)
        {
            checkpoints.unrollUntil(intent);
            if (log.have() > intent)
            {
                log.unrollTo(intent, 0); // the intent was checked against g when it was recorded
            }
            store.unrollIntent(-1);
            counters.unrollsRedone++;
        }

        if (durability == Durability.BATCH && log.forcedPosition() < log.have())
        {
            // What is in the log at start survived: a process crash keeps written bytes, a power loss already took
            // the unforced tail. Forcing it now keeps ser_self and lastNormalEpoch (derived from the log) in step.
            log.force();
        }
        final String lossReason = lossAtStart();
        if (lossReason != null)
        {
            intact = false;
            store.amnesia(true); // before anything else: a later start must not forget it
            if (store.highWater() > log.have())
            {
                // The mark described the log that was lost; the loss is on record now (amnesia). Kept, it would make
                // this member not intact again at every start after it caught up, if the base it caught up to is
                // shorter than what it once held (entries it held that were never durable, cut since: seed 4133).
                store.highWater(log.have());
            }
            counters.lossesFoundAtStart++;
            errorHandler.onError(new RecoveredFault("member " + selfId + " is not intact: " + lossReason +
                ". It takes no part in choosing a base and catches up before its log counts again."));
        }
        store.bootId(bootId);
        if (!fresh)
        {
            // A fresh node records its log only once it knows the cluster never ran (appendEpochStart): if it is
            // refused, a restart without bootstrap must still find it uninitialized, hence lost.
            store.logId(log.logId());
            store.initialize();
        }

        if (!intact && memberCount == 1 && durability == Durability.NONE && !acceptDataLoss)
        {
            mode = NodeMode.STOPPED;
            counters.fatalErrors++;
            throw new IllegalStateException("member " + selfId + " is the only member and its log is not intact " +
                "(the machine rebooted or the disk was lost under durability none): acknowledged events may be gone. " +
                "Start with acceptDataLoss to run on what is left.");
        }
        guaranteed = intact ? Math.min(store.guaranteed(), log.have()) : 0;
        lastNormalEpoch = epochOfLastEpochStart();
        maxKnownEpoch = Math.max(store.currentEpoch(), lastNormalEpoch);
        stateValid = false;

        if (lastEpochUnknown && !fresh && memberCount > 1)
        {
            // B1: a restarted process enters an epoch above any it was in, and this one cannot know which it was in
            // (its node state is new or lost, and it does not bootstrap a new cluster, §10.2). Epochs only rise and
            // every running member sends within T_hb, so what it hears in T_fd shows an epoch at or above all it can
            // have been in: it enters one above that. Entered at once, a low epoch could be one its earlier life was
            // in, and a delayed or replayed decision of it would have this process order there again, differently
            // (found by the simulator: I2).
            listening = true;
            listenUntilNs = nowNs + failureTimeoutNs;
            return;
        }
        enterBoot(nextEpochForLocalTrigger(), EpochTrigger.START, -1);
    }

    /**
     * Whether this node may have lost log entries it once held (docs/protocol.md, "Knowing what was lost"), and why.
     *
     * @return null when the node is intact; otherwise the reason, for the error log.
     */
    private String lossAtStart()
    {
        if (!store.initialized())
        {
            if (bootstrap && log.have() == 0)
            {
                fresh = true;
                return null;
            }
            return log.have() == 0 ? "its node state is new or was lost, and it was not started to bootstrap a new " +
                "cluster" : "its node state is new or was lost while its log holds " + log.have() + " entries";
        }
        if (store.logId() != 0 && store.logId() != log.logId())
        {
            return "its log (id " + Long.toHexString(log.logId()) + ") is not the log its node state belongs to (id " +
                Long.toHexString(store.logId()) + "): the log directory was lost, replaced or restored";
        }
        if (log.have() < store.highWater())
        {
            return "its log holds " + log.have() + " entries, fewer than the " + store.highWater() +
                " it was known to hold: entries were cut or lost";
        }
        if (log.damagedAtOpen())
        {
            return "its log was damaged beyond a torn last write (entries were dropped at open)";
        }
        if (durability == Durability.NONE && store.bootId() != bootId)
        {
            return "the machine rebooted since the log was written under durability none: " +
                "its unforced tail may be gone";
        }
        if (store.amnesia())
        {
            return "an earlier start found it not intact and it has not caught up since";
        }
        return null;
    }

    private long epochOfLastEpochStart()
    {
        final long position = log.lastEpochStartPosition();
        if (position == 0)
        {
            return log.baseEpoch(); // discarded by retention or below an installed snapshot: the log keeps its epoch
        }
        log.read(position, entry);
        return entry.epoch();
    }

    /** The epoch a local trigger moves to: above all known, skipping coordinators that cannot decide it. */
    private long nextEpochForLocalTrigger()
    {
        return nextEpoch(true);
    }

    /**
     * The next epoch above all known whose coordinator can decide it: a silent peer cannot, nor this member when it is
     * not intact, nor, with {@code selfMayCoordinate} false, at all while another able coordinator comes first. A
     * member asking in passes false: it has just started or has been away, its view is the stalest and, freshly
     * started, it is the slowest to decide, while the running members wait for the decision within {@code T_boot}.
     */
    private long nextEpoch(final boolean selfMayCoordinate)
    {
        final long epoch = maxKnownEpoch + 1;
        for (int k = 0; k < memberCount; k++)
        {
            final int coordinator = coordinatorIndex(epoch + k);
            final boolean able = coordinator == selfIndex ? selfMayCoordinate && intact : !isSilent(coordinator);
            if (able)
            {
                return epoch + k;
            }
        }
        return selfMayCoordinate ? epoch : nextEpoch(true);
    }

    private int coordinatorIndex(final long epoch)
    {
        return (int)(epoch % memberCount);
    }

    /** B1: persist the epoch, clear the epoch's state, report. */
    private void enterBoot(final long requestedEpoch, final EpochTrigger requestedTrigger, final int memberIndex)
    {
        // §10.3: never an epoch some of whose events this member dropped as too far ahead, however it comes to enter
        // one (adopted or its own trigger): ordering there could pass over them (I2). The next one instead.
        long epoch = requestedEpoch;
        while (droppedEventsOf(epoch))
        {
            epoch++;
        }
        final EpochTrigger trigger = epoch != requestedEpoch ? EpochTrigger.EVENTS_MISSED : requestedTrigger;
        if (epoch <= currentEpoch)
        {
            throw new IllegalStateException("epoch must rise: " + currentEpoch + " -> " + epoch);
        }
        final long previousEpoch = currentEpoch;
        final boolean wasDecided = decided;
        if (decided && lastNormalEpoch == currentEpoch)
        {
            for (int i = 0; i < memberCount; i++)
            {
                if (i != selfIndex && ser[i] > 0)
                {
                    // Up to g only: no alignment ever cuts a member's log below it, so what a member held up to g it
                    // holds in every later epoch unless it lost entries.
                    knownHeld[i] = Math.min(ser[i], guaranteed);
                    knownHeldEpoch[i] = currentEpoch;
                }
            }
        }
        // The high-water mark is what survives any crash this policy covers: a later open must find it. A fresh
        // member records nothing of its log before it knows the cluster is new.
        store.epochChange(epoch, guaranteed, store.initialized() ? serSelf() : 0);
        currentEpoch = epoch;
        maxKnownEpoch = Math.max(maxKnownEpoch, epoch);
        counters.epochChanges++;

        mode = NodeMode.BOOT;
        phase = BootPhase.COLLECTING;
        activeMask = 0;
        orderingSeenMask = 0;
        decided = false;
        catchingUpOutside = false;
        alignedOutside = false;
        followGap = -1;
        clock = 0;
        lastPromiseSent = 0;
        arrivals = 0;
        ownTickPending = false;
        maxProposedTimeNs = 0;
        for (int i = 0; i < memberCount; i++)
        {
            promise[i] = 0;
            ser[i] = 0;
            pending[i].clear();
            reported[i] = false;
            historyCount[i] = 0;
            servingNext[i] = 0; // a window of an earlier epoch: its requester asks again in this one
            snapshotServing.stop(i);
        }
        deferredLength = 0;
        replayAheadStopped = false;
        transferWanted = false;
        quorumSinceNs = -1;
        decisionMissedSinceNs = -1;
        decisionRefused = false;
        decisionPending = false;
        bootStartNs = nowNs;
        epochEnteredNs = nowNs;
        if (wasDecided || waitingSinceNs == Long.MIN_VALUE)
        {
            // a wait for a decision starts; an epoch change from an undecided epoch goes on with the same wait
            waitingSinceNs = nowNs;
            waitingReportDueNs = nowNs + WAITING_FIRST_NS;
        }
        bootJitterNs = bootJitter(epoch);
        reportDue = true;
        recordOwnReport();
        listener.onEpochEntered(previousEpoch, epoch, trigger, memberIndex < 0 ? -1 : memberIds[memberIndex]);
    }

    /**
     * B7's jitter: up to half the boot timeout, different for each member and epoch, so that members whose timers
     * started together do not give up in lock-step (a cycle of epochs nobody completes).
     */
    private long bootJitter(final long epoch)
    {
        long h = jitterSeed ^ (epoch * 0x9E3779B97F4A7C15L) ^ ((long)selfId << 32);
        h = (h ^ (h >>> 33)) * 0xFF51AFD7ED558CCDL;
        h = (h ^ (h >>> 33)) * 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return Long.remainderUnsigned(h, Math.max(1, bootTimeoutNs / 2));
    }

    /** The coordinator counts its own report like any other. */
    private void recordOwnReport()
    {
        final long have = serSelf();
        reported[selfIndex] = true;
        reportHave[selfIndex] = have;
        reportChk[selfIndex] = log.chkAt(have);
        reportLastNormalEpoch[selfIndex] = lastNormalEpoch;
        reportGuaranteed[selfIndex] = guaranteed;
        reportIntact[selfIndex] = intact;
        reportFresh[selfIndex] = fresh;
        reportRan[selfIndex] = holdsEvents() || guaranteed > 0;
    }

    /** Whether this log holds an event after its last {@code EpochStart}: then the cluster has run. */
    private boolean holdsEvents()
    {
        return log.have() > log.lastEpochStartPosition();
    }

    /**
     * A local trigger (R10, B7, a member asking in): move to a new epoch.
     *
     * @param memberIndex the member the trigger concerns, or -1.
     */
    private boolean startEpochChange(final EpochTrigger trigger, final int memberIndex)
    {
        // A lost or renewed stream is the exception: frames of this epoch may be gone, and staying in it would let
        // this member order past them (I2). It leaves at once, once per signal, which inflates nothing. So does a
        // member that must not order in this epoch at all (events of it dropped, or a refused bootstrap).
        final boolean mustLeave = trigger == EpochTrigger.STREAM_LOST || trigger == EpochTrigger.STREAM_RENEWED ||
            trigger == EpochTrigger.EVENTS_MISSED || trigger == EpochTrigger.BOOTSTRAP_REFUSED;
        if (mode != NodeMode.RUNNING && !hearsQuorum() && !mustLeave)
        {
            // Check-quorum: a node that cannot hear a quorum cannot complete an epoch; moving again and again would
            // only inflate its epoch. A running node still steps down once (it stops taking submits), and peers do
            // not follow it there before it hears a quorum (pre-vote, onFrame). It waits until it hears enough.
            counters.epochChangesDeferred++;
            return false;
        }
        enterBoot(nextEpoch(trigger != EpochTrigger.ASKING_IN), trigger, memberIndex);
        return true;
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
        if (!propose(EntryType.EVENT, nextLocalSeq, event, offset, length))
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
     * R1 for a new or resubmitted own event, or a tick (§12): take the next counter and this member's time, tell the
     * others, join {@code pending}.
     */
    private boolean propose(
        final int entryType, final long localSeq, final DirectBuffer event, final int offset, final int length)
    {
        final long counter = clock + 1;
        final long timestamp = epochClock.nanoTime();
        maxProposedTimeNs = Math.max(maxProposedTimeNs, timestamp);
        if (memberCount > 1)
        {
            newEventFrame.encode(sendBuffer, 0, selfId, clusterId, currentEpoch, incarnation, localSeq, counter,
                entryType, timestamp, event, offset, length);
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
                    return false;
                }
                lastPromiseSent = counter;
            }
        }
        clock = counter;
        pending[selfIndex].add(counter, incarnation, localSeq, arrivals++, entryType, timestamp, event, offset, length);
        return true;
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
        final int sender = cluster.indexOf(FrameHeader.senderId(buffer, offset));
        if (sender < 0)
        {
            counters.dropped(DropReason.UNKNOWN_SENDER.ordinal());
            return;
        }
        if (sender == selfIndex)
        {
            return; // our own frame looped back by a multicast transport
        }
        final long epoch = FrameHeader.epoch(buffer, offset);
        if (listening && epoch <= maxKnownEpoch + MAX_EPOCH_STEP)
        {
            // Learning the epochs in use before entering one (B1); the sender counts as heard at that entry.
            maxKnownEpoch = Math.max(maxKnownEpoch, epoch);
            lastHeardNs[sender] = nowNs;
            rawHeardNs[sender] = nowNs;
            return;
        }
        if (mode == NodeMode.INIT || mode == NodeMode.STOPPED)
        {
            counters.dropped(DropReason.UNEXPECTED.ordinal());
            return;
        }
        if (epoch > Math.max(maxKnownEpoch + MAX_EPOCH_STEP, widenedEpochTop))
        {
            counters.dropped(DropReason.BAD_FIELD.ordinal());
            noteFarEpoch(sender, epoch);
            if (type == MessageType.NEW_EVENT)
            {
                noteDroppedEventEpoch(epoch);
            }
            return;
        }
        rawHeardNs[sender] = nowNs;
        final boolean carriesHears = type == MessageType.MY_ORDER_COUNTER || type == MessageType.MY_SERIALIZE_COUNTER;
        final int senderHears = carriesHears ? hearsMaskOf(type, buffer, offset, length) : 0;
        if (carriesHears)
        {
            peerHears[sender] = senderHears;
        }
        if ((senderHears & (1 << selfIndex)) != 0)
        {
            // A sign of life is a frame of a member that hears us, even one of a stale epoch: a member that can send
            // but not receive is of no use to an epoch, and counting it alive would keep it in one it stalls.
            notePeerGap(sender, nowNs - lastHeardNs[sender]);
            lastHeardNs[sender] = nowNs;
        }
        if (epoch == currentEpoch && decided && (type == MessageType.NEW_EVENT ||
            type == MessageType.MY_ORDER_COUNTER ||
            (type == MessageType.MY_SERIALIZE_COUNTER && serializeCounterFrame.lastNormalEpoch() == epoch)))
        {
            // Only a member aligned to this epoch sends these (a report says so by its lastNormalEpoch; the wrap
            // above, for the hears mask, is the frame's).
            orderingSeenMask |= 1 << sender;
        }
        if (epoch < currentEpoch)
        {
            if (type == MessageType.NEW_NODE)
            {
                onNewNode(sender);
            }
            else
            {
                counters.dropped(DropReason.STALE_EPOCH.ordinal());
            }
            return;
        }
        if (epoch > currentEpoch)
        {
            if ((carriesHears || type == MessageType.DEL_NODE) &&
                Integer.bitCount(peerHears[sender] & allMembersMask()) < quorum)
            {
                // Pre-vote: a member that does not hear a quorum cannot complete an epoch, so its epoch is not
                // followed; it is adopted once the sender hears enough members. A suspicion carries no hears mask:
                // the sender's latest one is taken (a deaf member's DelNode pulled the others into its epochs). A
                // NewNode is not held back: its sender asks in only once it hears the whole active set.
                counters.epochAdoptionsRefused++;
                return;
            }
            counters.epochAdoptions++;
            maxKnownEpoch = Math.max(maxKnownEpoch, epoch);
            // adopt: never chase upwards, take exactly the sender's epoch
            enterBoot(epoch, EpochTrigger.ADOPTED, sender);
            if (currentEpoch != epoch)
            {
                return; // it went above: events of that epoch were dropped as too far ahead (§10.3); a stale frame now
            }
        }

        switch (type)
        {
            case MessageType.NEW_EVENT:
                if (acceptsEpochTraffic(sender))
                {
                    onNewEvent(sender, buffer, offset, length);
                }
                break;

            case MessageType.MY_ORDER_COUNTER:
                if (acceptsEpochTraffic(sender))
                {
                    orderCounterFrame.wrap(buffer, offset, length);
                    if (!plausibleCounter(orderCounterFrame.counter()))
                    {
                        counters.dropped(DropReason.BAD_FIELD.ordinal());
                        break;
                    }
                    promise[sender] = Math.max(promise[sender], orderCounterFrame.counter()); // R3
                }
                break;

            case MessageType.MY_SERIALIZE_COUNTER:
                onSerializeCounter(sender, buffer, offset, length);
                break;

            case MessageType.NEW_NODE:
                onNewNode(sender);
                break;

            case MessageType.DEL_NODE:
                break; // its epoch was adopted above; the coordinator leaves out whoever does not report

            case MessageType.CLUSTER_NODES:
                onClusterNodes(sender, buffer, offset, length);
                break;

            case MessageType.FETCH:
                fetchFrame.wrap(buffer, offset, length);
                if (fetchFrame.target() == selfId)
                {
                    switch (fetchFrame.kind())
                    {
                        case FetchFrame.ENTRIES:
                            onFetch(sender, fetchFrame.from(), fetchFrame.to());
                            break;
                        case FetchFrame.SNAPSHOT:
                            servingNext[sender] = 0;
                            if (!snapshotServing.request(sender, fetchFrame.from(), fetchFrame.to()))
                            {
                                offerSnapshot(sender);
                            }
                            break;
                        default:
                            snapshotServing.damaged(sender, fetchFrame.from(), nowNs);
                    }
                }
                break;

            case MessageType.SNAPSHOT:
                snapshotFrame.wrap(buffer, offset, length);
                if (snapshotFrame.target() == selfId)
                {
                    onSnapshot(sender);
                }
                break;

            case MessageType.ENTRIES:
                entriesFrame.wrap(buffer, offset, length);
                if (entriesFrame.target() == selfId)
                {
                    onEntries(sender);
                }
                break;

            default:
                counters.dropped(DropReason.UNEXPECTED.ordinal());
                break;
        }
    }

    /**
     * Whether a {@code NewEvent} or {@code MyOrderCounter} of the current epoch from {@code sender} is taken in.
     * Before the decision, traffic of the epoch is buffered (the sender may be running already); traffic from the
     * coordinator itself means the decision went out before this node listened, so it asks to be admitted.
     */
    private boolean acceptsEpochTraffic(final int sender)
    {
        if (decided)
        {
            if (!isActive(sender) || !isActive(selfIndex))
            {
                counters.dropped(DropReason.NOT_ACTIVE.ordinal());
                return false;
            }
            return true;
        }
        if (sender == coordinatorIndex(currentEpoch) && !noCoordinator)
        {
            decisionMissed();
            return false;
        }
        return true;
    }

    /**
     * The coordinator runs in this epoch, and this member holds no decision of it: the decision went out before it
     * listened (a restarted member adopts a running epoch). It reports, marked undecided, and the coordinator sends
     * the decision again (B6); asking in at once would end an epoch that has just started running, and a member far
     * behind would be left out again and ask in twice. If no decision comes within {@code T_boot}, it asks in.
     */
    private void decisionMissed()
    {
        if (decisionMissedSinceNs < 0)
        {
            decisionMissedSinceNs = nowNs;
            reportDue = true;
        }
    }

    /** Left out of the decided epoch: move to the next one and say so with {@code NewNode}. */
    private void askToBeAdmitted()
    {
        if (!startEpochChange(EpochTrigger.ASKING_IN, -1))
        {
            return; // asked again at the next sign of the decided epoch, once this node hears a quorum
        }
        counters.admissionRequests++;
        newNodeFrame.encode(
            sendBuffer, 0, selfId, clusterId, currentEpoch, selfId, incarnation, currentEpoch, serSelf(),
            lastNormalEpoch);
        publish(MessageType.NEW_NODE, newNodeFrame.encodedLength());
    }

    /** A member outside the decided epoch asks in: start the next epoch so it can be admitted. */
    private void onNewNode(final int sender)
    {
        if (decided && !isActive(sender))
        {
            startEpochChange(EpochTrigger.PEER_ASKED_IN, sender);
        }
    }

    /** R2: a peer's event joins {@code pending}; our clock moves past it. */
    private void onNewEvent(final int sender, final DirectBuffer buffer, final int offset, final int length)
    {
        newEventFrame.wrap(buffer, offset, length);
        final long counter = newEventFrame.counter();
        if (!plausibleCounter(counter))
        {
            counters.dropped(DropReason.BAD_FIELD.ordinal());
            return;
        }
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
        maxProposedTimeNs = Math.max(maxProposedTimeNs, newEventFrame.timestamp());
        pending[sender].add(
            counter, newEventFrame.incarnation(), newEventFrame.localSeq(), arrivals++, newEventFrame.entryType(),
            newEventFrame.timestamp(), newEventFrame.buffer(), newEventFrame.payloadOffset(),
            newEventFrame.payloadLength());
    }

    /**
     * A report: in boot it is the state report the coordinator collects (B2); once the sender has aligned to this
     * epoch it is R8's serialized position, which counts towards {@code g} only if it agrees with our log.
     */
    private void onSerializeCounter(final int sender, final DirectBuffer buffer, final int offset, final int length)
    {
        serializeCounterFrame.wrap(buffer, offset, length);
        final long have = serializeCounterFrame.have();
        final long senderLastNormalEpoch = serializeCounterFrame.lastNormalEpoch();
        if (fresh && serializeCounterFrame.showsClusterRan())
        {
            refuseBootstrap("member " + memberIds[sender] + " reports a log of " + have + " entries, last epoch " +
                senderLastNormalEpoch);
            return; // a report of the epoch it left
        }
        if (!decided)
        {
            if (senderLastNormalEpoch == currentEpoch && sender == coordinatorIndex(currentEpoch) && !noCoordinator)
            {
                decisionMissed(); // the coordinator aligned to a decision this node never received
                return;
            }
            reported[sender] = true;
            reportHave[sender] = have;
            reportChk[sender] = serializeCounterFrame.chkAtHave();
            reportLastNormalEpoch[sender] = senderLastNormalEpoch;
            reportGuaranteed[sender] = serializeCounterFrame.guaranteed();
            reportIntact[sender] = serializeCounterFrame.intact();
            reportFresh[sender] = serializeCounterFrame.isFresh();
            reportRan[sender] = serializeCounterFrame.showsClusterRan();
            reportHears[sender] = serializeCounterFrame.hearsMask();
            return;
        }
        if (serializeCounterFrame.isUndecided() && selfIndex == coordinatorIndex(currentEpoch) && !noCoordinator &&
            (decisionResentEpoch[sender] != currentEpoch || nowNs - decisionResentNs[sender] >= heartbeatIntervalNs) &&
            publishDecisionFrame())
        {
            // B6: the sender missed this epoch's decision (it adopted the epoch after the decision went out): the same
            // decision again, at most once a heartbeat per member.
            decisionResentEpoch[sender] = currentEpoch;
            decisionResentNs[sender] = nowNs;
            counters.decisionsResent++;
        }
        if (senderLastNormalEpoch != currentEpoch || !isActive(sender))
        {
            return; // sent before the sender aligned to this epoch: not counted
        }
        reported[sender] = true;
        reportLastNormalEpoch[sender] = senderLastNormalEpoch;
        rememberReport(sender, have, serializeCounterFrame.chkAtHave(), serializeCounterFrame.guaranteed());
        if (phase == BootPhase.ALIGNED || mode == NodeMode.RUNNING)
        {
            countReport(sender);
            updateGuaranteed();
        }
    }

    /** Keep an aligned member's report until this node's log reaches its {@code have} and can check it (R8). */
    private void rememberReport(final int sender, final long have, final long chk, final long reportedGuaranteed)
    {
        final int base = sender * REPORT_HISTORY;
        if (historyCount[sender] == REPORT_HISTORY)
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
        final int base = sender * REPORT_HISTORY;
        final int count = historyCount[sender];
        System.arraycopy(historyHave, base + n, historyHave, base, count - n);
        System.arraycopy(historyChk, base + n, historyChk, base, count - n);
        historyCount[sender] = count - n;
    }

    /**
     * R8: count the newest remembered report of an aligned member that this node can check, once this node is
     * aligned too: its {@code chk} must match this log at its {@code have}. A report above this log waits until the
     * log reaches it: counted unchecked it would let one forged or diverged report make an entry that only this node
     * holds look durable.
     */
    private void countReport(final int sender)
    {
        final int count = historyCount[sender];
        final int base = sender * REPORT_HISTORY;
        final long logHave = log.have();
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
        if (have < log.base())
        {
            dropReports(sender, k + 1); // below what this log holds: it cannot be checked, and is not counted
            return;
        }
        if (log.chkAt(have) != historyChk[base + k])
        {
            counters.reportChkMismatches++;
            dropReports(sender, k + 1);
            return;
        }
        dropReports(sender, k + 1);
        if (have > ser[sender])
        {
            ser[sender] = have;
        }
        // A peer's watermark is knowledge this node may adopt, but only as far as it has checked the peer's log.
        final long adoptable = Math.min(reportGuaranteed[sender], ser[sender]);
        if (adoptable > guaranteed)
        {
            guaranteed = adoptable;
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
    private void refuseBootstrap(final String evidence)
    {
        fresh = false;
        intact = false;
        store.amnesia(true);
        store.logId(log.logId());
        store.initialize();
        reportIntact[selfIndex] = false;
        reportFresh[selfIndex] = false;
        counters.bootstrapRefusals++;
        errorHandler.onError(new RecoveredFault("member " + selfId + " was started to bootstrap a new cluster, but " +
            "the cluster has already run (" + evidence + "): bootstrap refused. It continues as a member whose disk " +
            "was lost: not intact, it catches up before its log counts."));
        startEpochChange(EpochTrigger.BOOTSTRAP_REFUSED, -1);
    }

    /** B4 receiver side: act only on the first decision of this epoch from its coordinator. */
    private void onClusterNodes(final int sender, final DirectBuffer buffer, final int offset, final int length)
    {
        clusterNodesFrame.wrap(buffer, offset, length);
        if (decided || noCoordinator || sender != coordinatorIndex(currentEpoch) ||
            clusterNodesFrame.newEpoch() != currentEpoch)
        {
            counters.dropped(DropReason.UNEXPECTED.ordinal());
            return;
        }
        if (clusterNodesFrame.memberCount() != memberCount)
        {
            counters.dropped(DropReason.BAD_FIELD.ordinal());
            return;
        }
        for (int i = 0; i < memberCount; i++)
        {
            if (clusterNodesFrame.memberId(i) != memberIds[i])
            {
                counters.dropped(DropReason.BAD_FIELD.ordinal()); // a membership change this node cannot follow
                return;
            }
        }
        applyDecision(
            clusterNodesFrame.n(), clusterNodesFrame.chkAtN(), clusterNodesFrame.activeMask(),
            cluster.indexOf(clusterNodesFrame.baseOwner()));
    }

    /** B4/B5: the epoch is decided; a member of the new active set starts aligning to the base. */
    private void applyDecision(final long n, final long chkAtN, final int mask, final int baseOwnerIndex)
    {
        decided = true;
        activeMask = mask;
        bootStartNs = nowNs; // B7 times the alignment from the decision: a late decision is not a stuck epoch
        listener.onDecided(currentEpoch, memberIds[coordinatorIndex(currentEpoch)], mask, memberIds[baseOwnerIndex], n);
        decisionN = n;
        decisionChk = chkAtN;
        baseOwner = baseOwnerIndex;
        for (int i = 0; i < memberCount; i++)
        {
            if (!isActive(i))
            {
                pending[i].clear();
                ownTickPending &= i != selfIndex;
            }
        }
        if (!isActive(selfIndex))
        {
            if (baseOwnerIndex != selfIndex)
            {
                // Left out: align to the base and follow the owner's durable log while the active set runs, then
                // ask in; the epoch that admits it then waits only for the last few entries (docs/protocol.md, §10.5).
                catchingUpOutside = true;
                counters.catchUpsOutside++;
            }
            else
            {
                if (hearsAllActive())
                {
                    askToBeAdmitted(); // B6: left out; ask to be admitted in the next epoch
                }
                return; // otherwise bootWork asks once this node hears every member of the active set
            }
        }
        if (!intact)
        {
            store.amnesia(true);
        }

        final long common = Math.min(log.have(), n);
        if (common == n && n >= log.base() && log.chkAt(n) == chkAtN)
        {
            alignedUpTo(n);
        }
        else if (n < log.base())
        {
            // A base below what this log still holds: only a member that lost what it held gets here (an intact
            // one's log base is at or below its g, which no decision goes below). Refuse it; the next epoch decides.
            counters.decisionsRefused++;
            errorHandler.onError(new RecoveredFault("member " + selfId + " refuses the decision of epoch " +
                currentEpoch + ": its base N=" + n + " lies below this log's base " + log.base() + "; next epoch"));
            startEpochChange(EpochTrigger.DECISION_REFUSED, -1);
        }
        else if (baseOwnerIndex == selfIndex)
        {
            // The decision rests on a report this process did not make: one of an earlier incarnation of this
            // member, delivered late (its disk has since been lost or cut). Refuse it and move on: nobody can
            // align to a base this node cannot serve.
            counters.staleDecisions++;
            errorHandler.onError(new RecoveredFault("member " + selfId + " named base owner of epoch " +
                currentEpoch + " with N=" + n + ", which its log does not hold (a stale report): next epoch"));
            startEpochChange(EpochTrigger.DECISION_REFUSED, -1);
        }
        else
        {
            phase = BootPhase.PROBING;
            probeLo = log.base(); // every entry up to the base was committed: canonical (§13)
            probeHi = common + 1;
            probePosition = common;
            if (probePosition == probeLo)
            {
                alignedUpTo(probeLo);
            }
            else
            {
                listener.onProbing(currentEpoch, memberIds[baseOwnerIndex], probePosition);
                sendProbe(probePosition);
            }
        }
    }

    /**
     * B5: the log agrees with the base up to {@code agreed}: unroll what lies above, rebuild the state, then fetch
     * the rest of the base.
     */
    private void alignedUpTo(final long agreed)
    {
        if (agreed < Math.min(guaranteed, log.have()) && intact && !unguardedDefect)
        {
            // Following this decision would cut entries known durable. Honest reports never lead here; forged or
            // garbled ones may: refuse the decision, keep the log, and let the next epoch decide again.
            counters.decisionsRefused++;
            errorHandler.onError(new RecoveredFault("member " + selfId + " refuses the decision of epoch " +
                currentEpoch + ": its base diverges from this log at " + (agreed + 1) +
                ", below the durable watermark g=" + guaranteed + "; next epoch"));
            startEpochChange(EpochTrigger.DECISION_REFUSED, -1);
            return;
        }
        if (agreed < log.base())
        {
            requestTransfer(agreed, true, "it diverges from the base at " + (agreed + 1) + ", below this log's base " +
                log.base());
            return;
        }
        if (log.have() > agreed)
        {
            counters.unrolledEntries += log.have() - agreed;
            if (store.highWater() > agreed)
            {
                store.highWater(agreed); // lowered first: a crash inside the cut must not read as lost entries
            }
            store.unrollIntent(agreed);
            checkpoints.unrollUntil(agreed);
            log.unrollTo(agreed, unguardedDefect || !intact ? 0 : guaranteed);
            store.unrollIntent(-1);
            own.unserializeFrom(agreed + 1);
            counters.unrolls++;
            lastNormalEpoch = epochOfLastEpochStart();
        }
        if (installAt > agreed)
        {
            // still fetching up to an installed snapshot: its checkpoint is restored when the log reaches it
            if (installAt > decisionN)
            {
                requestTransfer(agreed, false, "the installed snapshot at " + installAt + " lies above this epoch's " +
                    "base N=" + decisionN);
                return;
            }
        }
        else
        {
            rebuildStateTo(agreed);
            if (!stateValid)
            {
                final long installed = installedAbove(agreed);
                if (installed > 0 && installed <= decisionN)
                {
                    installAt = installed; // a restart between an install and its restore: the fetch goes on to it
                }
                else
                {
                    requestTransfer(agreed, true, "no checkpoint at or above this log's base " + log.base() +
                        " loads");
                    return;
                }
            }
        }
        fetchNext = agreed + 1;
        fetchTarget = decisionN;
        if (fetchNext > fetchTarget)
        {
            appendEpochStart();
        }
        else
        {
            phase = BootPhase.FETCHING;
            fetchStarted();
            listener.onFetching(currentEpoch, memberIds[baseOwner], fetchNext, decisionN);
            sendFetchWindow(fetchNext);
        }
    }

    /** Bring the state machine to exactly {@code position}: reuse it, or reset, restore a checkpoint, replay. */
    private void rebuildStateTo(final long position)
    {
        if (!stateValid || replica.appliedUpTo() > position)
        {
            restoreCheckpointAtOrBelow(position);
        }
        replayTo(position);
    }

    /**
     * While this member waits in boot (for reports, a decision, a probe's answer) after a start, replay its log into
     * the state machine, at most {@link #REPLAY_AHEAD_PER_CYCLE} entries a duty cycle, up to {@code g} or
     * {@link #REPLAY_AHEAD_MARGIN} entries short of its end, whichever is further: no alignment of an intact member
     * cuts below {@code g} (B5), and one that cuts further back than the margin (a tail that was never durable is a
     * few entries long) only costs the replay again (rebuildStateTo resets). The alignment then replays only what
     * lies above. A restarted member replayed up to a checkpoint interval of entries at alignment, on code not yet
     * compiled: most of the second between its start and running (KillCycleFigures); its persisted {@code g} may be
     * far behind, as it is written at epoch changes.
     *
     * @return 1 when it replayed, else 0.
     */
    private int replayAhead()
    {
        final long bound = intact ? Math.max(Math.min(log.have(), guaranteed), log.have() - REPLAY_AHEAD_MARGIN) : 0;
        if (stateValid && replica.appliedUpTo() >= bound)
        {
            return 0;
        }
        if (!stateValid)
        {
            if (bound < log.base() || replayAheadStopped)
            {
                return 0; // nothing to rebuild from below the bound: the alignment asks for a snapshot (§13)
            }
            // the newest checkpoint, even above the bound: checkpoints are of committed entries only (§5), which no
            // alignment of an intact member cuts, and the snapshot thread keeps only the newest few
            restoreCheckpointAtOrBelow(intact ? log.have() : 0);
            replayAheadStopped = !stateValid;
        }
        replayTo(Math.min(bound, replica.appliedUpTo() + REPLAY_AHEAD_PER_CYCLE));
        return 1;
    }

    /**
     * Reset the replica and restore the newest sound checkpoint at or below a position: one whose recorded {@code chk}
     * is the log's there, whose every chunk passes its check, and which the state machine takes (§5).
     */
    private void restoreCheckpointAtOrBelow(final long position)
    {
        replica.reset();
        long checkpoint = checkpoints.latestAtOrBelow(position);
        while (checkpoint > 0 && checkpoint >= log.base())
        {
            String damage = "does not match the log";
            if (checkpoints.recordedWith(checkpoint, log.chkAt(checkpoint)))
            {
                try (CheckpointFile.Reader reader = checkpoints.open(checkpoint))
                {
                    // the file's own header too: it may have changed since the index was read
                    damage = reader == null ? "is damaged or gone" :
                        reader.position() != checkpoint || reader.chk() != log.chkAt(checkpoint) ?
                        "does not match the log" : replica.restore(reader, checkpoint);
                }
            }
            if (damage == null)
            {
                counters.checkpointsLoaded++;
                break;
            }
            counters.checkpointsSkipped++;
            errorHandler.onError(new RecoveredFault("checkpoint at " + checkpoint + " " + damage + ": skipped"));
            checkpoint = checkpoints.latestAtOrBelow(checkpoint - 1);
        }
        // without a checkpoint, a replay from position 1: impossible once the log starts above it (§13)
        stateValid = replica.appliedUpTo() >= log.base();
    }

    /** Apply the log's entries after the replica's up to {@code position}: a replay, nothing completes. */
    private void replayTo(final long position)
    {
        if (!stateValid)
        {
            return;
        }
        for (long p = replica.appliedUpTo() + 1; p <= position; p++)
        {
            log.read(p, entry);
            applyEntry(entry.position(), entry.type(), entry.timestamp(), entry.originId(), entry.incarnation(),
                entry.localSeq(),
                entry.payload(), entry.payloadOffset(), entry.payloadLength(), false);
            counters.replayed++;
        }
    }

    /**
     * Apply an entry that is now in the log at {@code position}: the state machine for events, the deduplication
     * index, a checkpoint every {@code K} positions.
     *
     * @return the completion status; the result is in {@link #resultBuffer}, its length in {@link #resultLength}.
     */
    private int applyEntry(
        final long position,
        final int type,
        final long timestamp,
        final int originId,
        final long eventIncarnation,
        final long localSeq,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength,
        final boolean trackOwn)
    {
        final int status = replica.apply(position, type, timestamp, cluster.indexOf(originId), eventIncarnation,
            localSeq, payload, payloadOffset, payloadLength);
        counters.applyErrors = replica.applyErrors();
        counters.timersFired = replica.timers().fired();
        if (trackOwn)
        {
            trackOwn(position, type, originId, eventIncarnation, localSeq, status, replica.result(),
                replica.resultLength());
        }
        return status;
    }

    /** An own event of this process is in the log at {@code position}: it completes from there once durable. */
    private void trackOwn(
        final long position,
        final int type,
        final int originId,
        final long eventIncarnation,
        final long localSeq,
        final int status,
        final DirectBuffer result,
        final int resultLength)
    {
        if (type == EntryType.EVENT && originId == selfId && eventIncarnation == incarnation)
        {
            final long next = own.nextUnserializedLocalSeq();
            if (next == localSeq)
            {
                own.onSerialized(localSeq, position, status, result, resultLength);
            }
            else if (position <= refetchedUpTo && (next < 0 || localSeq < next))
            {
                // fetched again after an install, at the place it had: serialized before, its result kept (§13)
            }
            else
            {
                fatal("own event " + localSeq + " at " + position + " is not the next one waiting (" +
                    own.nextUnserializedLocalSeq() + ")");
            }
        }
    }

    /**
     * A divergence probe (B5): the base owner's entries up to {@code position}, from up to {@link #PROBE_WINDOW}
     * below it (never at or below a position known to agree). Their checksums settle in one round trip a divergence
     * inside the window, where most are; a binary search finds the others.
     */
    private void sendProbe(final long position)
    {
        fetchMovedNs = nowNs;
        probeFrom = Math.max(probeLo + 1, position - PROBE_WINDOW + 1);
        fetchFrame.encode(sendBuffer, 0, selfId, clusterId, currentEpoch, memberIds[baseOwner], probeFrom, position);
        publish(MessageType.FETCH, fetchFrame.encodedLength());
    }

    /**
     * Ask the base owner for the window of entries from {@code from} (B5). Each answer is several frames long, and a
     * second window is asked for while the first arrives, so catch-up is not one round trip per frame.
     */
    private void sendFetchWindow(final long from)
    {
        final long to = Math.min(fetchTarget, from + fetchWindowEntries - 1);
        fetchMovedNs = nowNs;
        fetchWindowStart = from;
        fetchRequestedTo = to;
        fetchFrame.encode(sendBuffer, 0, selfId, clusterId, currentEpoch, memberIds[baseOwner], from, to);
        publish(MessageType.FETCH, fetchFrame.encodedLength());
    }

    /** The probe learnt something (B5): aligned once it has narrowed to one position, else probe on. */
    private void probeNext()
    {
        bootStartNs = nowNs; // progress (B7)
        if (probeHi - probeLo <= 1)
        {
            alignedUpTo(probeLo);
        }
        else
        {
            // The rest fits one window: ask for it; otherwise bisect (the window below the midpoint comes too).
            probePosition = probeHi - probeLo - 1 <= PROBE_WINDOW ? probeHi - 1 : (probeLo + probeHi) >>> 1;
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
        long previousChk = anchored ? log.chkAt(probeLo) : 0;
        boolean first = true;
        while (entriesFrame.nextEntry())
        {
            if ((anchored || !first) && chainedChk(previousChk) != entriesFrame.entryChk())
            {
                return false;
            }
            previousChk = entriesFrame.entryChk();
            first = false;
        }
        return !first;
    }

    /** The checksum the entry under {@code entriesFrame}'s cursor has if it follows an entry of {@code previousChk}. */
    private long chainedChk(final long previousChk)
    {
        return Checksum.chain(
            previousChk, entriesFrame.entryType(), entriesFrame.entryEpoch(), entriesFrame.entryCounter(),
            entriesFrame.entryOrigin(), entriesFrame.entryIncarnation(), entriesFrame.entryLocalSeq(),
            entriesFrame.entryTimestamp(), entriesFrame.buffer(), entriesFrame.entryPayloadOffset(),
            entriesFrame.entryPayloadLength());
    }

    /** A {@code Fetch}: serve its window from this log, a few frames now and the rest in the next duty cycles. */
    private void onFetch(final int requester, final long from, final long to)
    {
        if (from <= log.base())
        {
            servingNext[requester] = 0;
            offerSnapshot(requester); // what it needs is gone from this log: a snapshot (§13)
            return;
        }
        if (servingNext[requester] != 0 && servingNext[requester] <= servingTo[requester] &&
            from == servingTo[requester] + 1)
        {
            servingTo[requester] = Math.min(to, log.have()); // the next window while this one is still going out
            return;
        }
        servingNext[requester] = from;
        servingTo[requester] = Math.min(to, log.have());
        serveFetch(requester);
    }

    /**
     * Send up to {@link #SERVE_FRAMES_PER_CYCLE} frames of the window {@code requester} asked for. A refused
     * publication leaves the rest for the next duty cycle, so back-pressure delays catch-up instead of stalling it
     * until the requester asks again; the bound per cycle keeps serving from delaying this member's own ordering.
     *
     * @return the frames sent.
     */
    private int serveFetch(final int requester)
    {
        final long last = Math.min(servingTo[requester], log.have());
        if (servingNext[requester] <= log.base())
        {
            servingNext[requester] = 0; // discarded by retention since it was asked for
            offerSnapshot(requester);
            return 0;
        }
        int frames = 0;
        while (frames < SERVE_FRAMES_PER_CYCLE && servingNext[requester] <= last)
        {
            final long next = servingNext[requester];
            entriesFrame.encode(entriesBuffer, 0, entriesBuffer.capacity(), selfId, clusterId, currentEpoch,
                memberIds[requester], next);
            for (long p = next; p <= last; p++)
            {
                log.read(p, entry);
                if (!entriesFrame.appendEntry(entry.type(), entry.originId(), entry.epoch(), entry.counter(),
                    entry.incarnation(), entry.localSeq(), entry.timestamp(), entry.chk(), entry.payload(),
                    entry.payloadOffset(), entry.payloadLength()))
                {
                    break;
                }
            }
            if (!transport.publish(entriesBuffer, 0, entriesFrame.encodedLength()))
            {
                counters.publishBackPressure++; // the rest goes in the next duty cycle
                break;
            }
            counters.frameOut(MessageType.ENTRIES);
            counters.entriesServed += entriesFrame.count();
            lastSentNs = nowNs;
            servingNext[requester] = next + entriesFrame.count();
            frames++;
        }
        return frames;
    }

    /** Continue serving the windows requested of this member (see {@link #serveFetch}). */
    private int continueServing()
    {
        int frames = 0;
        for (int i = 0; i < memberCount; i++)
        {
            if (servingNext[i] != 0 && servingNext[i] <= servingTo[i])
            {
                frames += serveFetch(i);
            }
        }
        return frames + snapshotServing.serve(selfId, clusterId, currentEpoch, memberIds, SERVE_FRAMES_PER_CYCLE);
    }

    /** Entries for this node: a divergence probe's answer or a batch of catch-up (B5). */
    private void onEntries(final int sender)
    {
        if (sender != baseOwner || !decided)
        {
            return;
        }
        entriesFrame.resetCursor();
        if (phase == BootPhase.PROBING)
        {
            if (entriesFrame.firstPosition() != probeFrom)
            {
                return; // the answer to an earlier probe
            }
            if (!probeAnswerChains())
            {
                counters.fetchRejected++;
                return; // garbled or forged: a real answer chains from the position known to agree
            }
            entriesFrame.resetCursor();
            // Checksums chain: agreement at a position implies it below, divergence implies it above.
            for (long p = probeFrom; p <= probePosition && entriesFrame.nextEntry(); p++)
            {
                if (entriesFrame.entryChk() == log.chkAt(p))
                {
                    probeLo = Math.max(probeLo, p);
                }
                else
                {
                    probeHi = Math.min(probeHi, p);
                    break;
                }
            }
            probeNext();
            return;
        }
        final long first = entriesFrame.firstPosition();
        if (phase != BootPhase.FETCHING || transferWanted || first > fetchNext ||
            first + entriesFrame.count() <= fetchNext)
        {
            return; // a window answered twice, or one whose start was lost: asked again after a while
        }
        fetchWindowEntries = (int)Math.min(MAX_FETCH_WINDOW,
            Math.max(fetchWindowEntries, (long)entriesFrame.count() * FETCH_FRAMES_PER_REQUEST));
        for (long p = first; p < fetchNext; p++)
        {
            entriesFrame.nextEntry(); // already appended from an earlier answer
        }
        final long fetchedBefore = fetchNext;
        while (entriesFrame.nextEntry() && fetchNext <= fetchTarget)
        {
            final long expected = chainedChk(log.chkAt(fetchNext - 1));
            if (expected != entriesFrame.entryChk() || (fetchNext == decisionN && expected != decisionChk))
            {
                counters.fetchRejected++;
                errorHandler.onError(new IllegalStateException("catch-up entry " + fetchNext + " from member " +
                    memberIds[sender] + " does not chain onto this log or the base: rejected"));
                return;
            }
            final long position = log.appendChained(
                entriesFrame.entryType(), entriesFrame.entryEpoch(), entriesFrame.entryCounter(),
                entriesFrame.entryOrigin(), entriesFrame.entryIncarnation(), entriesFrame.entryLocalSeq(),
                entriesFrame.entryTimestamp(), entriesFrame.buffer(), entriesFrame.entryPayloadOffset(),
                entriesFrame.entryPayloadLength(), expected);
            if (position > installAt)
            {
                applyEntry(position, entriesFrame.entryType(), entriesFrame.entryTimestamp(),
                    entriesFrame.entryOrigin(), entriesFrame.entryIncarnation(), entriesFrame.entryLocalSeq(),
                    entriesFrame.buffer(), entriesFrame.entryPayloadOffset(), entriesFrame.entryPayloadLength(), true);
            }
            else
            {
                // covered by the installed snapshot: applied on the member that took it, its result unknown here; own
                // events before it in submission order lie below the log's base, at positions not known here
                if (entriesFrame.entryType() == EntryType.EVENT && entriesFrame.entryOrigin() == selfId &&
                    entriesFrame.entryIncarnation() == incarnation)
                {
                    completeOwnBelowBase(entriesFrame.entryLocalSeq() - 1);
                }
                trackOwn(position, entriesFrame.entryType(), entriesFrame.entryOrigin(),
                    entriesFrame.entryIncarnation(), entriesFrame.entryLocalSeq(), CompletionHandler.RESULT_UNKNOWN,
                    entriesBuffer, 0);
            }
            counters.fetchedEntries++;
            fetchNext++;
            if (position == installAt && !restoreInstalled())
            {
                return;
            }
        }
        if (fetchNext == fetchedBefore)
        {
            return; // nothing usable: asked again after a while
        }
        bootStartNs = nowNs; // progress: a fetch that moves is not stuck (B7)
        fetchMovedNs = nowNs; // nor lost: asked again only once answers stop (asked again while they came, the
                              // server restarted the window each time and sent most entries two or three times)
        reportDue = true;
        if (fetchNext > fetchTarget)
        {
            appendEpochStart();
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
     * What a catch-up in progress is doing, for reports (the simulator's, an operator's): the probe, the fetch, the
     * transfer; empty when none is. Duty cycle only; allocates.
     */
    public String catchUpState()
    {
        final String from = decided && baseOwner >= 0 && baseOwner < memberCount ? " from member " +
            memberIds[baseOwner] : "";
        switch (phase)
        {
            case PROBING:
                return "probing " + probeLo + ".." + probeHi + from;
            case FETCHING:
                return (transferWanted ? "asking for a snapshot, " : "") + "fetching " + fetchNext + ".." +
                    fetchTarget + from + (installAt > 0 ? ", the installed snapshot at " + installAt : "") +
                    (log.base() > 0 ? ", log from " + (log.base() + 1) : "");
            case TRANSFERRING:
                return "receiving the snapshot at " + transferPosition + ": " + (incoming == null ? 0 :
                    incoming.received()) + " of " + transferLength + " bytes" + from;
            default:
                return "";
        }
    }

    /**
     * Retention (§13), from the snapshot thread or any other: the entries at and below {@code position} may go once
     * they are also at or below {@code g}. The duty cycle discards them while it runs.
     */
    public void retainUpTo(final long position)
    {
        if (position > retentionRequested)
        {
            retentionRequested = position;
        }
    }

    /**
     * From the snapshot thread: it has no checkpoint at or above the log's base to start from (they were lost or
     * damaged). The duty cycle writes one of its live state once it can (§13).
     */
    public void checkpointNeeded()
    {
        checkpointNeeded = true;
    }

    private int applyRetention()
    {
        if (checkpointNeeded && writeLiveCheckpoint())
        {
            checkpointNeeded = false;
        }
        // at or below g, and at or below what this member counts as its own (the forced position under batch): its
        // reports name a position of its log
        final long wanted = Math.min(retentionRequested, Math.min(guaranteed, serSelf()));
        if (wanted <= retentionApplied)
        {
            return 0;
        }
        retentionApplied = wanted;
        if (store.guaranteed() < wanted)
        {
            // persisted first: a restart then knows a g at or above the log's base, which §13's checks rely on
            store.guaranteed(guaranteed);
        }
        final long before = log.base();
        log.discardUpTo(wanted);
        if (log.base() > before)
        {
            counters.retentionDiscards++;
        }
        return 1;
    }

    /**
     * A snapshot from the base owner (§13): the offer that answers a fetch or probe reaching below its log's base, or
     * the bytes of a transfer in progress.
     */
    private void onSnapshot(final int sender)
    {
        if (sender != baseOwner || !decided)
        {
            return;
        }
        final SnapshotFrame frame = snapshotFrame;
        if (frame.position() != 0 && frame.dataLength() == 0)
        {
            return; // carries nothing: no progress to count (an honest owner never sends one)
        }
        if (phase == BootPhase.TRANSFERRING)
        {
            if (sameTransfer(sender, frame))
            {
                if (frame.fileOffset() == incoming.received())
                {
                    receiveSnapshotBytes(frame);
                }
                return; // an earlier window's, or one after a lost frame: asked again from what arrived
            }
            if (frame.fileOffset() != 0 || frame.position() <= transferPosition)
            {
                return; // a late answer to an earlier request: the transfer in progress goes on
            }
            // a newer checkpoint offered from its start: the one being received was deleted by the owner's retention;
            // judged as an offer to the phase the transfer came from, and taken in place of it if it passes
            phase = transferReturnPhase;
        }
        if ((phase != BootPhase.PROBING && phase != BootPhase.FETCHING) || frame.fileOffset() != 0)
        {
            return;
        }
        if (frame.position() == 0 && !transferWanted)
        {
            return; // the empty snapshot answers only a member that asked for one (§13)
        }
        final long b = frame.base();
        if (b > frame.position() && frame.position() != 0)
        {
            return; // a checkpoint below the sender's own base: it could not be restored over that log
        }
        if (!transferWanted && phase == BootPhase.PROBING)
        {
            if (b >= log.base() && b <= log.have() && log.chkAt(b) == frame.baseChk())
            {
                // this log agrees with the base owner's at its base: the divergence lies above, where it holds entries
                if (b <= probeLo || b >= probeHi)
                {
                    return; // nothing learnt, or a contradiction (checksums chain): stale or forged
                }
                probeLo = b;
                probeNext();
                return;
            }
        }
        else if (!transferWanted && fetchNext - 1 >= b)
        {
            return; // this fetch needs nothing at or below the owner's base: an offer meant for an earlier one
        }
        final long agreed = phase == BootPhase.PROBING ? probeLo : fetchNext - 1;
        if (intact && !transferWanted && guaranteed > b)
        {
            return; // an honest base owner's base lies below this member's g here (§13): stale or forged
        }
        if (!catchingUpOutside && frame.position() > decisionN)
        {
            return; // a checkpoint above N cannot be of the base's history up to N
        }
        if (catchingUpOutside && frame.position() > Math.max(fetchTarget, reportGuaranteed[sender]))
        {
            return; // above what the owner reports durable: an honest owner's checkpoints are at or below its g
        }
        if (!log.canResetTo(b))
        {
            counters.snapshotsRejected++;
            errorHandler.onError(new RecoveredFault("member " + selfId + " cannot start its log at " + b + ", the " +
                "base of member " + memberIds[sender] + "'s log (are entries per cycle the same on every member?)"));
            return;
        }
        if (phase == BootPhase.PROBING)
        {
            fetchTarget = decisionN;
        }
        fetchTarget = Math.max(fetchTarget, frame.position());
        transferReturnPhase = phase;
        transferAgreed = agreed;
        if (frame.position() == 0)
        {
            // the empty snapshot: the owner's log holds everything from position 1, and no checkpoint is needed
            closeIncoming();
            transferOwner = sender;
            transferPosition = 0;
            transferChk = Checksum.EMPTY;
            transferBase = 0;
            transferBaseChk = Checksum.EMPTY;
            transferBaseEpoch = 0;
            transferLength = 0;
            install();
            return;
        }
        if (incoming != null && !sameTransfer(sender, frame))
        {
            closeIncoming();
        }
        if (incoming == null)
        {
            incoming = checkpoints.receive(frame.position(), frame.chk());
            transferOwner = sender;
            transferPosition = frame.position();
            transferChk = frame.chk();
            transferBase = b;
            transferBaseChk = frame.baseChk();
            transferBaseEpoch = frame.baseEpoch();
            transferLength = frame.fileLength();
        }
        phase = BootPhase.TRANSFERRING;
        bootStartNs = nowNs;
        listener.onFetching(currentEpoch, memberIds[sender], transferPosition, transferPosition);
        if (incoming.received() == 0)
        {
            transferWindowStart = 0;
            transferRequestedTo = Math.min(transferLength, snapshotServing.windowBytes());
            receiveSnapshotBytes(frame);
        }
        else
        {
            requestSnapshotWindow(incoming.received()); // the same checkpoint again: resume where it stopped
        }
    }

    /**
     * Offer {@code requester} the newest checkpoint. With none at or above this log's base (the checkpoints were lost
     * or found damaged) and the state at {@code g}, write one of the live state first: a checkpoint on the duty cycle,
     * which it otherwise never writes, but without it neither this member nor a peer that needs a snapshot from it
     * could ever rebuild (its snapshot thread starts from a checkpoint once the log starts above position 1).
     */
    private void offerSnapshot(final int requester)
    {
        if (snapshotServing.request(requester, 0, 0))
        {
            return;
        }
        if (log.base() == 0)
        {
            snapshotServing.offerEmpty(requester, selfId, clusterId, currentEpoch, memberIds); // all of it from 1
        }
        else if (writeLiveCheckpoint())
        {
            snapshotServing.request(requester, 0, 0);
        }
    }

    /**
     * A checkpoint of the live state at {@code have}, on the duty cycle: only when none is left at or above the log's
     * base, while running with every entry committed (a checkpoint is of committed entries, §5).
     *
     * @return whether one was written.
     */
    private boolean writeLiveCheckpoint()
    {
        if (liveCheckpoint != null)
        {
            return completeLiveCheckpoint();
        }
        if (mode != NodeMode.RUNNING || !stateValid || replica.appliedUpTo() != log.have() || log.have() == 0 ||
            nowNs < liveCheckpointRetryNs)
        {
            return false;
        }
        // Written now, at have, into a file nobody sees yet; made a checkpoint once g reaches it. Under load g trails
        // have in every duty cycle, so waiting for g == have first would never write one.
        final long at = log.have();
        final long chk = log.chkAt(at);
        try
        {
            liveCheckpoint = checkpoints.receive(at, chk);
            final CheckpointFile.Writer writer = new CheckpointFile.Writer(liveCheckpoint.asChannel(), at, chk);
            replica.writeCheckpoint(writer);
            writer.finish();
        }
        catch (final RuntimeException ex)
        {
            ProcessCrash.rethrowIfCrash(ex);
            liveCheckpointFailed(ex); // a full disk, or the state machine's snapshot threw
            return false;
        }
        liveCheckpointAt = at;
        liveCheckpointChk = chk;
        liveCheckpointEpoch = currentEpoch;
        return completeLiveCheckpoint();
    }

    /** The staged live checkpoint becomes one once its position is committed, in the epoch it was written in. */
    private boolean completeLiveCheckpoint()
    {
        if (currentEpoch != liveCheckpointEpoch || log.have() < liveCheckpointAt ||
            log.chkAt(liveCheckpointAt) != liveCheckpointChk)
        {
            closeLiveCheckpoint(); // an epoch change may cut what it was of: written again from the state then
            return false;
        }
        if (guaranteed < liveCheckpointAt)
        {
            return false;
        }
        try
        {
            liveCheckpoint.complete();
        }
        catch (final RuntimeException ex)
        {
            ProcessCrash.rethrowIfCrash(ex);
            liveCheckpointFailed(ex);
            return false;
        }
        liveCheckpoint = null;
        counters.checkpointsOnDutyCycle++;
        errorHandler.onError(new RecoveredFault("member " + selfId + " has no sound checkpoint above its log's " +
            "base " + log.base() + ": wrote one of its state at " + liveCheckpointAt + " on the duty cycle"));
        return true;
    }

    private void liveCheckpointFailed(final RuntimeException ex)
    {
        closeLiveCheckpoint();
        liveCheckpointRetryNs = nowNs + TimeUnit.SECONDS.toNanos(1);
        errorHandler.onError(ex);
    }

    private void closeLiveCheckpoint()
    {
        final CheckpointStore.Incoming closing = liveCheckpoint;
        liveCheckpoint = null;
        if (closing != null)
        {
            closing.close();
        }
    }

    /**
     * The checkpoint being received: the same owner, position, chk and file. Where the owner's log starts may move on
     * meanwhile (its retention): the latest is taken, as long as it stays at or below the checkpoint.
     */
    private boolean sameTransfer(final int sender, final SnapshotFrame frame)
    {
        if (incoming == null || sender != transferOwner || frame.position() != transferPosition ||
            frame.chk() != transferChk || frame.fileLength() != transferLength)
        {
            return false;
        }
        if (frame.base() > transferBase && frame.base() <= transferPosition && log.canResetTo(frame.base()))
        {
            transferBase = frame.base();
            transferBaseChk = frame.baseChk();
            transferBaseEpoch = frame.baseEpoch();
        }
        return true;
    }

    private void requestSnapshotWindow(final long from)
    {
        fetchMovedNs = nowNs;
        transferWindowStart = from;
        transferRequestedTo = Math.min(transferLength, from + snapshotServing.windowBytes());
        fetchFrame.encode(sendBuffer, 0, selfId, clusterId, currentEpoch, memberIds[transferOwner],
            FetchFrame.SNAPSHOT, transferPosition, from);
        publish(MessageType.FETCH, fetchFrame.encodedLength());
    }

    private void receiveSnapshotBytes(final SnapshotFrame frame)
    {
        incoming.write(frame.buffer(), frame.dataOffset(), frame.dataLength());
        counters.snapshotBytesReceived += frame.dataLength();
        bootStartNs = nowNs; // progress (B7)
        fetchMovedNs = nowNs;
        final long received = incoming.received();
        if (received == transferLength)
        {
            completeTransfer();
        }
        else if (received >= transferRequestedTo)
        {
            requestSnapshotWindow(received); // the window fell short
        }
        else if (transferRequestedTo < transferLength &&
            received - transferWindowStart >= (transferRequestedTo - transferWindowStart) / 2)
        {
            // half of the window is in: ask for the next, which the owner queues behind this one
            final long next = transferRequestedTo;
            fetchFrame.encode(sendBuffer, 0, selfId, clusterId, currentEpoch, memberIds[transferOwner],
                FetchFrame.SNAPSHOT, transferPosition, next);
            publish(MessageType.FETCH, fetchFrame.encodedLength());
            transferWindowStart = next;
            transferRequestedTo = Math.min(transferLength, next + snapshotServing.windowBytes());
        }
    }

    /** All of it arrived: check it, then install it, or report it damaged and ask again. */
    private void completeTransfer()
    {
        try
        {
            incoming.complete();
        }
        catch (final java.io.UncheckedIOException ex)
        {
            // this member's disk refused it (full, failing): not the sender's fault, and asking again would not help
            fatal("cannot store the snapshot received at " + transferPosition + " (" + ex.getMessage() + ")");
            return;
        }
        catch (final IllegalStateException ex)
        {
            counters.snapshotsRejected++;
            errorHandler.onError(new RecoveredFault("the snapshot at " + transferPosition + " from member " +
                memberIds[transferOwner] + " fails its check (" + ex.getMessage() + "): reported, asked again"));
            fetchFrame.encode(sendBuffer, 0, selfId, clusterId, currentEpoch, memberIds[transferOwner],
                FetchFrame.SNAPSHOT_DAMAGED, transferPosition, 0);
            publish(MessageType.FETCH, fetchFrame.encodedLength());
            closeIncoming();
            phase = transferReturnPhase;
            if (phase == BootPhase.PROBING)
            {
                sendProbe(probePosition);
            }
            else if (transferWanted)
            {
                askForSnapshot();
            }
            else
            {
                sendFetchWindow(fetchNext);
            }
            return;
        }
        incoming = null;
        try
        {
            install();
        }
        catch (final RuntimeException ex)
        {
            ProcessCrash.rethrowIfCrash(ex);
            // the disk refused the reset: nothing this member holds can be trusted to be whole until it is opened again
            fatal("cannot install the snapshot at " + transferPosition + " (" + ex + "): restart the member; its " +
                "open finishes or undoes the reset");
        }
    }

    /**
     * The snapshot is a checkpoint of this store now: reset the log to the owner's base and fetch its entries from
     * there; the checkpoint is restored once the log reaches it (§13). Never below {@code g}: the transfer was taken
     * only for entries at or below the owner's base, which lie above what this log agrees with.
     */
    private void install()
    {
        final long b = transferBase;
        counters.snapshotsInstalled++;
        own.unserializeFrom(Math.max(transferAgreed, log.base()) + 1);
        refetchedUpTo = Math.max(transferAgreed, log.base());
        if (store.highWater() > b)
        {
            store.highWater(b); // lowered first: the reset must not read as lost entries at the next start
        }
        log.resetTo(b, transferBaseChk, transferBaseEpoch);
        if (store.guaranteed() < b)
        {
            store.guaranteed(b); // the owner's base is committed: after a restart too, g is at or above this log's base
        }
        checkpoints.unrollUntil(transferPosition);
        checkpoints.retainFrom(transferPosition);
        lastNormalEpoch = epochOfLastEpochStart();
        replica.reset();
        stateValid = false;
        installAt = transferPosition;
        transferWanted = false;
        phase = BootPhase.FETCHING;
        fetchNext = b + 1;
        fetchStarted();
        listener.onFetching(currentEpoch, memberIds[baseOwner], fetchNext, fetchTarget);
        if (installAt == b && !restoreInstalled())
        {
            return;
        }
        if (fetchNext > fetchTarget)
        {
            appendEpochStart();
        }
        else
        {
            sendFetchWindow(fetchNext);
        }
    }

    /**
     * The lowest checkpoint above {@code agreed} when none lies between the log's base and it: what an install left
     * when the process stopped before the fetch reached it (a checkpoint is never written above a log's end
     * otherwise). 0 when there is none.
     */
    private long installedAbove(final long agreed)
    {
        long lowest = 0;
        long at = checkpoints.latestAtOrBelow(Long.MAX_VALUE);
        while (at > agreed)
        {
            lowest = at;
            at = checkpoints.latestAtOrBelow(at - 1);
        }
        return at >= log.base() && at > 0 ? 0 : lowest;
    }

    /** The fetch reached the installed checkpoint: restore it, so that the entries after it apply. */
    private boolean restoreInstalled()
    {
        final long at = installAt;
        installAt = 0;
        restoreCheckpointAtOrBelow(at);
        if (stateValid && replica.appliedUpTo() == at)
        {
            // own events the snapshot holds but the entries fetched above the base did not: below the base
            completeOwnBelowBase(replica.newestApplied(selfIndex, incarnation));
            return true;
        }
        counters.snapshotsRejected++;
        requestTransfer(at, false, "the installed snapshot at " + at + " does not load over the log fetched up to it");
        return false;
    }

    /**
     * Own events up to {@code localSeq} not yet seen in the log lie below its base after an install: ordered and
     * durable (the snapshot holds them), at positions not known here. They complete with that status (§13).
     */
    private void completeOwnBelowBase(final long localSeq)
    {
        long next = own.nextUnserializedLocalSeq();
        while (next >= 0 && next <= localSeq)
        {
            own.onSerialized(next, 0, CompletionHandler.RESULT_UNKNOWN, entriesBuffer, 0);
            next = own.nextUnserializedLocalSeq();
        }
    }

    /**
     * This member needs a snapshot whatever the base owner's log holds: its log starts above where it diverges, or no
     * checkpoint rebuilds its state. {@code lost}: it had one and lost it (damaged checkpoints), so it is not intact
     * until it runs again (§10.1).
     */
    private void requestTransfer(final long agreed, final boolean lost, final String why)
    {
        if (baseOwner == selfIndex)
        {
            counters.decisionsRefused++;
            errorHandler.onError(new RecoveredFault("member " + selfId + " is the base of epoch " + currentEpoch +
                " but cannot rebuild its state: " + why + "; next epoch"));
            if (lost)
            {
                store.amnesia(true);
                intact = false;
            }
            startEpochChange(EpochTrigger.DECISION_REFUSED, -1);
            return;
        }
        errorHandler.onError(new RecoveredFault("member " + selfId + " asks member " + memberIds[baseOwner] +
            " for a snapshot: " + why));
        if (lost && intact)
        {
            store.amnesia(true);
            intact = false;
        }
        transferWanted = true;
        fetchNext = agreed + 1;
        fetchTarget = catchingUpOutside && alignedOutside ? fetchTarget : decisionN;
        phase = BootPhase.FETCHING;
        fetchStarted();
        askForSnapshot();
    }

    private void askForSnapshot()
    {
        fetchMovedNs = nowNs;
        fetchFrame.encode(sendBuffer, 0, selfId, clusterId, currentEpoch, memberIds[baseOwner], FetchFrame.SNAPSHOT,
            0, 0);
        publish(MessageType.FETCH, fetchFrame.encodedLength());
    }

    private void closeIncoming()
    {
        final CheckpointStore.Incoming closing = incoming;
        incoming = null;
        if (closing != null)
        {
            closing.close();
        }
    }

    /**
     * A follow round (§10.5): outside the epoch and aligned to its base, fetch the entries the base owner reports
     * durable ({@code g}), when they are more than {@code followLag} ahead of this log and fewer than at the last
     * round's start (catch-up outruns ordering; when it does not, asking in is no worse than before). Durable entries
     * are final: every later base holds them, so nothing this member appends here is ever cut.
     *
     * @return whether a round started.
     */
    private boolean followRound()
    {
        final long target = reportGuaranteed[baseOwner];
        final long gap = target - log.have();
        if (!alignedOutside || gap <= followLag || (followGap >= 0 && gap >= followGap))
        {
            return false;
        }
        followGap = gap;
        counters.followRounds++;
        catchingUpOutside = true;
        phase = BootPhase.FETCHING;
        fetchNext = log.have() + 1;
        fetchTarget = target;
        fetchStarted();
        listener.onFollowing(currentEpoch, memberIds[baseOwner], fetchNext, fetchTarget);
        sendFetchWindow(fetchNext);
        return true;
    }

    /**
     * A fetch outside the epoch is over: aligned to the base up to N, or a follow round ended (done or stalled).
     * Follow the owner's durable log again while it is far ahead, else ask in (or once this node hears the active
     * set); the next epoch finds it close to everyone else (§10.5).
     */
    private void endFetchOutside()
    {
        closeIncoming(); // a transfer abandoned along the way
        refetchedUpTo = 0;
        catchingUpOutside = false;
        alignedOutside = true;
        phase = BootPhase.COLLECTING;
        if (durability == Durability.BATCH)
        {
            log.force(); // ser_self is the forced position: unforced, this member would look as far behind as ever
        }
        if (!followRound() && activeSetOrdering() && hearsAllActive())
        {
            askToBeAdmitted();
        }
    }

    /** B5 end: {@code EpochStart(E, C, A)} at {@code N+1}; this node now orders in the epoch. */
    private void appendEpochStart()
    {
        if (catchingUpOutside)
        {
            endFetchOutside(); // not in the epoch: nothing to append
            return;
        }
        closeIncoming(); // a transfer abandoned along the way
        refetchedUpTo = 0;
        if (fresh)
        {
            // The cluster's first epoch, decided on empty logs only: from now on this is an ordinary member.
            fresh = false;
            store.logId(log.logId());
            store.initialize();
        }
        final int length = MemberSet.encode(epochStartBuffer, 0, cluster, activeMask);
        final long position = log.append(
            EntryType.EPOCH_START, currentEpoch, 0, memberIds[coordinatorIndex(currentEpoch)], 0, 0, 0,
            epochStartBuffer, 0, length);
        applyEntry(position, EntryType.EPOCH_START, 0, memberIds[coordinatorIndex(currentEpoch)], 0, 0,
            epochStartBuffer, 0, length, false);
        if (durability == Durability.BATCH)
        {
            log.force();
        }
        lastNormalEpoch = currentEpoch;
        phase = BootPhase.ALIGNED;
        reportDue = true;
        listener.onAligned(currentEpoch, position);
        for (int i = 0; i < memberCount; i++)
        {
            if (i != selfIndex && isActive(i))
            {
                countReport(i);
            }
        }
        updateGuaranteed();
        checkRunning();
    }

    /** B6: running once a quorum of the configuration has aligned to this epoch (counted reports ≥ N+1). */
    private void checkRunning()
    {
        if (phase != BootPhase.ALIGNED)
        {
            return;
        }
        final long start = decisionN + 1;
        int aligned = 0;
        for (int i = 0; i < memberCount; i++)
        {
            if (isActive(i) && (i == selfIndex ? serSelf() : ser[i]) >= start)
            {
                aligned++;
            }
        }
        if (aligned < quorum)
        {
            return;
        }
        mode = NodeMode.RUNNING;
        phase = BootPhase.NONE;
        bootTimeoutNs = initialBootTimeoutNs;
        if (incarnation == 0)
        {
            // The first epoch this process runs in is above every epoch in the log it aligned to, and so above every
            // incarnation of this member whose events could be in it, even when its own disk was lost.
            incarnation = currentEpoch;
        }
        if (!intact)
        {
            intact = true;
            store.amnesia(false);
        }
        listener.onRunning(currentEpoch, log.lastEpochStartPosition());
        // B6: own events the base does not hold go again, with their ids, before any new submit.
        own.startResubmission();
        resubmitRemaining();
    }

    private boolean resubmit(final long localSeq, final DirectBuffer payload, final int offset, final int length)
    {
        if (corruptResubmitted && length > 0)
        {
            flipLastByte(payload, offset + length - 1);
        }
        if (propose(EntryType.EVENT, localSeq, payload, offset, length))
        {
            counters.resubmitted++;
            return true;
        }
        if (corruptResubmitted && length > 0)
        {
            flipLastByte(payload, offset + length - 1); // not sent: tried again later, damaged once only
        }
        return false;
    }

    /** Test only (CORRUPT_RESUBMITTED_PAYLOAD). */
    private static void flipLastByte(final DirectBuffer payload, final int index)
    {
        ((MutableDirectBuffer)payload).putByte(index, (byte)~payload.getByte(index));
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
        for (int i = 0; i < memberCount; i++)
        {
            lastHeardNs[i] = Math.min(nowNs, lastHeardNs[i] + shiftNs);
            rawHeardNs[i] = Math.min(nowNs, rawHeardNs[i] + shiftNs);
        }
        bootStartNs = Math.min(nowNs, bootStartNs + shiftNs);
        // A fetch or probe asked for during the gap (or in the long cycle before it: the catch-up that has just
        // started a follow round may have taken 200 ms in a cold JVM) was not unanswered for the gap's length: its
        // answers are among the frames queued for this node. Unshifted, the next cycle took the fetch for stalled,
        // ended the follow round having fetched nothing and asked in with the whole gap still to fetch.
        fetchMovedNs = Math.min(nowNs, fetchMovedNs + shiftNs);
        if (decisionMissedSinceNs >= 0)
        {
            decisionMissedSinceNs = Math.min(nowNs, decisionMissedSinceNs + shiftNs);
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
        if (listening && nowNs - listenUntilNs >= 0)
        {
            listening = false;
            enterBoot(nextEpochForLocalTrigger(), EpochTrigger.START, -1);
        }
        if (mode == NodeMode.INIT || mode == NodeMode.STOPPED)
        {
            return 0;
        }
        int work = continueServing();
        if (mode == NodeMode.BOOT)
        {
            reportProgress();
            work += bootWork();
            if (phase == BootPhase.COLLECTING || phase == BootPhase.PROBING)
            {
                work += replayAhead();
            }
            if (mode == NodeMode.STOPPED)
            {
                return work;
            }
        }
        if (mode == NodeMode.RUNNING && own.resubmissionPending())
        {
            work += resubmitRemaining();
        }
        if (mode == NodeMode.RUNNING)
        {
            work += tickIfDue();
            work += applyRetention();
        }

        final boolean ordering = phase == BootPhase.ALIGNED || mode == NodeMode.RUNNING;
        if (ordering)
        {
            final int serialized = serializeOrdered();
            if (serialized > 0)
            {
                if (durability == Durability.BATCH)
                {
                    transport.flush(); // this cycle's events and promises leave before the fsync, not after it
                    log.force();
                }
                reportDue = true;
                work += serialized;
                for (int i = 0; i < memberCount; i++)
                {
                    if (historyCount[i] > 0)
                    {
                        countReport(i); // reports that ran ahead of this log can be checked now
                    }
                }
            }
            updateGuaranteed();
            checkRunning();
        }

        if (memberCount > 1)
        {
            if (ordering && clock > lastPromiseSent && publishPromise())
            {
                work++;
            }
            if (deferredLength > 0)
            {
                work += flushDeferred();
            }
            if ((reportDue || (ordering && nowNs - lastReportSentNs >= REPORT_REFRESH_HEARTBEATS * heartbeatIntervalNs))
                && publishReport())
            {
                reportDue = false;
                work++;
            }
            // R4: a frame with our hears mask every T_hb, however busy the channel is with events: only such a frame
            // shows peers that this node is alive and hears them.
            if (nowNs - lastMaskSentNs >= heartbeatIntervalNs && (ordering ? publishPromise() : publishReport()))
            {
                work++;
            }
            if (ordering)
            {
                work += checkSilence();
            }
        }

        reportOverload();
        final int completed = own.completeUpTo(ackAtHave ? log.have() : guaranteed, completionHandler);
        counters.completed += completed;
        return work + completed;
    }

    private int resubmitRemaining()
    {
        return own.resubmit(this::resubmit);
    }

    /** A fetch (an alignment's or a follow round's) starts at {@code fetchNext}: its progress is timed from now. */
    private void fetchStarted()
    {
        fetchStartedFrom = fetchNext;
        fetchProgressDueNs = nowNs + FETCH_PROGRESS_EVERY_NS;
    }

    /**
     * For the operator (the listener): submits back-pressured since the last report, once a second while there are
     * any. Overload is answered by back-pressure, never by an epoch change (§10.6): this says it happens.
     */
    private void reportOverload()
    {
        if (nowNs - overloadReportDueNs < 0)
        {
            return;
        }
        final long refused = counters.submitsBackPressured - backPressuredReported;
        if (refused > 0)
        {
            // since the last look, which set the due time one interval ahead of itself
            final long lookedNs = overloadReportDueNs - OVERLOAD_REPORT_EVERY_NS;
            listener.onOverload(currentEpoch, refused, nowNs - lookedNs, own.inFlight(), pendingCount());
            backPressuredReported = counters.submitsBackPressured;
        }
        overloadReportDueNs = nowNs + OVERLOAD_REPORT_EVERY_NS;
    }

    /** For the operator (the listener): an epoch change that waits long for its decision, a fetch that runs long. */
    private void reportProgress()
    {
        if (!decided && nowNs - waitingReportDueNs >= 0)
        {
            waitingReportDueNs = nowNs + WAITING_EVERY_NS;
            listener.onWaiting(currentEpoch, hearsMask(), nowNs - waitingSinceNs);
        }
        if (phase == BootPhase.FETCHING && nowNs - fetchProgressDueNs >= 0)
        {
            fetchProgressDueNs = nowNs + FETCH_PROGRESS_EVERY_NS;
            listener.onFetchProgress(currentEpoch, memberIds[baseOwner], fetchStartedFrom, fetchNext - 1, fetchTarget);
        }
    }

    /** The boot-mode part of a duty cycle: decide (coordinator), retry a lost fetch, give up on a stuck epoch. */
    private int bootWork()
    {
        int work = 0;
        if (phase == BootPhase.COLLECTING && (coordinatorIndex(currentEpoch) == selfIndex || noCoordinator))
        {
            work += coordinate();
        }
        if ((phase == BootPhase.PROBING || phase == BootPhase.FETCHING || phase == BootPhase.TRANSFERRING) &&
            nowNs - fetchMovedNs >= failureTimeoutNs)
        {
            if (phase == BootPhase.PROBING)
            {
                sendProbe(probePosition);
            }
            else if (phase == BootPhase.TRANSFERRING)
            {
                requestSnapshotWindow(incoming == null ? 0 : incoming.received()); // answers stopped: ask again
            }
            else if (transferWanted)
            {
                askForSnapshot();
            }
            else if (alignedOutside)
            {
                // A follow round that stopped: the owner does not hold the g it reported (a forged or garbled
                // report: ProcessFaultTest followed toward 2^63, round after round, each fetching what the cluster
                // had ordered meanwhile, and never asked in) or it stalled. An honest round does not stall, so no
                // other round follows in this epoch: this member asks in with what it holds (§10.5).
                followGap = 0;
                endFetchOutside();
            }
            else
            {
                fetchWindowEntries = Math.max(MIN_FETCH_WINDOW, fetchWindowEntries / 2); // answers fell short
                sendFetchWindow(fetchNext);
            }
            work++;
        }
        if (!decided && decisionMissedSinceNs >= 0 && nowNs - decisionMissedSinceNs >= bootTimeoutNs)
        {
            askToBeAdmitted(); // the coordinator did not send its decision again: ask in, as B6 did before
            return work + 1;
        }
        if (decided && !isActive(selfIndex) && phase == BootPhase.COLLECTING)
        {
            // Left out of a running epoch: waiting is no failure of this epoch (B7 does not apply). Ask in once this
            // node hears every member of the active set and has seen each of them ordering: asking earlier would
            // end an epoch before it ran (each member left out would take the next one down), and asking a set
            // that cannot hear it would start an epoch nobody can run.
            if (followRound())
            {
                work++;
            }
            else if (activeSetOrdering() && hearsAllActive())
            {
                askToBeAdmitted();
                work++;
            }
            else
            {
                bootStartNs = nowNs;
            }
            return work;
        }
        if (decided && !isActive(selfIndex))
        {
            // Aligning or following outside the epoch: the epoch runs without this member, so neither a stalled fetch
            // nor not hearing the active set is a failure of it (B7 does not apply). Giving up would end a running
            // epoch for every member (CatchUpFigures: a fetch stalled 60 ms on a starved serving member, and the
            // epochs it started held acknowledgements for two seconds); the fetch is asked again after T_fd instead,
            // and the active set's own failure detection ends the epoch if its members fail.
            bootStartNs = nowNs;
        }
        if (mode == NodeMode.BOOT && nowNs - bootStartNs > bootTimeoutNs + bootJitterNs)
        {
            counters.bootTimeouts++;
            if (startEpochChange(EpochTrigger.BOOT_TIMEOUT, -1)) // B7
            {
                bootTimeoutNs = Math.min(maxBootTimeoutNs, bootTimeoutNs * 2);
            }
            else
            {
                bootStartNs = nowNs; // waits in this epoch until it hears a quorum
            }
            work++;
        }
        return work;
    }

    /** B2–B4 on the coordinator: decide once a quorum with enough intact members has reported. */
    private int coordinate()
    {
        if (decisionPending)
        {
            return publishDecision() ? 1 : 0;
        }
        if (!intact)
        {
            // B1: a node that is not intact never coordinates; hand the decision to the next able coordinator.
            if (coordinatorIndex(nextEpochForLocalTrigger()) != selfIndex)
            {
                startEpochChange(EpochTrigger.NOT_INTACT_COORDINATOR, -1);
                return 1;
            }
            return 0;
        }
        recordOwnReport();
        boolean clusterRan = false;
        for (int i = 0; i < memberCount; i++)
        {
            if (reported[i] && reportRan[i])
            {
                clusterRan = true;
            }
        }
        if (fresh && clusterRan)
        {
            refuseBootstrap("the reports of epoch " + currentEpoch + " show a log that has run");
            return 1;
        }
        int reporters = 0;
        int intactReporters = 0;
        int silentMissing = 0;
        boolean allReported = true;
        boolean anyAligned = false;
        for (int i = 0; i < memberCount; i++)
        {
            allReported &= reported[i];
            anyAligned |= reported[i] && reportLastNormalEpoch[i] > 0;
        }
        for (int i = 0; i < memberCount; i++)
        {
            if (reported[i])
            {
                reporters++;
                if (reportIntact[i] && reportFresh[i] && (clusterRan || (anyAligned && !allReported)))
                {
                    // An empty log bootstrapped into a cluster that ran is a lost disk. And once some member has
                    // aligned to an epoch, that epoch may have run without it: only the whole configuration can then
                    // show that it never did (the member holding the events may be the one missing, §10.2).
                    reportIntact[i] = false;
                }
                if (reportIntact[i] && i != selfIndex && reportLastNormalEpoch[i] >= knownHeldEpoch[i] &&
                    reportHave[i] < knownHeld[i])
                {
                    // This node counted the member holding more, all of it durable, and no alignment cuts below the
                    // watermark: it lost entries without knowing it (docs/protocol.md §10.1).
                    reportIntact[i] = false;
                    counters.lossesSeenInReports++;
                    errorHandler.onError(new RecoveredFault("member " + memberIds[i] + " reports " + reportHave[i] +
                        " entries of epoch " + knownHeldEpoch[i] + " but was counted holding " + knownHeld[i] +
                        " in it: its report does not count as intact"));
                }
                if (reportIntact[i])
                {
                    intactReporters++;
                }
            }
            else if (isSilent(i) || notHeardByAReporter(i) >= 0)
            {
                silentMissing++; // not waited for (B2)
            }
        }
        if (reporters < quorum || intactReporters < memberCount - quorum + 1)
        {
            quorumSinceNs = -1;
            return 0;
        }
        if (quorumSinceNs < 0)
        {
            quorumSinceNs = nowNs;
        }
        if (reporters + silentMissing < memberCount &&
            (nowNs - quorumSinceNs < decisionGraceNs || nowNs - bootStartNs < bootTimeoutNs / 2))
        {
            // A member that is not silent (it hears this coordinator) and has not reported yet is on its way into the
            // epoch: a loaded or starting member adopts it tens of ms late, stalled by its own epoch persist. It is
            // waited for up to half the epoch's timer, since leaving it out costs two more epochs when it asks in, and
            // a member far behind in its place would hold everyone's ordering for its whole catch-up (B2, B4, B6).
            return 0;
        }

        // B3: the base is the intact report with the largest (lastNormalEpoch, have).
        int base = -1;
        for (int i = 0; i < memberCount; i++)
        {
            if (reported[i] && reportIntact[i] && (base < 0 ||
                (!baseByHaveOnly && reportLastNormalEpoch[i] > reportLastNormalEpoch[base]) ||
                ((baseByHaveOnly || reportLastNormalEpoch[i] == reportLastNormalEpoch[base]) &&
                reportHave[i] > reportHave[base])))
            {
                base = i;
            }
        }
        if (literalCutRule)
        {
            base = reporterWithQuorumHighestHave();
        }
        if (base != selfIndex && farBehind(reportHave[selfIndex], reportHave[base]) &&
            coordinatorIndex(nextEpoch(false)) != selfIndex)
        {
            // B4: far behind the base, this coordinator could not leave itself out (A' holds its coordinator), and in
            // A' it would hold everyone's ordering until it has fetched all of it (R5 waits for its promises). Hand the
            // decision on to a member that can leave it out; it catches up outside that epoch (§10.5).
            counters.farBehindHandOvers++;
            startEpochChange(EpochTrigger.FAR_BEHIND_COORDINATOR, -1);
            return 1;
        }
        int mask = 0;
        for (int i = 0; i < memberCount; i++)
        {
            if (reported[i])
            {
                mask |= 1 << i;
                if (reportGuaranteed[i] > reportHave[base] && reportIntact[i] && !unguardedDefect)
                {
                    // B3's assertion. Honest reports never fail it; a forged or garbled one may, and must not stop
                    // the coordinator: it does not decide, and B7 moves the cluster on.
                    if (!decisionRefused)
                    {
                        counters.decisionsRefused++;
                        errorHandler.onError(new RecoveredFault("B3: the base (" + reportHave[base] + " of member " +
                            memberIds[base] + ") is below the watermark " + reportGuaranteed[i] +
                            " reported by member " + memberIds[i] + ": epoch " + currentEpoch + " not decided"));
                        decisionRefused = true;
                    }
                    return 0;
                }
            }
        }
        final int connected = connectedActiveSet(mask, base);
        if (connected == 0 || (connected != mask && nowNs - quorumSinceNs < decisionGraceNs))
        {
            // No quorum that hears each other yet, or one smaller than the reporters: hears masks are a T_hb old at
            // most, so wait the grace period for fresher reports before leaving a reporter out (B7 moves on).
            return 0;
        }
        mask = connected;
        for (int i = 0; i < memberCount; i++)
        {
            final int without = mask & ~(1 << i);
            if (without != mask && i != selfIndex && i != base && Integer.bitCount(without) >= quorum &&
                farBehind(reportHave[i], reportHave[base]))
            {
                mask = without; // far behind: it catches up outside the epoch instead of stalling everyone's ordering
            }
        }
        reportLeftOut(mask, reportHave[base]);
        decisionPending = true;
        decisionN = reportHave[base];
        decisionChk = reportChk[base];
        decisionMask = mask;
        decisionBaseOwner = base;
        counters.decisions++;
        return publishDecision() ? 1 : 0;
    }

    /** Tells the listener why each configured member outside {@code mask} is left out of this decision. */
    private void reportLeftOut(final int mask, final long baseHave)
    {
        for (int i = 0; i < memberCount; i++)
        {
            if ((mask & (1 << i)) != 0)
            {
                continue;
            }
            final LeftOutReason reason;
            int other = -1;
            if (!reported[i])
            {
                final int unhearing = notHeardByAReporter(i);
                reason = isSilent(i) ? LeftOutReason.SILENT :
                    unhearing >= 0 ? LeftOutReason.NOT_HEARD : LeftOutReason.NOT_REPORTED;
                other = isSilent(i) || unhearing < 0 ? -1 : memberIds[unhearing];
            }
            else if (farBehind(reportHave[i], baseHave))
            {
                reason = LeftOutReason.FAR_BEHIND;
            }
            else
            {
                reason = LeftOutReason.NOT_CONNECTED;
                for (int j = 0; j < memberCount && other < 0; j++)
                {
                    if ((mask & (1 << j)) != 0 &&
                        ((hearsMaskOfMember(i) & (1 << j)) == 0 || (hearsMaskOfMember(j) & (1 << i)) == 0))
                    {
                        other = memberIds[j];
                    }
                }
            }
            listener.onLeftOut(currentEpoch, memberIds[i], reason, other, nowNs - epochEnteredNs);
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
        final int required = (1 << selfIndex) | (1 << base);
        int best = 0;
        for (int set = reporterMask; set != 0; set = (set - 1) & reporterMask)
        {
            if ((set & required) == required && Integer.bitCount(set) > Integer.bitCount(best) &&
                Integer.bitCount(set) >= quorum && allHearEachOther(set))
            {
                best = set;
            }
        }
        return best;
    }

    private boolean allHearEachOther(final int set)
    {
        for (int i = 0; i < memberCount; i++)
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
        for (int j = 0; j < memberCount; j++)
        {
            // a reporter that does not hear this coordinator either is deaf, not a witness (§10.4)
            if (j != selfIndex && j != index && reported[j] && (reportHears[j] & (1 << index)) == 0 &&
                (reportHears[j] & (1 << selfIndex)) != 0)
            {
                return j;
            }
        }
        return -1;
    }

    private int hearsMaskOfMember(final int index)
    {
        return index == selfIndex ? hearsMask() : reportHears[index] | (1 << index);
    }

    /** Test only (LITERAL_CUT_RULE): the reporter holding the highest {@code have} that a majority reaches. */
    private int reporterWithQuorumHighestHave()
    {
        int chosen = -1;
        for (int i = 0; i < memberCount; i++)
        {
            if (!reported[i])
            {
                continue;
            }
            int atLeast = 0;
            for (int j = 0; j < memberCount; j++)
            {
                if (reported[j] && reportHave[j] >= reportHave[i])
                {
                    atLeast++;
                }
            }
            if (atLeast >= quorum && (chosen < 0 || reportHave[i] > reportHave[chosen]))
            {
                chosen = i;
            }
        }
        return chosen;
    }

    /** B4: publish the one decision of this epoch (retried unchanged if the channel refuses it). */
    private boolean publishDecision()
    {
        if (memberCount > 1 && !noCoordinator && !publishDecisionFrame())
        {
            return false;
        }
        decisionPending = false;
        applyDecision(decisionN, decisionChk, decisionMask, decisionBaseOwner);
        return true;
    }

    /** The {@code ClusterNodes} frame of this epoch's one decision: sent once, and again to a member that missed it. */
    private boolean publishDecisionFrame()
    {
        clusterNodesFrame.encode(
            sendBuffer, 0, selfId, clusterId, currentEpoch, currentEpoch, decisionN, decisionChk, memberIds,
            memberCount, decisionMask, memberIds[decisionBaseOwner]);
        return publish(MessageType.CLUSTER_NODES, clusterNodesFrame.encodedLength());
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
    private int tickIfDue()
    {
        final ClusterTimers timers = replica.timers();
        final long deadline = timers.earliestDeadline();
        if (deadline == Long.MAX_VALUE || deadline > Math.max(epochClock.nanoTime(), timers.currentTime()) ||
            (deadline <= maxProposedTimeNs && anyPending()))
        {
            // not due, or an entry on its way to the log already carries a time past it: under load events move the
            // time, and ticks would only add entries (5,195 to the demo's 120,000)
            tickDueSinceNs = -1;
            return 0;
        }
        if (tickDueSinceNs < 0)
        {
            tickDueSinceNs = nowNs;
        }
        int rank = 0;
        for (int i = 0; i < selfIndex; i++)
        {
            if (isActive(i))
            {
                rank++;
            }
        }
        if (ownTickPending || nowNs - tickDueSinceNs < (rank + 1) * tickIntervalNs ||
            (lastTickNs != 0 && nowNs - lastTickNs < tickIntervalNs))
        {
            return 0;
        }
        if (!propose(EntryType.TICK, 0, sendBuffer, 0, 0))
        {
            return 0; // back-pressured: tried again next cycle
        }
        lastTickNs = nowNs;
        ownTickPending = true;
        counters.ticksProposed++;
        return 1;
    }

    private void noteDroppedEventEpoch(final long epoch)
    {
        if (!droppedEventsOf(epoch))
        {
            droppedEventEpochs[droppedEventEpochNext] = epoch;
            droppedEventEpochNext = (droppedEventEpochNext + 1) % DROPPED_EVENT_EPOCHS;
        }
    }

    private boolean droppedEventsOf(final long epoch)
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
        for (int i = 0; i < memberCount; i++)
        {
            if (!pending[i].isEmpty())
            {
                return true;
            }
        }
        return false;
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

            final int originId = memberIds[origin];
            final long eventIncarnation = queue.headIncarnation();
            final long localSeq = queue.headLocalSeq();
            final int entryType = queue.headEntryType();
            final long timestamp = queue.headTimestamp();
            if (entryType == EntryType.EVENT && replica.isApplied(origin, eventIncarnation, localSeq))
            {
                // R6: this event id is already in the log; it is not appended again.
                counters.duplicatesDropped++;
                queue.removeHead();
                continue;
            }
            final DirectBuffer payload = queue.payloads();
            final int payloadOffset = queue.headPayloadOffset();
            final int payloadLength = queue.headPayloadLength();
            final long position = log.append(
                entryType, currentEpoch, counter, originId, eventIncarnation, localSeq, timestamp,
                payload, payloadOffset, payloadLength);
            applyEntry(position, entryType, timestamp, originId, eventIncarnation, localSeq, payload, payloadOffset,
                payloadLength, true);
            ownTickPending &= !(entryType == EntryType.TICK && origin == selfIndex);
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
            if (queue.isEmpty() || !isActive(i))
            {
                continue;
            }
            final long counter = queue.headCounter();
            if (best < 0 || counter < bestCounter ||
                (counter == bestCounter && (noOriginTieBreak ?
                    queue.headArrival() < pending[best].headArrival() :
                    memberIds[i] < memberIds[best])))
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

    /** R8: {@code g = max(g, q-th highest ser over the active set)}, with our own {@code ser_self}. */
    private void updateGuaranteed()
    {
        ser[selfIndex] = serSelf();
        final long quorumSer = QuorumWatermark.of(ser, memberCount, activeMask, quorum);
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
        orderCounterFrame.encode(sendBuffer, 0, selfId, clusterId, currentEpoch, clock).hearsMask(hearsMask());
        if (publish(MessageType.MY_ORDER_COUNTER, orderCounterFrame.encodedLength()))
        {
            lastPromiseSent = clock;
            lastMaskSentNs = nowNs;
            return true;
        }
        return false;
    }

    private boolean publishReport()
    {
        final long have = serSelf();
        final long progress = phase == BootPhase.FETCHING ? fetchNext - 1 : have;
        // g may run ahead of ser_self under batch (peers' forced copies): a report says only what it holds.
        serializeCounterFrame.encode(
            sendBuffer, 0, selfId, clusterId, currentEpoch, Math.min(guaranteed, have), have, log.chkAt(have),
            lastNormalEpoch, intact, progress).hearsMask(hearsMask());
        if (fresh)
        {
            serializeCounterFrame.fresh();
        }
        if (holdsEvents())
        {
            serializeCounterFrame.holdsEvents();
        }
        if (!decided)
        {
            serializeCounterFrame.undecided();
        }
        if (publish(MessageType.MY_SERIALIZE_COUNTER, serializeCounterFrame.encodedLength()))
        {
            lastMaskSentNs = nowNs;
            lastReportSentNs = nowNs;
            return true;
        }
        return false;
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

    /**
     * R10: a member of {@code A} silent for {@code T_fd} is suspected: publish {@code DelNode} and move to a new
     * epoch without it.
     */
    private int checkSilence()
    {
        for (int i = 0; i < memberCount; i++)
        {
            if (i != selfIndex && isActive(i) && isSilent(i))
            {
                if (!startEpochChange(EpochTrigger.SUSPICION, i))
                {
                    return 0;
                }
                counters.suspicions++;
                delNodeFrame.encode(sendBuffer, 0, selfId, clusterId, currentEpoch, memberIds[i], currentEpoch);
                publish(MessageType.DEL_NODE, delNodeFrame.encodedLength());
                return 1;
            }
        }
        return 0;
    }

    /**
     * A transport signal that {@code memberId}'s stream is gone (an Aeron image became unavailable): it is silent
     * (R10), and since frames of it may have been lost, this node leaves the epoch at once.
     */
    public void onMemberUnavailable(final int memberId)
    {
        final int i = cluster.indexOf(memberId);
        if (i >= 0 && i != selfIndex && (mode == NodeMode.BOOT || mode == NodeMode.RUNNING))
        {
            lastHeardNs[i] = Math.min(lastHeardNs[i], nowNs - maxFailureTimeoutNs - 1);
            // no longer heard, whatever it was
            rawHeardNs[i] = Math.min(rawHeardNs[i], nowNs - maxFailureTimeoutNs - 1);
            counters.streamsLost++;
            if (!decided || isActive(i))
            {
                // a member already outside the decided epoch costs nothing to lose
                startEpochChange(EpochTrigger.STREAM_LOST, i);
            }
        }
    }

    /**
     * A transport signal that a new stream of {@code memberId} appeared (a new Aeron image: it restarted, or a cut
     * link healed). Frames sent before it may never arrive: unless the member is outside the decided epoch, this node
     * leaves the epoch, and in the next one every member starts from a clean state.
     */
    public void onMemberAvailable(final int memberId)
    {
        final int i = cluster.indexOf(memberId);
        if (i >= 0 && i != selfIndex && (mode == NodeMode.BOOT || mode == NodeMode.RUNNING))
        {
            lastHeardNs[i] = nowNs;
            allowStalls(i); // a new process (cold, compiling) or a healed link: regular only once it shows it
            if (!decided || isActive(i))
            {
                // Its events or promises of this epoch may have been lost with the old stream, R5 would be unsafe: even
                // before this member has the decision, the others may run and order. A member outside the decided
                // epoch takes part in nothing this member orders, and asks in itself.
                startEpochChange(EpochTrigger.STREAM_RENEWED, i);
            }
        }
    }

    /** @return the hears mask of a {@code MyOrderCounter} or {@code MySerializeCounter} frame. */
    private int hearsMaskOf(final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        if (type == MessageType.MY_ORDER_COUNTER)
        {
            orderCounterFrame.wrap(buffer, offset, length);
            return orderCounterFrame.hearsMask();
        }
        serializeCounterFrame.wrap(buffer, offset, length);
        return serializeCounterFrame.hearsMask();
    }

    /** The members this node heard within {@code T_fd}, itself included, as a mask over member indexes. */
    private int hearsMask()
    {
        int mask = 1 << selfIndex;
        for (int i = 0; i < memberCount; i++)
        {
            // The adaptive timeout: a peer that stalls now and then stays heard through its stalls (with T_fd, load
            // turned into masks that left warm members out of active sets, and into epochs). A lost stream ends it at
            // once (onMemberUnavailable), so a member gone deaf does not keep naming peers it no longer receives.
            if (i != selfIndex && nowNs - rawHeardNs[i] <= failureTimeoutOf(i))
            {
                mask |= 1 << i;
            }
        }
        return mask;
    }

    /**
     * Whether this node and every member of the decided active set hear each other (their hears masks name this
     * node): only then can an epoch take it in.
     */
    private boolean hearsAllActive()
    {
        final int hears = hearsMask();
        for (int i = 0; i < memberCount; i++)
        {
            if (i != selfIndex && isActive(i) && ((hears & (1 << i)) == 0 || isSilent(i)))
            {
                return false;
            }
        }
        return true;
    }

    /** Check-quorum: only a node that hears a quorum (itself included) starts an epoch change on its own. */
    private boolean hearsQuorum()
    {
        return Integer.bitCount(hearsMask()) >= quorum;
    }

    private int allMembersMask()
    {
        return (1 << memberCount) - 1;
    }

    /**
     * A sign of life of {@code index} came {@code gapNs} after its previous one: keep the largest recent gap, halved
     * every {@link #PEAK_GAP_DECAY_NS} while no larger one comes. A gap beyond the largest timeout is an outage (it was
     * suspected, or it was away), not the irregularity of a live member, and is not kept.
     */
    private void notePeerGap(final int index, final long gapNs)
    {
        if (gapNs > maxFailureTimeoutNs)
        {
            return;
        }
        if (gapNs >= peakGapNs[index])
        {
            peakGapNs[index] = gapNs;
            peakGapSinceNs[index] = nowNs;
        }
        else if (nowNs - peakGapSinceNs[index] > PEAK_GAP_DECAY_NS)
        {
            peakGapNs[index] = Math.max(gapNs, peakGapNs[index] >> 1);
            peakGapSinceNs[index] = nowNs;
        }
    }

    /**
     * Treat member {@code index} as one that stalls (half the largest timeout) until its signs of life show otherwise:
     * the allowance halves every {@link #PEAK_GAP_DECAY_NS} while they come regularly. Given to a new stream of a peer
     * (a restarted process, cold and compiling, stalls most), so that it is not suspected, and taken back into an
     * epoch, for every stall of its first seconds. Not at this member's own start: a peer that dies early must still
     * be found after {@code T_fd}, or nothing is ordered meanwhile (R5 waits for its promises).
     */
    private void allowStalls(final int index)
    {
        peakGapNs[index] = maxFailureTimeoutNs / 2;
        peakGapSinceNs[index] = nowNs;
    }

    /**
     * R10's timeout for member {@code index}: {@code T_fd}, or twice the largest recent gap between its signs of life
     * when that is longer, at most {@code maxFailureTimeoutNs}. A member that stalls now and then is suspected once,
     * then given the room its stalls need; one that beats regularly and stops is suspected after {@code T_fd}.
     */
    private long failureTimeoutOf(final int index)
    {
        return Math.min(maxFailureTimeoutNs, Math.max(failureTimeoutNs, 2 * peakGapNs[index]));
    }

    /**
     * Whether a peer's counter (an event's or a promise) is one an honest member can have sent. A peer's Lamport clock
     * runs ahead of this member's only by events this member has not seen yet, and none of them can be ordered (and
     * leave its origin's in-flight limit) without this member's promise: so at most every peer's whole in-flight
     * limit ahead. A garbage frame that passed validation carries a random counter far beyond; believed, it would let
     * this member order its own events past the sender's real ones (I2).
     */
    private boolean plausibleCounter(final long counter)
    {
        return counter >= 0 && counter - clock <= counterSlack; // a heartbeat before any event promises 0
    }

    /** Whether every member of the decided active set has been seen aligned to this epoch (it runs, or is about to). */
    private boolean activeSetOrdering()
    {
        return (orderingSeenMask & activeMask) == activeMask;
    }

    /**
     * A frame of an epoch beyond the window ({@code maxKnownEpoch + MAX_EPOCH_STEP}) is dropped, but a member that
     * really is up there (pushed by a forged frame its peers did not see, or running on while this one was away for
     * more than a window of epochs) would otherwise never be heard again. One sender sending the same far epoch for
     * {@code T_fd} ({@link #FAR_EPOCH_FRAMES} frames at least) widens the window by at most a step (this node's own
     * epoch and its next epoch changes stay where they are): once the window reaches it, its frames are taken as any
     * others (pre-vote and all), and the epoch space still cannot be spent faster than a step per {@code T_fd}.
     */
    private void noteFarEpoch(final int sender, final long epoch)
    {
        if (epoch != farEpoch[sender])
        {
            farEpoch[sender] = epoch;
            farEpochSinceNs[sender] = nowNs;
            farEpochFrames[sender] = 1;
            return;
        }
        farEpochFrames[sender]++;
        if (farEpochFrames[sender] >= FAR_EPOCH_FRAMES && nowNs - farEpochSinceNs[sender] >= failureTimeoutNs)
        {
            widenedEpochTop =
                Math.min(epoch, Math.max(maxKnownEpoch + MAX_EPOCH_STEP, widenedEpochTop) + MAX_EPOCH_STEP);
            counters.epochWindowsWidened++;
            farEpoch[sender] = 0; // the next step, if one is needed, takes another T_fd
        }
    }

    /** More than {@code admissionLag} entries behind the base: caught up outside the epoch, not in it (§10.5). */
    private boolean farBehind(final long have, final long baseHave)
    {
        return have + admissionLag < baseHave;
    }

    /** Not heard within its failure timeout by a frame that says it hears this node (R10, §10.6). */
    private boolean isSilent(final int index)
    {
        return index != selfIndex && nowNs - lastHeardNs[index] > failureTimeoutOf(index);
    }

    private boolean isActive(final int index)
    {
        return (activeMask & (1 << index)) != 0;
    }

    /** A broken promise of the protocol itself: stop this node rather than risk an acknowledged event. */
    private void fatal(final String message)
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
        final int i = cluster.indexOf(memberId);
        return i != selfIndex && isSilent(i);
    }

    /** The active set of the current epoch as a mask over member indexes; 0 before the decision. */
    public int activeMask()
    {
        return activeMask;
    }

    /** The id of the member that coordinates the current epoch (B2), or -1 before the first epoch. */
    public int coordinatorId()
    {
        return currentEpoch > 0 ? memberIds[coordinatorIndex(currentEpoch)] : -1;
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
