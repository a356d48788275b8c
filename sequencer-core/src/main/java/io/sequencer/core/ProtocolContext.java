package io.sequencer.core;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.EpochNanoClock;
import java.util.concurrent.TimeUnit;

/**
 * Configuration of one node's protocol, with defaults, validated once by {@link #conclude()}: every error names
 * the setting and the expected form.
 */
public final class ProtocolContext
{
    /** Default heartbeat interval {@code T_hb}: an idle node's promise reaches its peers at least this often. */
    public static final long DEFAULT_HEARTBEAT_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(5);
    /** Default failure-detection timeout {@code T_fd}: ten heartbeats of silence. */
    public static final long DEFAULT_FAILURE_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(50);
    /**
     * Default {@code T_boot}: a node not running this long after entering an epoch gives up on it (B7); doubles on
     * each failure up to {@link #DEFAULT_MAX_BOOT_TIMEOUT_NS}.
     */
    public static final long DEFAULT_BOOT_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(60);
    public static final long DEFAULT_MAX_BOOT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(2);
    /** Default grace a coordinator gives a member that is not suspected to report, once it holds a quorum. */
    public static final long DEFAULT_DECISION_GRACE_NS = TimeUnit.MILLISECONDS.toNanos(10);
    public static final long DEFAULT_CHECKPOINT_INTERVAL = 100_000;
    public static final int DEFAULT_CHECKPOINTS_KEPT = 3;
    /**
     * Entries the log keeps below the oldest checkpoint kept (§13): a member away for less than this catches up from
     * the log, one away longer by snapshot transfer. 64 cycle files of the default size.
     */
    public static final long DEFAULT_RETAINED_ENTRIES = 64L * 65_536;
    public static final int DEFAULT_MAX_EVENT_LENGTH = 4096;
    public static final int DEFAULT_MAX_RESULT_LENGTH = 256;
    public static final int DEFAULT_MAX_IN_FLIGHT = 4096;
    /**
     * A member further behind the base than this many entries is left out of the epoch and catches up first: while
     * a member of the active set fetches, nobody orders, and at catch-up rates of 500,000 entries/s this bounds
     * that pause to about 20 ms, below {@link #DEFAULT_FAILURE_TIMEOUT_NS}.
     */
    public static final long DEFAULT_ADMISSION_LAG = 10_000;
    /**
     * A member outside the epoch follows the base owner's durable log while it is more than this many entries behind,
     * and asks in once it is closer (§10.5): the epoch that admits it then waits for about this many entries.
     */
    public static final long DEFAULT_FOLLOW_LAG = 256;
    /**
     * Default tick interval (§12): how long the active members wait for each other, in turn, before ordering a tick for
     * a due timer, and how often one member ticks while a timer stays unfired.
     */
    public static final long DEFAULT_TICK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private ClusterConfig cluster;
    private int memberId = -1;
    private int maxEventLength = DEFAULT_MAX_EVENT_LENGTH;
    private int maxResultLength = DEFAULT_MAX_RESULT_LENGTH;
    private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
    private long heartbeatIntervalNs = DEFAULT_HEARTBEAT_INTERVAL_NS;
    private long failureTimeoutNs = DEFAULT_FAILURE_TIMEOUT_NS;
    private long maxFailureTimeoutNs;
    private Durability durability = Durability.NONE;
    private long bootTimeoutNs = DEFAULT_BOOT_TIMEOUT_NS;
    private long maxBootTimeoutNs = DEFAULT_MAX_BOOT_TIMEOUT_NS;
    private long decisionGraceNs = DEFAULT_DECISION_GRACE_NS;
    private long checkpointInterval = DEFAULT_CHECKPOINT_INTERVAL;
    private int checkpointsKept = DEFAULT_CHECKPOINTS_KEPT;
    private long retainedEntries = DEFAULT_RETAINED_ENTRIES;
    private int fetchBatchBytes = 64 * 1024;
    private boolean bootstrap;
    private long jitterSeed;
    private long admissionLag = DEFAULT_ADMISSION_LAG;
    private long followLag = DEFAULT_FOLLOW_LAG;
    private long tickIntervalNs = DEFAULT_TICK_INTERVAL_NS;
    private EpochNanoClock epochClock = new WallEpochNanoClock();
    private boolean acceptDataLoss;
    private long bootId = 1;
    private ErrorHandler errorHandler = Throwable::printStackTrace;
    private ProtocolListener listener = ProtocolListener.NONE;
    private boolean concluded;

    /**
     * Check every setting once.
     *
     * @throws IllegalArgumentException naming the first bad setting.
     */
    public ProtocolContext conclude()
    {
        if (concluded)
        {
            return this;
        }
        require(cluster != null, "cluster", "a ClusterConfig", "none");
        require(cluster.isMember(memberId), "memberId", "one of the member ids of " + cluster, memberId);
        require(maxEventLength >= 0 && maxEventLength <= 16 * 1024 * 1024,
            "maxEventLength", "0..16777216 bytes", maxEventLength);
        require(maxResultLength >= 0 && maxResultLength <= 64 * 1024,
            "maxResultLength", "0..65536 bytes", maxResultLength);
        require(maxInFlight >= 1 && maxInFlight <= 1 << 20 && Integer.bitCount(maxInFlight) == 1,
            "maxInFlight", "a power of two in 1..1048576", maxInFlight);
        require(heartbeatIntervalNs > 0, "heartbeatIntervalNs", "> 0", heartbeatIntervalNs);
        require(failureTimeoutNs > heartbeatIntervalNs,
            "failureTimeoutNs", "> heartbeatIntervalNs (" + heartbeatIntervalNs + ")", failureTimeoutNs);
        require(maxFailureTimeoutNs == 0 || maxFailureTimeoutNs >= failureTimeoutNs,
            "maxFailureTimeoutNs", "0 (10 x failureTimeoutNs) or >= failureTimeoutNs (" + failureTimeoutNs + ")",
            maxFailureTimeoutNs);
        require(durability != null, "durability", "none or batch", "null");
        require(bootTimeoutNs > heartbeatIntervalNs, "bootTimeoutNs", "> heartbeatIntervalNs", bootTimeoutNs);
        require(maxBootTimeoutNs >= bootTimeoutNs, "maxBootTimeoutNs", ">= bootTimeoutNs", maxBootTimeoutNs);
        require(decisionGraceNs >= 0, "decisionGraceNs", ">= 0", decisionGraceNs);
        require(checkpointInterval >= 1, "checkpointInterval", ">= 1 positions", checkpointInterval);
        require(checkpointsKept >= 1, "checkpointsKept", ">= 1", checkpointsKept);
        require(retainedEntries >= 0, "retainedEntries", ">= 0 entries", retainedEntries);
        require(fetchBatchBytes >= 1024 && fetchBatchBytes <= 16 * 1024 * 1024,
            "fetchBatchBytes", "1024..16777216", fetchBatchBytes);
        require(admissionLag >= 0, "admissionLag", ">= 0 entries", admissionLag);
        require(followLag >= 0, "followLag", ">= 0 entries", followLag);
        require(tickIntervalNs > 0 && tickIntervalNs <= TimeUnit.SECONDS.toNanos(10),
            "tickIntervalNs", "1 ns..10 s", tickIntervalNs);
        require(epochClock != null, "epochClock", "a clock of ns since 1970", "null");
        require(bootId != 0, "bootId", "a non-zero id of this machine's boot", bootId);
        require(errorHandler != null, "errorHandler", "an ErrorHandler", "null");
        require(listener != null, "listener", "a ProtocolListener (ProtocolListener.NONE for none)", "null");
        concluded = true;
        return this;
    }

    private static void require(final boolean ok, final String setting, final String expected, final Object actual)
    {
        if (!ok)
        {
            throw new IllegalArgumentException(setting + ": expected " + expected + ", got " + actual);
        }
    }

    public ClusterConfig cluster()
    {
        return cluster;
    }

    public ProtocolContext cluster(final ClusterConfig cluster)
    {
        this.cluster = cluster;
        return this;
    }

    public int memberId()
    {
        return memberId;
    }

    public ProtocolContext memberId(final int memberId)
    {
        this.memberId = memberId;
        return this;
    }

    public int maxEventLength()
    {
        return maxEventLength;
    }

    public ProtocolContext maxEventLength(final int maxEventLength)
    {
        this.maxEventLength = maxEventLength;
        return this;
    }

    public int maxResultLength()
    {
        return maxResultLength;
    }

    public ProtocolContext maxResultLength(final int maxResultLength)
    {
        this.maxResultLength = maxResultLength;
        return this;
    }

    public int maxInFlight()
    {
        return maxInFlight;
    }

    public ProtocolContext maxInFlight(final int maxInFlight)
    {
        this.maxInFlight = maxInFlight;
        return this;
    }

    public long heartbeatIntervalNs()
    {
        return heartbeatIntervalNs;
    }

    public ProtocolContext heartbeatIntervalNs(final long heartbeatIntervalNs)
    {
        this.heartbeatIntervalNs = heartbeatIntervalNs;
        return this;
    }

    public long failureTimeoutNs()
    {
        return failureTimeoutNs;
    }

    public ProtocolContext failureTimeoutNs(final long failureTimeoutNs)
    {
        this.failureTimeoutNs = failureTimeoutNs;
        return this;
    }

    /**
     * The most a peer's failure timeout grows to while its signs of life come irregularly (a starved or overloaded
     * member, docs/protocol.md R10); default 10 x {@link #failureTimeoutNs()}.
     */
    public long maxFailureTimeoutNs()
    {
        return maxFailureTimeoutNs == 0 ? 10 * failureTimeoutNs : maxFailureTimeoutNs;
    }

    public ProtocolContext maxFailureTimeoutNs(final long maxFailureTimeoutNs)
    {
        this.maxFailureTimeoutNs = maxFailureTimeoutNs;
        return this;
    }

    public Durability durability()
    {
        return durability;
    }

    public ProtocolContext durability(final Durability durability)
    {
        this.durability = durability;
        return this;
    }

    public long bootTimeoutNs()
    {
        return bootTimeoutNs;
    }

    public ProtocolContext bootTimeoutNs(final long bootTimeoutNs)
    {
        this.bootTimeoutNs = bootTimeoutNs;
        return this;
    }

    public long maxBootTimeoutNs()
    {
        return maxBootTimeoutNs;
    }

    public ProtocolContext maxBootTimeoutNs(final long maxBootTimeoutNs)
    {
        this.maxBootTimeoutNs = maxBootTimeoutNs;
        return this;
    }

    public long decisionGraceNs()
    {
        return decisionGraceNs;
    }

    public ProtocolContext decisionGraceNs(final long decisionGraceNs)
    {
        this.decisionGraceNs = decisionGraceNs;
        return this;
    }

    /** Checkpoint the state every this many positions: the {@link Snapshotter} does, off the duty cycle. */
    public long checkpointInterval()
    {
        return checkpointInterval;
    }

    public ProtocolContext checkpointInterval(final long checkpointInterval)
    {
        this.checkpointInterval = checkpointInterval;
        return this;
    }

    /**
     * How many checkpoints the snapshot thread keeps: once it writes one, it deletes those older than the newest this
     * many. More than one, so that a damaged newest one still leaves a recent one to rebuild from.
     */
    public int checkpointsKept()
    {
        return checkpointsKept;
    }

    public ProtocolContext checkpointsKept(final int checkpointsKept)
    {
        this.checkpointsKept = checkpointsKept;
        return this;
    }

    /**
     * Retention (§13): the log keeps this many entries below the oldest checkpoint kept and discards those below, so
     * its size is bounded by about this plus {@link #checkpointsKept()} checkpoint intervals. {@code Long.MAX_VALUE}
     * keeps everything.
     */
    public long retainedEntries()
    {
        return retainedEntries;
    }

    public ProtocolContext retainedEntries(final long retainedEntries)
    {
        this.retainedEntries = retainedEntries;
        return this;
    }

    /** The largest {@code Entries} frame sent in answer to a catch-up {@code Fetch}. */
    public int fetchBatchBytes()
    {
        return fetchBatchBytes;
    }

    public ProtocolContext fetchBatchBytes(final int fetchBatchBytes)
    {
        this.fetchBatchBytes = fetchBatchBytes;
        return this;
    }

    /** A reporter further behind the base than this is left out of the epoch to catch up first (B4). */
    public long admissionLag()
    {
        return admissionLag;
    }

    public ProtocolContext admissionLag(final long admissionLag)
    {
        this.admissionLag = admissionLag;
        return this;
    }

    /** A member outside the epoch follows the owner's durable log while further behind than this (§10.5). */
    public long followLag()
    {
        return followLag;
    }

    public ProtocolContext followLag(final long followLag)
    {
        this.followLag = followLag;
        return this;
    }

    /** Tick interval (§12): the stagger between members' ticks for a due timer, and one member's least gap. */
    public long tickIntervalNs()
    {
        return tickIntervalNs;
    }

    public ProtocolContext tickIntervalNs(final long tickIntervalNs)
    {
        this.tickIntervalNs = tickIntervalNs;
        return this;
    }

    /**
     * The clock whose time this member gives the entries it proposes, in ns since 1970 (§12): the cluster time is the
     * largest of them. Default: {@link WallEpochNanoClock}, the wall clock followed within a second.
     */
    public EpochNanoClock epochClock()
    {
        return epochClock;
    }

    public ProtocolContext epochClock(final EpochNanoClock epochClock)
    {
        this.epochClock = epochClock;
        return this;
    }

    /**
     * Mixed with the member id and the epoch into the jitter added to each boot timeout (B7), so that members whose
     * timers started together do not give up together. The runtime seeds it from the clock; the simulator from its
     * seed, so that a run replays exactly.
     */
    public long jitterSeed()
    {
        return jitterSeed;
    }

    public ProtocolContext jitterSeed(final long jitterSeed)
    {
        this.jitterSeed = jitterSeed;
        return this;
    }

    /**
     * True only when the cluster is created: an empty, never-used store then counts as intact. Otherwise a store
     * that was never initialized is a lost disk, and the node catches up before it counts (docs/protocol.md §10.2,
     * "Bootstrap only a cluster that never ran").
     */
    public boolean bootstrap()
    {
        return bootstrap;
    }

    public ProtocolContext bootstrap(final boolean bootstrap)
    {
        this.bootstrap = bootstrap;
        return this;
    }

    /**
     * A one-member cluster under durability {@code none} whose log is not intact refuses to start unless this is
     * set: the operator accepts that acknowledged events may have been lost (docs/protocol.md §6).
     */
    public boolean acceptDataLoss()
    {
        return acceptDataLoss;
    }

    public ProtocolContext acceptDataLoss(final boolean acceptDataLoss)
    {
        this.acceptDataLoss = acceptDataLoss;
        return this;
    }

    /**
     * An id of this machine's current boot: under durability {@code none} a change means the log may have lost its
     * tail.
     */
    public long bootId()
    {
        return bootId;
    }

    public ProtocolContext bootId(final long bootId)
    {
        this.bootId = bootId;
        return this;
    }

    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    public ProtocolContext errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return this;
    }

    public ProtocolListener listener()
    {
        return listener;
    }

    /** Told of epoch changes, decisions and running (default: {@link ProtocolListener#NONE}). */
    public ProtocolContext listener(final ProtocolListener listener)
    {
        this.listener = listener;
        return this;
    }
}
