package io.sequencer.sim;

import io.sequencer.core.ClusterConfig;
import io.sequencer.core.Durability;
import io.sequencer.core.EpochTrigger;
import io.sequencer.core.FrameHandler;
import io.sequencer.core.LogUnwritableException;
import io.sequencer.core.memory.InMemoryNetwork;
import io.sequencer.core.NodeMode;
import io.sequencer.core.ProtocolContext;
import io.sequencer.core.ProtocolListener;
import io.sequencer.core.protocol.BrokenProtocols;
import io.sequencer.core.protocol.SequencerProtocol;
import io.sequencer.core.protocol.Snapshotter;
import io.sequencer.core.SubmitStatus;
import io.sequencer.core.Transport;
import io.sequencer.core.codec.DelNodeFrame;
import io.sequencer.core.codec.DropReason;
import io.sequencer.core.codec.EntriesFrame;
import io.sequencer.core.codec.FrameHeader;
import io.sequencer.core.codec.FrameValidator;
import io.sequencer.core.codec.MessageType;
import io.sequencer.core.codec.MyOrderCounterFrame;
import io.sequencer.core.codec.MySerializeCounterFrame;
import io.sequencer.core.codec.NewEventFrame;
import io.sequencer.core.codec.NewNodeFrame;
import org.agrona.DirectBuffer;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The deterministic simulator: 1 to 3 nodes on one thread, driven by simulated time and one seeded
 * {@link SplittableRandom}. The nodes run the real {@link SequencerProtocol} over simulated disks ({@link SimDisk})
 * and an {@link InMemoryNetwork} that keeps per-publisher FIFO but delays every frame independently, so publishers
 * overtake each other. Client threads on every node submit transfers to an {@link AccountLedger}; duty cycles run
 * at jittered intervals with backoff when idle. With faults on ({@link Fault}), processes crash (anywhere,
 * including inside an unroll, a catch-up, a node-state write, or right after an {@code EpochStart}) and restart,
 * machines lose power, disks are wiped, lose their log directory, their log's tail or middle, or are restored from
 * an old backup, links are cut (both ways or one way, signalled or silent), frames are duplicated, replayed,
 * forged or garbage, nodes pause or are starved of CPU, and some seeds carry long histories with a long catch-up.
 * After every step the {@link InvariantChecker} checks docs/protocol.md §7 ("Invariants"); the run stops at the first
 * violation with a readable trace.
 * <p>
 * Faults that take data from a member respect a budget, so that every acknowledged event stays recoverable by
 * construction: at most |C| − q members lost or not intact at once (one on three members; on two members, where
 * |C| − q is 0, still one, which leaves the other's copy), and I3 is checked against it after every step.
 * <p>
 * Everything that varies comes from the seed, so a seed replays exactly.
 */
public final class Simulation
{
    public static final int CLUSTER_ID = 0x5EC;

    /** Which faults to inject: presets of {@link Fault}s. */
    public enum Faults
    {
        /** None: reorders, delays, back-pressure and short pauses only. */
        NONE,
        /** Process crashes and restarts, anywhere, including torn last writes and crashes inside storage calls. */
        CRASH,
        /** Every fault of {@link Fault#ALL}. */
        ALL
    }

    /** One class of fault, selectable on its own ({@code --faults crash,duplicate,...}). */
    public enum Fault
    {
        /** Process crash and restart, at any step and inside storage calls (torn append, unroll, EpochStart, force). */
        CRASH("crash"),
        /** Power loss: the unforced tail of the log goes, the boot id changes. */
        POWER("power"),
        /** The whole disk wiped. */
        WIPE("wipe"),
        /** A damaged checkpoint (any of them), or the checkpoint directory lost. */
        CHECKPOINT("checkpoint"),
        /** A link cut both ways for 2–100 ms; both ends are told. */
        PARTITION("partition"),
        /** A node stops for 40–120 ms: longer than T_fd. */
        PAUSE("pause"),
        /** For a while, frames are delivered twice. */
        DUPLICATE("duplicate"),
        /** Frames a member was delivered earlier are delivered again: recent ones, and old ones of earlier epochs and
         *  earlier processes of their publisher. */
        REPLAY("replay"),
        /** One direction of a link cut: A hears B, B does not hear A; B may be told, or not until it heals. */
        ONE_WAY("one-way"),
        /** A link that carries nothing for a while and nobody is told (frames held, then delivered: retransmission). */
        SILENT("silent"),
        /** Garbage and forged frames (wrong cluster, unknown sender, epoch near 2^62, huge g/have, random chk) with
         *  authentication on: the transport drops them. */
        FORGED("forged"),
        /** The same frames with authentication off: they reach the protocol. */
        FORGED_OPEN("forged-open"),
        /** A crash inside a node-state write (the write is lost, the old state survives) or right after one. */
        STORE_CRASH("store-crash"),
        /** A crash that tears the node-state file: it reads as a new, uninitialized store. */
        STORE_TORN("store-torn"),
        /** The log directory lost while node.state survives. */
        LOST_LOG("lost-log"),
        /** The log damaged in the middle or cut short by more than one entry, and the storage finds it at open
         *  (damagedAtOpen). */
        LOG_DAMAGE("log-damage"),
        /** The log's tail (more than one entry) lost without a trace: what is left is a whole, well-chained log (a
         *  lost last file). Only the node state's high-water mark can tell. */
        LOG_TAIL("log-tail"),
        /** A wiped member restarted with bootstrap=true. */
        REBOOTSTRAP("rebootstrap"),
        /** A member restored from an older copy of its whole disk (log, checkpoints, node.state). */
        OLD_DISK("old-disk"),
        /** A node's duty cycles stretched past T_fd for a while, the others running on. */
        STARVE("starve"),
        /** A member's disk fills: an append finds no room, the member stops and its process exits (docs/protocol.md
         *  §10.7); restarted, it finds room again, or, half the time, the disk still full and stops again. */
        DISK_FULL("disk-full"),
        /** A member's file system turns read-only after an error (ext4 {@code errors=remount-ro}): its log and node
         *  state refuse writes, the member stops, and the operator checks and mounts it again in the same boot, which
         *  drops what the kernel had not written back. Under {@code none} the log recorded the failure, so the
         *  member's next start runs under another boot id (docs/protocol.md §10.7). */
        FS_READ_ONLY("fs-read-only"),
        /** Some seeds carry tens of thousands of events, with a member down for most of the run (a big catch-up). */
        LONG("long");

        /**
         * What {@code --faults all} selects: every fault class that the protocol is expected to survive. The classes
         * left out are the ones that break the protocol as it stands (issue 9): they stay selectable by name.
         */
        public static final Set<Fault> ALL = Collections.unmodifiableSet(EnumSet.complementOf(EnumSet.of(
            LOG_TAIL, OLD_DISK)));

        final String flag;

        Fault(final String flag)
        {
            this.flag = flag;
        }

        public String flag()
        {
            return flag;
        }

        /**
         * Parse a fault selection: {@code none}, {@code crash}, {@code all}, or a comma-separated list of fault
         * names ({@link #flag()}), where {@code all} stands for {@link #ALL} and {@code -name} removes one.
         *
         * @throws IllegalArgumentException naming what it does not know.
         */
        public static EnumSet<Fault> parse(final String selection)
        {
            final EnumSet<Fault> faults = EnumSet.noneOf(Fault.class);
            for (final String raw : selection.split(","))
            {
                final String item = raw.trim();
                if (item.isEmpty() || item.equals("none"))
                {
                    continue;
                }
                if (item.equals("all"))
                {
                    faults.addAll(ALL);
                    continue;
                }
                final boolean remove = item.startsWith("-");
                final Fault fault = byFlag(remove ? item.substring(1) : item);
                if (remove)
                {
                    faults.remove(fault);
                }
                else
                {
                    faults.add(fault);
                }
            }
            return faults;
        }

        private static Fault byFlag(final String flag)
        {
            for (final Fault fault : values())
            {
                if (fault.flag.equals(flag))
                {
                    return fault;
                }
            }
            final StringBuilder known = new StringBuilder("none, all");
            for (final Fault fault : values())
            {
                known.append(", ").append(fault.flag);
            }
            throw new IllegalArgumentException("unknown fault '" + flag + "': expected a comma-separated list of " +
                known + " (-name removes one)");
        }

        /** The shortest selection string that {@link #parse} turns back into {@code faults}. */
        public static String describe(final Set<Fault> faults)
        {
            if (faults.isEmpty())
            {
                return "none";
            }
            if (faults.equals(EnumSet.of(CRASH)))
            {
                return "crash";
            }
            final StringBuilder sb = new StringBuilder();
            if (faults.containsAll(ALL))
            {
                sb.append("all");
                for (final Fault fault : values())
                {
                    if (faults.contains(fault) && !ALL.contains(fault))
                    {
                        sb.append(',').append(fault.flag);
                    }
                }
                return sb.toString();
            }
            if (faults.size() * 2 > ALL.size())
            {
                sb.append("all");
                for (final Fault fault : ALL)
                {
                    if (!faults.contains(fault))
                    {
                        sb.append(",-").append(fault.flag);
                    }
                }
                for (final Fault fault : values())
                {
                    if (faults.contains(fault) && !ALL.contains(fault))
                    {
                        sb.append(',').append(fault.flag);
                    }
                }
                return sb.toString();
            }
            for (final Fault fault : values())
            {
                if (faults.contains(fault))
                {
                    sb.append(sb.length() == 0 ? "" : ",").append(fault.flag);
                }
            }
            return sb.toString();
        }
    }

    /** How long after the last submit and the last fault every event must be acknowledged and every log identical. */
    static final long LIVENESS_DEADLINE_NS = TimeUnit.SECONDS.toNanos(10);
    /** An epoch no cluster reaches by epoch changes in a simulated run: a node above it adopted a forgery. */
    static final long IMPLAUSIBLE_EPOCH = 1L << 40;
    /** One seed in this many carries a long history (with {@link Fault#LONG}). */
    static final int LONG_HISTORY_ONE_IN = 200;
    private static final long T_FD_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long MAX_IDLE_BACKOFF_NS = TimeUnit.MICROSECONDS.toNanos(200);
    private static final int FRAGMENT_LIMIT = 32;
    private static final int INGRESS_LIMIT = 16;
    private static final int CLIENTS_PER_NODE = 2;

    /** What to simulate. */
    public static final class Options
    {
        long seed = 1;
        int nodes = 3;
        int events = 200;
        Durability durability;
        final EnumSet<Fault> faults = EnumSet.noneOf(Fault.class);
        EnumSet<ProtocolDefect> defects = EnumSet.noneOf(ProtocolDefect.class);
        int traceLines = 60;
        boolean forceLongHistory;
        boolean retention = true;

        public Options seed(final long seed)
        {
            this.seed = seed;
            return this;
        }

        public Options nodes(final int nodes)
        {
            if (nodes < 1 || nodes > ClusterConfig.MAX_MEMBERS)
            {
                throw new IllegalArgumentException("nodes: expected 1, 2 or 3, got " + nodes);
            }
            this.nodes = nodes;
            return this;
        }

        public Options events(final int events)
        {
            if (events < 0)
            {
                throw new IllegalArgumentException("events: expected >= 0, got " + events);
            }
            this.events = events;
            return this;
        }

        /** Fix the durability policy; by default each seed picks one. */
        public Options durability(final Durability durability)
        {
            this.durability = durability;
            return this;
        }

        /** A preset: none, crash or all. */
        public Options faults(final Faults faults)
        {
            this.faults.clear();
            if (faults == Faults.CRASH)
            {
                this.faults.add(Fault.CRASH);
            }
            else if (faults == Faults.ALL)
            {
                this.faults.addAll(Fault.ALL);
            }
            return this;
        }

        /** Exactly these fault classes. */
        public Options faults(final Set<Fault> faults)
        {
            this.faults.clear();
            this.faults.addAll(faults);
            return this;
        }

        /** Make this seed a long history (with {@link Fault#LONG}), whatever the seed says. */
        public Options forceLongHistory(final boolean force)
        {
            this.forceLongHistory = force;
            return this;
        }

        /**
         * Whether members discard their logs below their checkpoints (§13; on three processes in four, drawn per
         * process): off, every catch-up is a fetch of entries, never a snapshot transfer.
         */
        public Options retention(final boolean retention)
        {
            this.retention = retention;
            return this;
        }

        /** Test only: run a deliberately broken protocol. */
        public Options defects(final EnumSet<ProtocolDefect> defects)
        {
            this.defects = defects;
            return this;
        }

        public Options traceLines(final int traceLines)
        {
            this.traceLines = traceLines;
            return this;
        }
    }

    /** What a run did. */
    public record Result(
        long seed,
        int nodes,
        Durability durability,
        String faults,
        long eventsAccepted,
        long eventsAcknowledged,
        long crossPublisherReorders,
        long crashes,
        long epochChanges,
        List<Long> failoversNs,
        Map<String, Long> exercised,
        long steps,
        long simulatedNs,
        String violation,
        List<String> trace,
        String replay,
        long fingerprint)
    {
        public boolean passed()
        {
            return violation == null;
        }

        /** The seed, the violation and the last steps: what a person needs to start debugging. */
        public String report()
        {
            final StringBuilder sb = new StringBuilder()
                .append("seed ").append(seed).append(" (nodes ").append(nodes).append(", durability ")
                .append(durability.name().toLowerCase()).append(", faults ").append(faults)
                .append(") violated an invariant after ").append(steps).append(" steps at ")
                .append(simulatedNs / 1000).append(" us:\n  ").append(violation).append("\n  last steps:\n");
            for (final String line : trace)
            {
                sb.append("    ").append(line).append('\n');
            }
            return sb.append("  replay: ").append(replay).toString();
        }
    }

    /**
     * A submit on its way from a client thread to the node's duty cycle (the ingress ring): it is initiated at one
     * time and drained later, so two clients' submits can reach the node in the opposite order.
     */
    private static final class Ingress implements Comparable<Ingress>
    {
        final long initiatedSeq;
        final long initiatedNs;
        final long maxAckedPositionAtInitiation;
        final int client;
        final byte[] event;
        final String description;
        long arriveNs;

        Ingress(final long initiatedSeq, final long initiatedNs, final long maxAckedPositionAtInitiation,
            final int client, final byte[] event, final String description, final long arriveNs)
        {
            this.initiatedSeq = initiatedSeq;
            this.initiatedNs = initiatedNs;
            this.maxAckedPositionAtInitiation = maxAckedPositionAtInitiation;
            this.client = client;
            this.event = event;
            this.description = description;
            this.arriveNs = arriveNs;
        }

        public int compareTo(final Ingress other)
        {
            final int byTime = Long.compare(arriveNs, other.arriveNs);
            return byTime != 0 ? byTime : Long.compare(initiatedSeq, other.initiatedSeq);
        }
    }

    private static final int WORK = 0;
    private static final int SUBMIT = 1;
    private static final int FAULT = 2;
    private static final int RESTART = 3;
    private static final int HEAL = 4;
    private static final int ACTION = 5;

    private record Timer(long timeNs, long seq, int kind, int node, long generation, Runnable action)
        implements Comparable<Timer>
    {
        public int compareTo(final Timer other)
        {
            final int byTime = Long.compare(timeNs, other.timeNs);
            return byTime != 0 ? byTime : Long.compare(seq, other.seq);
        }
    }

    // The fault actions a FAULT timer picks from (one slot each; some classes take two).
    private static final int F_CRASH = 0;
    private static final int F_TRAP = 1;
    private static final int F_TORN = 2;
    private static final int F_POWER = 3;
    private static final int F_WIPE = 4;
    private static final int F_PARTITION = 5;
    private static final int F_PAUSE = 6;
    private static final int F_CHECKPOINT = 7;
    private static final int F_DUPLICATE = 8;
    private static final int F_REPLAY = 9;
    private static final int F_ONE_WAY = 10;
    private static final int F_SILENT = 11;
    private static final int F_INJECT = 12;
    private static final int F_STORE_TRAP = 13;
    private static final int F_STORE_TORN = 14;
    private static final int F_LOST_LOG = 15;
    private static final int F_LOG_DAMAGE = 16;
    private static final int F_REBOOTSTRAP = 17;
    private static final int F_OLD_DISK = 18;
    private static final int F_STARVE = 19;
    private static final int F_LOG_TAIL = 20;
    private static final int F_DISK_FULL = 21;
    private static final int F_FS_READ_ONLY = 22;

    /** One machine: its disk survives; its process comes and goes. */
    private final class SimNode
    {
        final int index;
        final int memberId;
        final SimDisk disk = new SimDisk();
        SequencerProtocol protocol;
        AccountLedger ledger;
        /** Its snapshot thread's work, stepped now and then among the duty cycles. */
        Snapshotter snapshotter;
        /** A crash trap fired on the snapshot thread (which reports it, as it does any failure): the process dies. */
        String snapshotCrash;
        FrameHandler handler;
        boolean up;
        /** Inside {@link #stopOnFullDisk}: the stop the protocol reports is the one the fault asked for. */
        boolean stoppingOnUnwritableLog;
        /** What the protocol last said of its log (false from a fault that takes data until the next start). */
        boolean diskIntact = true;
        /** The simulator's truth: a fault took data from this member and it does not yet hold every acked event. */
        boolean lost;
        String lostBy;
        /** Restart the next process with bootstrap=true (a wiped member "re-created"). */
        boolean bootstrapNext;
        /** Kept down by a long-history seed: restarts wait. */
        boolean heldDown;
        long pausedUntilNs;
        long starvedUntilNs;
        long generation;
        long idleBackoffNs;
        long nextCorrelationId;
        final PriorityQueue<Ingress> ingress = new PriorityQueue<>();
        final long[] maxInitiatedSeqDrained = new long[CLIENTS_PER_NODE];

        SimNode(final int index)
        {
            this.index = index;
            this.memberId = cluster.memberId(index);
        }
    }

    private final Options options;
    private final EnumSet<Fault> faults;
    private final SplittableRandom random;
    /**
     * Draws for the crash inside an unroll armed at a restart: a stream of their own, so that adding them left every
     * other draw of a seed where it was (the broken-protocol seeds that find each defect stay the same).
     */
    private final SplittableRandom unrollTrapDraws;
    private final Durability durability;
    private final ClusterConfig cluster;
    private final InMemoryNetwork network;
    private final SimNode[] nodes;
    private final InvariantChecker checker;
    private final Trace trace;
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final UnsafeBuffer submitBuffer = new UnsafeBuffer(new byte[256]);
    private final boolean[][] cut;
    private final boolean[] unimpaired;
    private final int[] memberIds;
    private final int[] faultSlots;
    /** Members that may be lost or not intact at once: |C| − q, and one on two members (see the class comment). */
    private final int lossBudget;
    private final boolean authentication;
    /** Every epoch a member entered after its first (distinct): a forged jump counts once, not by its size. */
    private final LongHashSet epochsEntered = new LongHashSet();
    private final ProtocolListener epochListener = new ProtocolListener()
    {
        public void onEpochEntered(final long previousEpoch, final long epoch, final EpochTrigger trigger,
            final int memberId)
        {
            if (epoch > 1)
            {
                epochsEntered.add(epoch);
            }
        }
    };
    private final boolean longHistory;
    /**
     * The members' follow lag (§10.5), drawn per seed from a stream of its own (the seed's other draws stay as they
     * were): mostly a few entries, so that the short histories of most seeds have members outside the epoch follow
     * the owner's durable log, as the default 256 makes only long catch-ups do; the default on long histories.
     */
    private final long followLag;
    /** Each member's clock is the simulated time plus its skew, from {@link #CLOCK_ORIGIN_NS} (§12). */
    private final long[] clockSkewNs;
    private final long tickIntervalNs;
    private static final long CLOCK_ORIGIN_NS = 1_800_000_000_000_000_000L;
    private final int events;
    private int longDownIndex = -1;
    private long longDownAt = -1;
    private long longUpAt = -1;
    private boolean longDownDone;
    private long duplicateUntilNs;
    private int duplicatePerMille;
    private long timerSeq;
    private long nowNs;
    private long steps;
    private long initiated;
    private long initiatedSeq;
    private long ingressReorders;
    private long crashes;
    private long lastFaultNs;
    private boolean faultsScheduled;
    private boolean faultsOver;
    private long maxHaveEver;
    private long failoverStartNs = -1;
    private int failoverCrashed = -1;
    private long failoverEpoch;
    private final List<Long> failoversNs = new ArrayList<>();
    private final TreeMap<String, Long> exercised = new TreeMap<>();

    private final FrameValidator traceValidator = new FrameValidator(Integer.MAX_VALUE);
    private final NewEventFrame traceNewEvent = new NewEventFrame();
    private final MyOrderCounterFrame traceOrderCounter = new MyOrderCounterFrame();
    private final MySerializeCounterFrame traceReport = new MySerializeCounterFrame();

    private final UnsafeBuffer forgeBuffer = new UnsafeBuffer(new byte[2048]);
    private final MySerializeCounterFrame forgeReport = new MySerializeCounterFrame();
    private final MyOrderCounterFrame forgeOrderCounter = new MyOrderCounterFrame();
    private final DelNodeFrame forgeDelNode = new DelNodeFrame();
    private final NewNodeFrame forgeNewNode = new NewNodeFrame();
    private final EntriesFrame forgeEntries = new EntriesFrame();

    private Simulation(final Options options)
    {
        this.options = options;
        this.faults = EnumSet.noneOf(Fault.class);
        this.faults.addAll(options.faults);
        this.random = new SplittableRandom(options.seed);
        this.unrollTrapDraws = new SplittableRandom(options.seed ^ 0x6A09E667F3BCC909L);
        final long followDraw = new SplittableRandom(options.seed ^ 0x5DEECE66DL).nextLong(8);
        // Members' clocks (§12) from a stream of their own, so the other draws replay as before: each is off by up to
        // 20 ms, and in one seed of eight one member is 2 s ahead; the tick interval is the default or 0.1..4 ms.
        final SplittableRandom clockDraws = new SplittableRandom(options.seed ^ 0x2545F4914F6CDD1DL);
        clockSkewNs = new long[options.nodes];
        for (int i = 0; i < options.nodes; i++)
        {
            clockSkewNs[i] = clockDraws.nextLong(-20_000_000, 20_000_001);
        }
        if (clockDraws.nextInt(8) == 0)
        {
            clockSkewNs[clockDraws.nextInt(options.nodes)] = 2_000_000_000L;
        }
        tickIntervalNs = clockDraws.nextBoolean() ? ProtocolContext.DEFAULT_TICK_INTERVAL_NS :
            100_000L << clockDraws.nextInt(6);
        this.durability = options.durability != null ? options.durability :
            random.nextBoolean() ? Durability.BATCH : Durability.NONE;
        this.cluster = ClusterConfig.ofSize(CLUSTER_ID, options.nodes);
        this.trace = new Trace(options.traceLines);

        final int n = options.nodes;
        lossBudget = n == 1 ? 0 : Math.max(1, n - cluster.quorum());
        network = new InMemoryNetwork(this::delayNs, cluster.memberIds());
        nodes = new SimNode[n];
        cut = new boolean[n][n];
        unimpaired = new boolean[n];
        memberIds = cluster.memberIds();
        for (int i = 0; i < n; i++)
        {
            nodes[i] = new SimNode(i);
        }
        checker = new InvariantChecker(cluster, durability, n, trace);
        for (int i = 0; i < n; i++)
        {
            checker.onDisk(i, nodes[i].disk.log);
            final SimNode node = nodes[i];
            node.disk.tearAllowed = () -> lossAllowed(node);
        }
        final int refusalPerMille = new int[] { 0, 0, 5, 50 }[random.nextInt(4)];
        network.backPressure(from -> refusalPerMille > 0 && random.nextInt(1000) < refusalPerMille);
        network.publishObserver(checker::onPublish);
        network.deliveryObserver(this::traceDelivery);
        network.sessionObserver(this::onNewSession);

        // Draws below happen only for the fault classes selected, so none and crash replay as they always did.
        authentication =
            !(faults.contains(Fault.FORGED_OPEN) && (!faults.contains(Fault.FORGED) || random.nextBoolean()));
        network.authentication(authentication);
        network.keepHistory(faults.contains(Fault.REPLAY));
        if (faults.contains(Fault.DUPLICATE))
        {
            network.duplication(this::duplicateAfterNs);
        }
        longHistory = faults.contains(Fault.LONG) &&
            (random.nextInt(LONG_HISTORY_ONE_IN) == 0 | options.forceLongHistory);
        events = longHistory ? 10_000 + random.nextInt(30_000) : options.events;
        followLag = longHistory || followDraw == 0 ? ProtocolContext.DEFAULT_FOLLOW_LAG : 1L << (followDraw - 1);
        if (longHistory)
        {
            count("long histories");
            longUpAt = events * 17L / 20;
            if (n >= 3)
            {
                longDownIndex = random.nextInt(n);
                longDownAt = events / 20;
            }
            else if (n == 2)
            {
                longDownIndex = random.nextInt(n);
            }
        }
        faultSlots = faultSlots(faults);
        seedCounters();
    }

    private static int[] faultSlots(final Set<Fault> faults)
    {
        final List<Integer> slots = new ArrayList<>();
        if (faults.contains(Fault.CRASH))
        {
            slots.addAll(List.of(F_CRASH, F_CRASH, F_TRAP, F_TORN));
        }
        final Object[][] single = {
            { Fault.POWER, F_POWER }, { Fault.WIPE, F_WIPE }, { Fault.PARTITION, F_PARTITION },
            { Fault.PARTITION, F_PARTITION }, { Fault.PAUSE, F_PAUSE }, { Fault.CHECKPOINT, F_CHECKPOINT },
            { Fault.DUPLICATE, F_DUPLICATE }, { Fault.REPLAY, F_REPLAY }, { Fault.ONE_WAY, F_ONE_WAY },
            { Fault.SILENT, F_SILENT }, { Fault.STORE_CRASH, F_STORE_TRAP }, { Fault.STORE_TORN, F_STORE_TORN },
            { Fault.LOST_LOG, F_LOST_LOG }, { Fault.LOG_DAMAGE, F_LOG_DAMAGE }, { Fault.LOG_TAIL, F_LOG_TAIL },
            { Fault.REBOOTSTRAP, F_REBOOTSTRAP }, { Fault.OLD_DISK, F_OLD_DISK }, { Fault.STARVE, F_STARVE },
            { Fault.DISK_FULL, F_DISK_FULL },
            { Fault.FS_READ_ONLY, F_FS_READ_ONLY },
        };
        for (final Object[] entry : single)
        {
            if (faults.contains((Fault)entry[0]))
            {
                slots.add((Integer)entry[1]);
            }
        }
        if (faults.contains(Fault.FORGED) || faults.contains(Fault.FORGED_OPEN))
        {
            slots.add(F_INJECT);
        }
        final int[] array = new int[slots.size()];
        for (int i = 0; i < array.length; i++)
        {
            array[i] = slots.get(i);
        }
        return array;
    }

    /** Every selected fault class shows on the exercised line, even when a seed never drew it. */
    private void seedCounters()
    {
        final Object[][] names = {
            { Fault.CRASH, "process crashes" }, { Fault.POWER, "power losses" }, { Fault.WIPE, "disks wiped" },
            { Fault.PARTITION, "partitions" }, { Fault.PAUSE, "long pauses" },
            { Fault.DUPLICATE, "frames duplicated" }, { Fault.REPLAY, "frames replayed" },
            { Fault.ONE_WAY, "one-way partitions" }, { Fault.ONE_WAY, "point-to-point paths cut" },
            { Fault.SILENT, "silent partitions" },
            { Fault.STORE_CRASH, "node-state writes lost" }, { Fault.STORE_CRASH, "crashes after a node-state write" },
            { Fault.STORE_TORN, "node-state files torn" }, { Fault.LOST_LOG, "log directories lost" },
            { Fault.LOG_TAIL, "log tails lost without a trace" }, { Fault.LOG_DAMAGE, "logs damaged or cut short" },
            { Fault.REBOOTSTRAP, "wiped members re-bootstrapped" }, { Fault.OLD_DISK, "old disks restored" },
            { Fault.STARVE, "starvation episodes" }, { Fault.STARVE, "starved duty cycles" },
            { Fault.DISK_FULL, "disks filled" }, { Fault.DISK_FULL, "members stopped on a full disk" },
            { Fault.FS_READ_ONLY, "file systems turned read-only" },
            { Fault.CHECKPOINT, "checkpoints damaged" }, { Fault.LONG, "long histories" },
            { Fault.FORGED, "garbage frames injected" }, { Fault.FORGED, "forged frames injected" },
            { Fault.FORGED, "injected frames dropped by authentication" },
            { Fault.FORGED_OPEN, "garbage frames injected" }, { Fault.FORGED_OPEN, "forged frames injected" },
            { Fault.FORGED_OPEN, "injected frames reaching the protocol" },
        };
        for (final Object[] entry : names)
        {
            if (faults.contains((Fault)entry[0]))
            {
                exercised.putIfAbsent((String)entry[1], 0L);
            }
        }
    }

    private void count(final String what)
    {
        exercised.merge(what, 1L, Long::sum);
    }

    /** Run one seed. */
    public static Result run(final Options options)
    {
        return new Simulation(options).run();
    }

    private void startProcess(final SimNode node, final boolean bootstrap)
    {
        node.disk.log.recover(); // what opening the log does
        node.generation++;
        node.ledger = new AccountLedger();
        final int index = node.index;
        final long generation = node.generation;
        final ProtocolContext context = new ProtocolContext()
            .cluster(cluster)
            .memberId(node.memberId)
            .durability(durability)
            .maxEventLength(1024)
            .maxResultLength(AccountLedger.RESULT_LENGTH)
            .maxInFlight(1024)
            .checkpointInterval(16 + random.nextInt(48))
            // retention (§13) on three processes in four: a member away for longer than a few checkpoint intervals
            // then needs a snapshot transfer
            .retainedEntries(random.nextInt(4) == 0 || !options.retention ? Long.MAX_VALUE : 16L * random.nextInt(3))
            .followLag(followLag)
            .tickIntervalNs(tickIntervalNs)
            .epochClock(() -> CLOCK_ORIGIN_NS + nowNs + clockSkewNs[index])
            .bootstrap(bootstrap)
            .bootId(node.disk.bootId)
            .errorHandler(ex -> onNodeError(index, ex))
            .listener(epochListener);
        final Transport transport = network.endpoint(node.memberId);
        node.disk.tearWhenFull = options.defects.contains(ProtocolDefect.TEAR_WHEN_FULL);
        node.protocol = BrokenProtocols.create(options.defects,
            context, node.disk.logView, node.disk.checkpointView, node.disk.storeView, node.ledger, transport,
            (correlationId, position, status, result, offset, length) ->
            {
                if (nodes[index].generation == generation)
                {
                    checker.onCompleted(index, correlationId, position, status, result, offset, length);
                    if (failoverStartNs >= 0 && index != failoverCrashed &&
                        nodes[index].protocol.currentEpoch() > failoverEpoch)
                    {
                        failoversNs.add(nowNs - failoverStartNs);
                        failoverStartNs = -1;
                    }
                }
            });
        final SequencerProtocol protocol = node.protocol;
        node.snapshotter = new Snapshotter(context, new AccountLedger(), node.disk.checkpointView,
            from -> new SimCommittedEntries(node.disk.logView, protocol::guaranteed, from),
            () -> protocol.mode() == NodeMode.RUNNING, protocol::retainUpTo, protocol::checkpointNeeded,
            ex -> onSnapshotError(index, generation, ex));
        node.snapshotCrash = null;
        node.handler = node.protocol::onFrame;
        node.up = true;
        network.connect(node.memberId);
        checker.onProcessStarted(index, node.protocol);
        try
        {
            node.protocol.start(nowNs);
        }
        catch (final SimulatedCrash crash)
        {
            crash(node, "crash trap fired " + crash.getMessage());
            return;
        }
        catch (final LogUnwritableException ex)
        {
            stopOnUnwritableLog(node, ex);
            return;
        }
        catch (final RuntimeException ex)
        {
            checker.fail("member " + node.memberId + " failed to start: " + ex);
            return;
        }
        trace.add(nowNs, "start member " + node.memberId + " incarnation " + node.protocol.incarnation() +
            " epoch " + node.protocol.currentEpoch() + (node.protocol.isIntact() ? "" : " NOT intact") +
            " have " + node.disk.log.have() + (bootstrap && node.generation > 1 ? " with bootstrap=true" : ""));
        schedule(nowNs + random.nextLong(10_000), WORK, index);
    }

    /** What a snapshot thread reports is a fault it recovered from, or a failure of the protocol. */
    private void onSnapshotError(final int index, final long generation, final Throwable ex)
    {
        if (nodes[index].generation != generation)
        {
            return;
        }
        if (ex instanceof SimulatedCrash)
        {
            nodes[index].snapshotCrash = ex.getMessage();
            return;
        }
        count("snapshot thread failures");
        if (ex instanceof io.sequencer.core.RecoveredFault)
        {
            trace.add(nowNs, "member " + nodes[index].memberId + " snapshot thread: " + ex.getMessage());
            return;
        }
        checker.fail("snapshot thread of member " + nodes[index].memberId + " failed: " + ex);
    }

    private void onNodeError(final int index, final Throwable ex)
    {
        if (ex instanceof io.sequencer.core.RecoveredFault)
        {
            trace.add(nowNs, "member " + nodes[index].memberId + " recovered: " + ex.getMessage());
            return; // the consequence of an injected fault, handled as it must be
        }
        if (nodes[index].stoppingOnUnwritableLog)
        {
            trace.add(nowNs, "member " + nodes[index].memberId + " stopped: " + ex.getMessage());
            return; // the runtime's stop on a log that cannot be written, reported as it must be
        }
        final SequencerProtocol protocol = nodes[index].protocol;
        if (!authentication && protocol != null && protocol.mode() != NodeMode.STOPPED)
        {
            // Forged frames reach the protocol: an error it reports and survives is what it should do with them.
            count("errors reported on forged frames");
            trace.add(nowNs, "member " + nodes[index].memberId + " reported: " + ex.getMessage());
            return;
        }
        checker.fail("error at member " + nodes[index].memberId + ": " + ex);
    }

    private Result run()
    {
        for (final SimNode node : nodes)
        {
            node.disk.store.bootId(0);
            startProcess(node, true);
        }
        if (events > 0)
        {
            schedule(random.nextLong(50_000), SUBMIT, -1);
        }
        if (faultSlots.length > 0 || longHistory)
        {
            faultsScheduled = true;
            schedule(TimeUnit.MILLISECONDS.toNanos(20) + faultGapNs(), FAULT, -1);
        }

        long lastSubmitNs = 0;
        while (!timers.isEmpty())
        {
            final Timer timer = timers.poll();
            nowNs = timer.timeNs;
            network.time(nowNs);
            steps++;

            switch (timer.kind)
            {
                case WORK:
                    if (nodes[timer.node].generation == timer.generation)
                    {
                        work(nodes[timer.node]);
                    }
                    break;
                case SUBMIT:
                    initiateSubmit();
                    initiated++;
                    lastSubmitNs = nowNs;
                    if (longHistory)
                    {
                        longHistoryMilestones();
                    }
                    if (initiated < events)
                    {
                        schedule(nowNs + submitGapNs(), SUBMIT, -1);
                    }
                    break;
                case FAULT:
                    if (initiated < events)
                    {
                        injectFault();
                        schedule(nowNs + faultGapNs(), FAULT, -1);
                    }
                    else
                    {
                        healEverything();
                    }
                    break;
                case RESTART:
                    if (!nodes[timer.node].up && !nodes[timer.node].heldDown)
                    {
                        restart(nodes[timer.node]);
                    }
                    break;
                case HEAL:
                    heal(timer.node);
                    break;
                case ACTION:
                    timer.action.run();
                    break;
                default:
                    throw new IllegalStateException("timer kind " + timer.kind);
            }

            checker.afterStep(nowNs);
            afterStep();
            if (checker.violation() != null)
            {
                break;
            }
            if (initiated == events && (!faultsScheduled || faultsOver))
            {
                final long quietSince = Math.max(lastSubmitNs, lastFaultNs);
                if (atRest())
                {
                    checker.checkQuiescent(ledgers());
                    break;
                }
                if (nowNs - quietSince > LIVENESS_DEADLINE_NS)
                {
                    final String problem = checker.quiescenceProblem(ledgers());
                    checker.fail("I8: the cluster did not come to rest within " + LIVENESS_DEADLINE_NS / 1_000_000 +
                        " ms of the last submit and fault" + restState() +
                        (problem != null ? "\n    for one: " + problem : ""));
                    break;
                }
            }
        }

        for (final SimNode node : nodes)
        {
            if (node.up)
            {
                addCounters(node);
            }
        }
        final long epochChanges = epochsEntered.size();
        exercised.merge("stale session frames dropped", network.staleSessionFrames(), Long::sum);
        exercised.merge("acknowledged without a result (below an installed snapshot)", checker.resultsUnknown(),
            Long::sum);
        if (faults.contains(Fault.DUPLICATE))
        {
            exercised.merge("frames duplicated", network.duplicatesDelivered(), Long::sum);
        }
        if (faults.contains(Fault.REPLAY))
        {
            exercised.merge("frames replayed", network.replaysDelivered(), Long::sum);
        }
        if (faults.contains(Fault.FORGED) || faults.contains(Fault.FORGED_OPEN))
        {
            exercised.merge("injected frames dropped by authentication", network.injectedRejected(), Long::sum);
            exercised.merge("injected frames reaching the protocol", network.injectedDelivered(), Long::sum);
        }
        final String described = Fault.describe(faults);
        final String replay = "./sequencer simulate --seed " + options.seed + " --nodes " + options.nodes +
            " --faults " + described + (options.events != 200 ? " --events " + options.events : "") +
            (options.durability != null ? " --durability " + options.durability.name().toLowerCase() : "") +
            (options.forceLongHistory && faults.contains(Fault.LONG) ? " --long" : "");
        return new Result(
            options.seed, options.nodes, durability, described, checker.accepted(), checker.ackedCount(),
            network.crossPublisherReorders() + ingressReorders, crashes, epochChanges, failoversNs, exercised, steps,
            nowNs, checker.violation(), checker.violation() == null ? List.of() : trace.lastLines(), replay,
            fingerprint(steps, epochChanges));
    }

    /**
     * What a seed ended with, hashed: the steps taken, the simulated time, the events accepted and acknowledged, the
     * epochs entered, what the run exercised (every fault and protocol path counted on the "exercised" line), and
     * for each member its log (its base, length and final chk, which chains every entry), its node store's fields
     * and its running process's counters. A change that keeps the protocol's behaviour (a restructure) keeps every
     * seed's fingerprint (`simulate --fingerprints`).
     */
    private long fingerprint(final long steps, final long epochChanges)
    {
        long hash = 0;
        final long[] words = { steps, nowNs, checker.accepted(), checker.ackedCount(), epochChanges };
        for (final long word : words)
        {
            hash = mix(hash, word);
        }
        for (final Map.Entry<String, Long> count : exercised.entrySet()) // by name: a TreeMap
        {
            hash = mix(mix(hash, count.getKey().hashCode()), count.getValue());
        }
        for (final SimNode node : nodes)
        {
            final io.sequencer.core.memory.InMemoryEventLog log = node.disk.log;
            hash = mix(mix(mix(hash, log.base()), log.have()), log.chkAt(log.have()));
            final io.sequencer.core.memory.InMemoryNodeStore store = node.disk.store;
            final long[] stored = {
                store.initialized() ? 1 : 0, store.logId(), store.highWater(), store.currentEpoch(),
                store.guaranteed(), store.amnesia() ? 1 : 0, store.unrollIntent() };
            for (final long word : stored)
            {
                hash = mix(hash, word);
            }
            if (node.protocol != null)
            {
                for (final java.lang.reflect.Method counter : COUNTER_GETTERS)
                {
                    hash = mix(hash, counterValue(counter, node.protocol.counters()));
                }
            }
        }
        return hash;
    }

    /**
     * Every counter of {@link io.sequencer.core.protocol.ProtocolCounters} (its public no-argument {@code long}
     * getters, by name): a path that changes only what is counted changes the fingerprint too.
     */
    private static final java.lang.reflect.Method[] COUNTER_GETTERS = java.util.Arrays.stream(
        io.sequencer.core.protocol.ProtocolCounters.class.getMethods())
        .filter(m -> m.getParameterCount() == 0 && m.getReturnType() == long.class)
        .sorted(java.util.Comparator.comparing(java.lang.reflect.Method::getName))
        .toArray(java.lang.reflect.Method[]::new);

    private static long counterValue(
        final java.lang.reflect.Method getter, final io.sequencer.core.protocol.ProtocolCounters counters)
    {
        try
        {
            return (long)getter.invoke(counters);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException("counter " + getter.getName(), ex);
        }
    }

    private static long mix(final long hash, final long word)
    {
        final long h = (hash ^ word) * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 31);
    }

    /**
     * After every step: members that a fault took data from are recovered once they hold every acknowledged event
     * again; nothing implausible was adopted; no member stopped; and I3 holds within the fault budget.
     */
    private void afterStep()
    {
        if (checker.violation() != null)
        {
            return;
        }
        final boolean[] unimpaired = this.unimpaired;
        int impaired = 0;
        for (final SimNode node : nodes)
        {
            maxHaveEver = Math.max(maxHaveEver, node.disk.log.have());
        }
        for (final SimNode node : nodes)
        {
            // A checkpoint that loads at or above the log's base, not just one there: a damaged one counted, and on
            // two members the budget let a second member be impaired while this one still could not rebuild its
            // state (seed 4766: neither intact, no decision ever again).
            if (node.lost && node.up && node.protocol.isIntact() && node.protocol.mode() == NodeMode.RUNNING &&
                checker.holdsEveryAcked(node.index) && (node.disk.log.base() == 0 ||
                node.disk.checkpoints.undamagedAtOrAbove(node.disk.log.base()) > 0))
            {
                node.lost = false;
                trace.add(nowNs, "recovered member " + node.memberId + " holds every acknowledged event again after " +
                    node.lostBy);
            }
            unimpaired[node.index] = !impaired(node);
            impaired += unimpaired[node.index] ? 0 : 1;
            if (node.up)
            {
                checkPlausible(node);
            }
        }
        checker.checkAckedRecoverable(unimpaired, impaired);
    }

    /** A member stops only on a broken promise of the protocol; and no forgery may leave a trace in its state. */
    private void checkPlausible(final SimNode node)
    {
        final SequencerProtocol p = node.protocol;
        if (p.mode() == NodeMode.STOPPED)
        {
            checker.fail("member " + node.memberId + " stopped (NodeMode.STOPPED)");
        }
        else if (p.currentEpoch() >= IMPLAUSIBLE_EPOCH)
        {
            checker.fail("implausible: member " + node.memberId + " adopted epoch " + p.currentEpoch());
        }
        else if (p.guaranteed() > maxHaveEver)
        {
            checker.fail("implausible: member " + node.memberId + " adopted g=" + p.guaranteed() +
                ", beyond every log there ever was (" + maxHaveEver + ")");
        }
        else
        {
            for (final int memberId : memberIds)
            {
                if (memberId != node.memberId && p.ser(memberId) > maxHaveEver)
                {
                    checker.fail("implausible: member " + node.memberId + " counts member " + memberId +
                        " serialized up to " + p.ser(memberId) + ", beyond every log there ever was (" +
                        maxHaveEver + ")");
                    return;
                }
            }
        }
    }

    /**
     * Lost (a fault took its data) or, by the protocol's own account, not intact; a member that is down counts by
     * its disk, and one whose node state was never initialized holds nothing that counts.
     */
    private boolean impaired(final SimNode node)
    {
        return node.lost || !(node.up ? node.protocol.isIntact() : node.diskIntact && node.disk.store.initialized());
    }

    /** What the protocol did across every process of the run: evidence of what the faults exercised. */
    private void addCounters(final SimNode node)
    {
        final io.sequencer.core.protocol.ProtocolCounters c = node.protocol.counters();
        exercised.merge("checkpoints taken", node.snapshotter.checkpointsTaken(), Long::sum);
        node.snapshotter.close();
        exercised.merge("unrolls", c.unrolls(), Long::sum);
        exercised.merge("entries unrolled", c.unrolledEntries(), Long::sum);
        exercised.merge("unrolls redone at start", c.unrollsRedone(), Long::sum);
        exercised.merge("unrolls voided at start (log replaced)", c.unrollsVoided(), Long::sum);
        exercised.merge("entries fetched", c.fetchedEntries(), Long::sum);
        exercised.merge("entries replayed", c.replayed(), Long::sum);
        exercised.merge("checkpoints loaded", c.checkpointsLoaded(), Long::sum);
        exercised.merge("checkpoints skipped", c.checkpointsSkipped(), Long::sum);
        exercised.merge("events resubmitted", c.resubmitted(), Long::sum);
        exercised.merge("admission requests", c.admissionRequests(), Long::sum);
        exercised.merge("boot timeouts", c.bootTimeouts(), Long::sum);
        exercised.merge("suspicions", c.suspicions(), Long::sum);
        exercised.merge("streams lost", c.streamsLost(), Long::sum);
        exercised.merge("duplicates dropped", c.duplicatesDropped(), Long::sum);
        exercised.merge("stale decisions refused", c.staleDecisions(), Long::sum);
        exercised.merge("frames dropped", c.droppedTotal(), Long::sum);
        exercised.merge("catch-up entries rejected", c.fetchRejected(), Long::sum);
        exercised.merge("report chk mismatches", c.reportChkMismatches(), Long::sum);
        exercised.merge("losses found at start", c.lossesFoundAtStart(), Long::sum);
        exercised.merge("bootstrap refusals", c.bootstrapRefusals(), Long::sum);
        exercised.merge("decisions refused", c.decisionsRefused(), Long::sum);
        exercised.merge("epoch adoptions refused", c.epochAdoptionsRefused(), Long::sum);
        exercised.merge("epoch windows widened", c.epochWindowsWidened(), Long::sum);
        exercised.merge("decisions handed on (far behind)", c.farBehindHandOvers(), Long::sum);
        exercised.merge("decisions sent again", c.decisionsResent(), Long::sum);
        exercised.merge("epoch changes deferred", c.epochChangesDeferred(), Long::sum);
        exercised.merge("catch-ups outside the epoch", c.catchUpsOutside(), Long::sum);
        exercised.merge("retention discards", c.retentionDiscards(), Long::sum);
        exercised.merge("checkpoints written on the duty cycle (none left to offer)", c.checkpointsOnDutyCycle(),
            Long::sum);
        exercised.merge("snapshot transfers offered", c.snapshotsOffered(), Long::sum);
        exercised.merge("snapshot transfers installed", c.snapshotsInstalled(), Long::sum);
        exercised.merge("snapshot transfers rejected", c.snapshotsRejected(), Long::sum);
        exercised.merge("snapshot bytes received", c.snapshotBytesReceived(), Long::sum);
        exercised.merge("follow rounds outside the epoch", c.followRounds(), Long::sum);
        exercised.merge("fetch sources changed", c.fetchSourcesChanged(), Long::sum);
        exercised.merge("epochs rejoined at a restart", c.epochsRejoined(), Long::sum);
        exercised.merge("running epochs taken up at a restart", c.epochsAdoptedAtStart(), Long::sum);
        exercised.merge("boot reports refused (contradict this log)", c.bootReportsRefused(), Long::sum);
        exercised.merge("timers fired", c.timersFired(), Long::sum);
        exercised.merge("ticks", c.ticksProposed(), Long::sum);
        if (faults.contains(Fault.FORGED_OPEN) || faults.contains(Fault.REPLAY) || faults.contains(Fault.DUPLICATE))
        {
            for (final DropReason reason : DropReason.values())
            {
                exercised.merge("dropped " + reason.name().toLowerCase().replace('_', ' '), c.dropped(reason),
                    Long::sum);
            }
        }
    }

    private AccountLedger[] ledgers()
    {
        final AccountLedger[] ledgers = new AccountLedger[nodes.length];
        for (int i = 0; i < nodes.length; i++)
        {
            ledgers[i] = nodes[i].ledger;
        }
        return ledgers;
    }

    /** Every node up, running in one epoch, nothing pending anywhere, every accepted submit acknowledged. */
    private boolean atRest()
    {
        final long epoch = nodes[0].up ? nodes[0].protocol.currentEpoch() : -1;
        for (final SimNode node : nodes)
        {
            if (!node.up || node.protocol.mode() != NodeMode.RUNNING || node.protocol.currentEpoch() != epoch ||
                node.protocol.pendingCount() != 0 || !node.ingress.isEmpty() || node.protocol.ownInFlight() != 0)
            {
                return false;
            }
        }
        return checker.allAcked() && checker.logsIdentical();
    }

    private String restState()
    {
        final StringBuilder sb = new StringBuilder();
        for (final SimNode node : nodes)
        {
            sb.append("\n    member ").append(node.memberId);
            if (!node.up)
            {
                sb.append(" down");
                continue;
            }
            final SequencerProtocol p = node.protocol;
            sb.append(' ').append(p.mode()).append('/').append(p.bootPhase()).append(" epoch ").append(p.currentEpoch())
                .append(" have ").append(p.log().have())
                .append(durability == Durability.BATCH ? " forced " + p.log().forcedPosition() : "")
                .append(" g ").append(p.guaranteed()).append(" L ")
                .append(p.clock()).append(" pending ").append(p.pendingCount()).append(" inFlight ")
                .append(p.ownInFlight()).append(" ingress ").append(node.ingress.size())
                .append(p.isIntact() ? "" : " NOT intact")
                .append(p.catchUpState().isEmpty() ? "" : " (" + p.catchUpState() + ")");
        }
        return sb.toString();
    }

    private void work(final SimNode node)
    {
        if (!node.up)
        {
            return;
        }
        if (nowNs < node.pausedUntilNs)
        {
            schedule(node.pausedUntilNs, WORK, node.index);
            return;
        }
        if (node.snapshotCrash != null)
        {
            crash(node, "crash trap fired " + node.snapshotCrash + " on the snapshot thread");
            return;
        }
        final SequencerProtocol protocol = node.protocol;
        final long generation = node.generation;
        final long haveBefore = protocol.log().have();
        final long gBefore = protocol.guaranteed();
        final long epochBefore = protocol.currentEpoch();
        final NodeMode modeBefore = protocol.mode();
        int work;
        try
        {
            protocol.advanceClock(nowNs); // as the runtime's agent does
            work = network.endpoint(node.memberId).poll(node.handler, FRAGMENT_LIMIT);
            work += drainIngress(node);
            if (random.nextBoolean())
            {
                // the log's forcer thread: a force asked for completes some duty cycles later, and a power loss
                // meanwhile drops what it was to force
                node.disk.log.completeRequestedForce();
            }
            work += protocol.doWork(nowNs);
            if (random.nextInt(3) == 0) // another thread: it lags behind the duty cycle by a varying amount
            {
                work += node.snapshotter.doWork(nowNs);
                if (node.snapshotCrash != null)
                {
                    // the process dies next, not inside this duty cycle: the checker sees this step's effects first
                    schedule(nowNs + 1, WORK, node.index);
                    return;
                }
            }
        }
        catch (final SimulatedCrash crash)
        {
            crash(node, "crash trap fired " + crash.getMessage());
            return;
        }
        catch (final LogUnwritableException ex)
        {
            stopOnUnwritableLog(node, ex);
            return;
        }
        catch (final RuntimeException ex)
        {
            checker.fail("member " + node.memberId + " threw " + ex + " at " + ex.getStackTrace()[0]);
            return;
        }
        if (node.generation != generation || !node.up)
        {
            return;
        }
        node.diskIntact = protocol.isIntact();
        if (protocol.log().have() != haveBefore || protocol.guaranteed() != gBefore ||
            protocol.currentEpoch() != epochBefore || protocol.mode() != modeBefore)
        {
            trace.add(nowNs, "work  member " + node.memberId + " " + protocol.mode() + "/" + protocol.bootPhase() +
                " epoch " + epochBefore + "->" + protocol.currentEpoch() + " have " + haveBefore + "->" +
                protocol.log().have() + " g " + gBefore + "->" + protocol.guaranteed() + " L=" + protocol.clock());
        }

        long next;
        if (work > 0)
        {
            node.idleBackoffNs = 0;
            next = nowNs + 1_000 + random.nextLong(9_000);
        }
        else
        {
            node.idleBackoffNs = Math.min(MAX_IDLE_BACKOFF_NS, Math.max(1_000, node.idleBackoffNs * 2));
            next = nowNs + node.idleBackoffNs;
        }
        if (random.nextInt(2_000) == 0)
        {
            final long pauseNs = TimeUnit.MILLISECONDS.toNanos(1) + random.nextLong(TimeUnit.MILLISECONDS.toNanos(20));
            trace.add(nowNs, "pause member " + node.memberId + " for " + pauseNs / 1000 + " us");
            next += pauseNs;
        }
        if (nowNs < node.starvedUntilNs)
        {
            // Starved of CPU: the next duty cycle comes T_fd/2 to 2 T_fd later; the others run on.
            next += T_FD_NS / 2 + random.nextLong(T_FD_NS * 3 / 2);
            count("starved duty cycles");
        }
        schedule(next, WORK, node.index);
    }

    /** A client on a random node initiates a transfer; it reaches the node's duty cycle a little later. */
    private void initiateSubmit()
    {
        final SimNode node = nodes[random.nextInt(nodes.length)];
        final int client = random.nextInt(CLIENTS_PER_NODE);
        final int from = random.nextInt(AccountLedger.ACCOUNTS);
        final int to = random.nextInt(AccountLedger.ACCOUNTS);
        final long amount = 1 + random.nextLong(300);
        final int length = AccountLedger.encodeTransfer(submitBuffer, 0, from, to, amount, random.nextInt(48));
        final byte[] event = new byte[length];
        submitBuffer.getBytes(0, event);
        final long arriveNs = nowNs + (random.nextInt(4) == 0 ? random.nextLong(30_000) : 0);
        if (!node.up)
        {
            trace.add(nowNs, "submit member " + node.memberId + " is down: the client's process died with it");
            return;
        }
        node.ingress.add(new Ingress(
            ++initiatedSeq, nowNs, checker.maxAckedPosition(), client, event,
            "transfer " + from + "->" + to + " " + amount, arriveNs));
    }

    /** The duty cycle drains its ingress ring: each submit that has arrived goes to the protocol (R1). */
    private int drainIngress(final SimNode node)
    {
        final SequencerProtocol protocol = node.protocol;
        int drained = 0;
        while (drained < INGRESS_LIMIT && !node.ingress.isEmpty() && node.ingress.peek().arriveNs <= nowNs)
        {
            final Ingress submit = node.ingress.poll();
            drained++;
            final long correlationId = ++node.nextCorrelationId;
            submitBuffer.putBytes(0, submit.event);
            final int status = protocol.submit(correlationId, submitBuffer, 0, submit.event.length);
            if (status != SubmitStatus.ACCEPTED)
            {
                trace.add(nowNs, "submit member " + node.memberId + " refused " + SubmitStatus.name(status));
                submit.arriveNs = nowNs + (status == SubmitStatus.NOT_RUNNING ? 500_000 : 20_000); // retry
                node.ingress.add(submit);
                break;
            }
            for (int other = 0; other < CLIENTS_PER_NODE; other++)
            {
                if (other != submit.client && node.maxInitiatedSeqDrained[other] > submit.initiatedSeq)
                {
                    ingressReorders++;
                    break;
                }
            }
            node.maxInitiatedSeqDrained[submit.client] =
                Math.max(node.maxInitiatedSeqDrained[submit.client], submit.initiatedSeq);
            checker.onSubmitted(node.index, correlationId, protocol.incarnation(), protocol.lastLocalSeq(),
                submit.initiatedNs, submit.maxAckedPositionAtInitiation, submit.event);
            trace.add(nowNs, "submit member " + node.memberId + " client " + submit.client + " event " +
                node.memberId + "/" + protocol.incarnation() + "/" + protocol.lastLocalSeq() + " counter " +
                protocol.clock() + " " + submit.description);
        }
        return drained;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Faults
    // ---------------------------------------------------------------------------------------------------------------

    private long faultGapNs()
    {
        return TimeUnit.MILLISECONDS.toNanos(10) + random.nextLong(TimeUnit.MILLISECONDS.toNanos(150));
    }

    private void injectFault()
    {
        lastFaultNs = nowNs;
        if (faultSlots.length == 0)
        {
            return;
        }
        final SimNode node = nodes[random.nextInt(nodes.length)];
        final int kind = faultSlots[random.nextInt(faultSlots.length)];
        final boolean measuredBefore = failoverStartNs >= 0;
        final boolean acted;
        switch (kind)
        {
            case F_CRASH:
                acted = processCrash(node);
                break;
            case F_TRAP:
                acted = armTrap(node);
                break;
            case F_TORN:
                acted = armTrap(node, SimDisk.Trap.TORN_APPEND);
                break;
            case F_POWER:
                acted = powerLoss(node);
                break;
            case F_WIPE:
                acted = wipe(node, false);
                break;
            case F_PARTITION:
                acted = partition(node);
                break;
            case F_PAUSE:
                acted = longPause(node);
                break;
            case F_CHECKPOINT:
                acted = damageCheckpoint(node);
                break;
            case F_DUPLICATE:
                acted = duplicateStorm();
                break;
            case F_REPLAY:
                acted = replayBurst(node);
                break;
            case F_ONE_WAY:
                acted = oneWayPartition(node);
                break;
            case F_SILENT:
                acted = silentPartition(node);
                break;
            case F_INJECT:
                acted = injectFrames(node);
                break;
            case F_STORE_TRAP:
                acted = armStoreTrap(node, random.nextBoolean() ? SimDisk.StoreTrap.LOST_WRITE :
                    SimDisk.StoreTrap.AFTER_WRITE);
                break;
            case F_STORE_TORN:
                acted = lossAllowed(node) && armStoreTrap(node, SimDisk.StoreTrap.TORN_WRITE);
                break;
            case F_LOST_LOG:
                acted = loseLogDirectory(node);
                break;
            case F_LOG_DAMAGE:
                acted = damageLog(node, false);
                break;
            case F_LOG_TAIL:
                acted = damageLog(node, true);
                break;
            case F_REBOOTSTRAP:
                acted = wipe(node, true);
                break;
            case F_OLD_DISK:
                acted = oldDisk(node);
                break;
            case F_STARVE:
                acted = starve(node);
                break;
            case F_DISK_FULL:
                acted = fillDisk(node);
                break;
            case F_FS_READ_ONLY:
                acted = readOnlyFileSystem(node);
                break;
            default:
                throw new IllegalStateException("fault " + kind);
        }
        if (acted && measuredBefore)
        {
            failoverStartNs = -1; // another fault: this failover is no longer a clean sample
        }
    }

    /** A process crash; failover is measured from it when the survivors are running a quorum under load. */
    private boolean processCrash(final SimNode node)
    {
        if (!node.up)
        {
            return false;
        }
        final boolean measure = failoverStartNs < 0 && survivorsUnderLoad(node);
        crash(node, "process crash");
        count("process crashes");
        if (measure)
        {
            failoverStartNs = nowNs;
            failoverCrashed = node.index;
            failoverEpoch = 0;
            for (final SimNode survivor : nodes)
            {
                if (survivor != node && survivor.up)
                {
                    failoverEpoch = Math.max(failoverEpoch, survivor.protocol.currentEpoch());
                }
            }
        }
        return true;
    }

    /**
     * Failover is measured from a crash while the survivors have events in flight and can form a quorum, to the
     * first acknowledgement a survivor gives in a later epoch than any survivor was in at the crash (the survivors'
     * pipeline draining in the old epoch does not count); a sample is dropped if another fault strikes before it
     * ends.
     */
    private boolean survivorsUnderLoad(final SimNode dying)
    {
        int survivors = 0;
        boolean load = false;
        for (final SimNode node : nodes)
        {
            if (node != dying && node.up && node.protocol.mode() == NodeMode.RUNNING)
            {
                survivors++;
                load |= node.protocol.ownInFlight() > 0;
            }
        }
        return load && survivors >= cluster.quorum();
    }

    private boolean armTrap(final SimNode node)
    {
        final SimDisk.Trap[] traps = SimDisk.Trap.values();
        SimDisk.Trap trap = traps[1 + random.nextInt(traps.length - 1)];
        if (trap == SimDisk.Trap.BEFORE_FORCE && durability != Durability.BATCH)
        {
            trap = SimDisk.Trap.INSIDE_UNROLL;
        }
        return armTrap(node, trap);
    }

    /** The process will die at the next storage call of this kind, wherever the protocol is then. */
    private boolean armTrap(final SimNode node, final SimDisk.Trap trap)
    {
        if (!node.up)
        {
            return false;
        }
        node.disk.trap = trap;
        trace.add(nowNs, "arm   member " + node.memberId + " crash trap " + trap);
        return true;
    }

    /** The process will die inside (or right after) its next node-state write. */
    private boolean armStoreTrap(final SimNode node, final SimDisk.StoreTrap trap)
    {
        if (!node.up)
        {
            return false;
        }
        node.disk.storeTrap = trap;
        trace.add(nowNs, "arm   member " + node.memberId + " node-state trap " + trap);
        return true;
    }

    private void crash(final SimNode node, final String why)
    {
        if (!node.up)
        {
            return;
        }
        crashes++;
        failoverStartNs = -1; // a second failure: the failover being measured is no longer a clean sample
        node.up = false;
        node.disk.trap = SimDisk.Trap.NONE;
        node.disk.storeTrap = SimDisk.StoreTrap.NONE;
        node.ingress.clear();
        node.starvedUntilNs = 0;
        network.disconnect(node.memberId, random);
        checker.onProcessDied(node.index);
        addCounters(node);
        if (node.disk.firedTrap != SimDisk.Trap.NONE)
        {
            exercised.merge("crash trap " + node.disk.firedTrap.name().toLowerCase().replace('_', ' '), 1L, Long::sum);
            node.disk.firedTrap = SimDisk.Trap.NONE;
        }
        switch (node.disk.firedStoreTrap)
        {
            case LOST_WRITE:
                count("node-state writes lost");
                break;
            case AFTER_WRITE:
                count("crashes after a node-state write");
                break;
            case TORN_WRITE:
                count("node-state files torn");
                checker.onDataLoss(node.index);
                markLost(node, "a torn node-state file");
                break;
            default:
                break;
        }
        node.disk.firedStoreTrap = SimDisk.StoreTrap.NONE;
        node.protocol = null;
        node.disk.loseUnwritten();
        final long torn = node.disk.log.recover(); // a torn write is garbage that the log cuts when it is opened
        trace.add(nowNs,
            "CRASH member " + node.memberId + ": " + why + (torn > 0 ? " (" + torn + " torn entry cut)" : ""));
        schedule(nowNs + TimeUnit.MILLISECONDS.toNanos(1) + random.nextLong(TimeUnit.MILLISECONDS.toNanos(120)),
            RESTART, node.index);
    }

    /**
     * A process comes back. A member that crashed while the cluster was being created (its node state was never
     * initialized, and no fault took anything from it) is started the way the operator started it, to bootstrap.
     */
    private void restart(final SimNode node)
    {
        final boolean bootstrap = node.bootstrapNext || (!node.disk.store.initialized() && !node.lost);
        node.bootstrapNext = false;
        startProcess(node, bootstrap);
        long highestBase = 0;
        for (final SimNode other : nodes)
        {
            highestBase = Math.max(highestBase, other.disk.log.base());
        }
        // a member coming back behind a peer's base takes a snapshot (§13): now and then it dies in the middle of it
        if (node.up && faults.contains(Fault.CRASH) && node.disk.trap == SimDisk.Trap.NONE &&
            node.disk.log.have() < highestBase && random.nextInt(4) == 0)
        {
            armTrap(node, random.nextBoolean() ? SimDisk.Trap.INSIDE_TRANSFER : SimDisk.Trap.BEFORE_RESET);
        }
        // a member coming back with entries above its g usually cuts them at its first alignment: now and then it
        // dies inside that unroll, so the next start must finish the cut first (§5; a trap armed at random times
        // is rarely still armed when the cut comes, and 1,000 seeds redid one unroll)
        else if (node.up && faults.contains(Fault.CRASH) && node.disk.trap == SimDisk.Trap.NONE &&
            node.disk.log.have() > node.disk.store.guaranteed() && unrollTrapDraws.nextInt(4) == 0)
        {
            armTrap(node, SimDisk.Trap.INSIDE_UNROLL);
        }
    }

    private void markLost(final SimNode node, final String by)
    {
        node.lost = true;
        node.lostBy = by;
        node.diskIntact = false;
    }

    /**
     * The fault budget: may {@code node} lose data now? Only when that leaves at most {@link #lossBudget} members
     * lost or not intact, so that every acknowledged event keeps a recoverable copy; never on one member.
     */
    private boolean lossAllowed(final SimNode node)
    {
        int impaired = 1;
        for (final SimNode other : nodes)
        {
            if (other != node && impaired(other))
            {
                impaired++;
            }
        }
        return impaired <= lossBudget;
    }

    private boolean powerLoss(final SimNode node)
    {
        final boolean losesData = durability == Durability.NONE;
        if (losesData && !lossAllowed(node))
        {
            return false;
        }
        if (!losesData && nodes.length == 1 && !node.up)
        {
            return false;
        }
        crash(node, "power loss");
        count("power losses");
        if (losesData)
        {
            checker.onDataLoss(node.index);
        }
        node.disk.bootId++;
        final long unforced = node.disk.log.have() - node.disk.log.forcedPosition();
        node.disk.log.dropUnforced(unforced == 0 ? 0 : random.nextLong(unforced + 1));
        if (losesData)
        {
            markLost(node, "a power loss");
        }
        trace.add(nowNs, "power member " + node.memberId + " log now " + node.disk.log.have() + " entries");
        return true;
    }

    private boolean wipe(final SimNode node, final boolean rebootstrap)
    {
        if (!lossAllowed(node))
        {
            return false;
        }
        crash(node, rebootstrap ? "disk wiped, to be restarted with bootstrap=true" : "disk wiped");
        count("disks wiped");
        checker.onDataLoss(node.index);
        node.disk.log.wipe();
        node.disk.checkpoints.wipe();
        node.disk.store.wipe();
        markLost(node, rebootstrap ? "a wiped disk re-bootstrapped" : "a wiped disk");
        if (rebootstrap)
        {
            node.bootstrapNext = true;
            count("wiped members re-bootstrapped");
        }
        return true;
    }

    /** The log directory is gone; node.state and the checkpoints survive. */
    private boolean loseLogDirectory(final SimNode node)
    {
        if (!lossAllowed(node) || node.disk.log.have() == 0)
        {
            return false;
        }
        crash(node, "log directory lost (node.state survives)");
        checker.onDataLoss(node.index);
        node.disk.log.wipe();
        markLost(node, "a lost log directory");
        count("log directories lost");
        return true;
    }

    /**
     * More than a crash can tear: an entry damaged somewhere before the last (the log is cut there at open, more
     * than one entry goes, and the storage says so: damagedAtOpen), or ({@code traceless}) the tail of more than
     * one entry lost leaving a whole, well-chained log behind.
     */
    private boolean damageLog(final SimNode node, final boolean traceless)
    {
        final long have = node.disk.log.have();
        if (!lossAllowed(node) || have < 3)
        {
            return false;
        }
        crash(node, traceless ? "log tail lost" : "log damaged");
        checker.onDataLoss(node.index);
        if (traceless)
        {
            final long lost = 2 + random.nextLong(have - 1);
            node.disk.log.loseTail(lost);
            trace.add(nowNs, "DAMAGE member " + node.memberId + " log lost its last " + lost + " of " + have +
                " entries without a trace");
            count("log tails lost without a trace");
        }
        else
        {
            final long position = 1 + random.nextLong(have - 1);
            node.disk.log.damage(position);
            trace.add(nowNs, "DAMAGE member " + node.memberId + " log entry " + position + " of " + have +
                " (cut there at open)");
            count("logs damaged or cut short");
        }
        markLost(node, traceless ? "a log tail lost" : "a damaged log");
        return true;
    }

    /**
     * The first time: copy the member's whole disk (a backup). The next time: put that copy back, with everything
     * the member wrote since gone.
     */
    private boolean oldDisk(final SimNode node)
    {
        if (node.disk.backup == null)
        {
            node.disk.backup = node.disk.copy(nowNs);
            trace.add(nowNs, "COPY  member " + node.memberId + " disk backed up (log " + node.disk.log.have() + ")");
            return false;
        }
        if (!lossAllowed(node))
        {
            return false;
        }
        final SimDisk.Backup backup = node.disk.backup;
        node.disk.backup = null;
        crash(node, "disk restored from the backup of " + backup.takenNs() / 1000 + " us");
        checker.onDataLoss(node.index);
        node.disk.restore(backup);
        markLost(node, "an old disk restored");
        count("old disks restored");
        trace.add(nowNs, "RESTORE member " + node.memberId + " log now " + node.disk.log.have() + " entries, epoch " +
            node.disk.store.currentEpoch());
        return true;
    }

    private boolean partition(final SimNode node)
    {
        if (nodes.length == 1)
        {
            return false;
        }
        final SimNode other = nodes[(node.index + 1 + random.nextInt(nodes.length - 1)) % nodes.length];
        if (cut[node.index][other.index] || cut[other.index][node.index])
        {
            return false;
        }
        cut[node.index][other.index] = true;
        cut[other.index][node.index] = true;
        network.cut(node.memberId, other.memberId, true);
        count("partitions");
        trace.add(nowNs, "CUT   link " + node.memberId + " <-> " + other.memberId);
        signalStream(node, other, false);
        signalStream(other, node, false);
        schedule(nowNs + TimeUnit.MILLISECONDS.toNanos(2) + random.nextLong(TimeUnit.MILLISECONDS.toNanos(100)),
            HEAL, node.index * nodes.length + other.index);
        return true;
    }

    private void heal(final int link)
    {
        final SimNode a = nodes[link / nodes.length];
        final SimNode b = nodes[link % nodes.length];
        if (!cut[a.index][b.index])
        {
            return;
        }
        cut[a.index][b.index] = false;
        cut[b.index][a.index] = false;
        network.cut(a.memberId, b.memberId, false);
        trace.add(nowNs, "HEAL  link " + a.memberId + " <-> " + b.memberId);
        signalStream(a, b, true);
        signalStream(b, a, true);
    }

    /**
     * One direction of a link fails: {@code deaf} stops hearing {@code speaker}, who still hears it. Either the
     * frames are lost — and then the deaf side may be told at once (its image of the speaker timed out) or only when
     * the link heals (a new image appears) — or they are held and delivered late, and nobody is told anything.
     */
    private boolean oneWayPartition(final SimNode deaf)
    {
        if (nodes.length == 1)
        {
            return false;
        }
        final SimNode speaker = nodes[(deaf.index + 1 + random.nextInt(nodes.length - 1)) % nodes.length];
        if (cut[speaker.index][deaf.index])
        {
            return false;
        }
        final long durationNs = TimeUnit.MILLISECONDS.toNanos(2) + random.nextLong(TimeUnit.MILLISECONDS.toNanos(200));
        count("one-way partitions");
        if (random.nextInt(4) == 0)
        {
            // only the point-to-point path (catch-up) is lost: the speaker's endpoint route, not the shared channel,
            // so each member still hears the other and neither is told
            count("point-to-point paths cut");
            network.cutPointToPointOneWay(speaker.memberId, deaf.memberId, true);
            trace.add(nowNs, "CUT   point-to-point " + speaker.memberId + " -> " + deaf.memberId + " for " +
                durationNs / 1000 + " us, nobody told");
            schedule(nowNs + durationNs, () ->
            {
                network.cutPointToPointOneWay(speaker.memberId, deaf.memberId, false);
                trace.add(nowNs, "HEAL  point-to-point " + speaker.memberId + " -> " + deaf.memberId);
            });
            return true;
        }
        if (random.nextInt(3) == 0)
        {
            network.stall(speaker.memberId, deaf.memberId, nowNs + durationNs);
            trace.add(nowNs, "STALL link " + speaker.memberId + " -> " + deaf.memberId + " for " + durationNs / 1000 +
                " us, nobody told");
            return true;
        }
        cut[speaker.index][deaf.index] = true;
        network.cutOneWay(speaker.memberId, deaf.memberId, true);
        final boolean told = random.nextBoolean();
        trace.add(nowNs, "CUT   link " + speaker.memberId + " -> " + deaf.memberId + " one way" +
            (told ? ", member " + deaf.memberId + " told" : ", nobody told"));
        if (told)
        {
            signalStream(deaf, speaker, false);
        }
        schedule(nowNs + durationNs, () ->
        {
            if (!cut[speaker.index][deaf.index])
            {
                return;
            }
            cut[speaker.index][deaf.index] = false;
            network.cutOneWay(speaker.memberId, deaf.memberId, false);
            trace.add(nowNs, "HEAL  link " + speaker.memberId + " -> " + deaf.memberId);
            signalStream(deaf, speaker, true); // frames were lost: the speaker's stream comes back as a new image
        });
        return true;
    }

    /**
     * A link carries nothing, both ways, and neither end is told; when it heals, everything held is delivered in
     * order (what a reliable transport's retransmission does): both sides see only silence.
     */
    private boolean silentPartition(final SimNode node)
    {
        if (nodes.length == 1)
        {
            return false;
        }
        final SimNode other = nodes[(node.index + 1 + random.nextInt(nodes.length - 1)) % nodes.length];
        final long untilNs = nowNs + TimeUnit.MILLISECONDS.toNanos(2) +
            random.nextLong(TimeUnit.MILLISECONDS.toNanos(150));
        network.stall(node.memberId, other.memberId, untilNs);
        network.stall(other.memberId, node.memberId, untilNs);
        count("silent partitions");
        trace.add(nowNs, "STALL link " + node.memberId + " <-> " + other.memberId + " for " + (untilNs - nowNs) / 1000 +
            " us, nobody told");
        return true;
    }

    /** A restarted member's first frame reaches a peer: the real transport reports its new session first. */
    private void onNewSession(final int receiverId, final int publisherId)
    {
        final SimNode receiver = nodes[cluster.indexOf(receiverId)];
        final SimNode publisher = nodes[cluster.indexOf(publisherId)];
        trace.add(nowNs, "image member " + receiverId + " sees a new session of member " + publisherId);
        if (receiver.up)
        {
            receiver.protocol.onMemberAvailable(publisherId); // inside the receiver's poll: a crash trap propagates
        }
    }

    /** What the transport tells a node when a peer's stream is lost or comes back (a new image). */
    private void signalStream(final SimNode receiver, final SimNode peer, final boolean available)
    {
        if (!receiver.up)
        {
            return;
        }
        try
        {
            if (available)
            {
                receiver.protocol.onMemberAvailable(peer.memberId);
            }
            else
            {
                receiver.protocol.onMemberUnavailable(peer.memberId);
            }
        }
        catch (final SimulatedCrash crash)
        {
            crash(receiver, "crash trap fired " + crash.getMessage());
        }
        catch (final LogUnwritableException ex)
        {
            stopOnUnwritableLog(receiver, ex);
        }
    }

    private boolean longPause(final SimNode node)
    {
        if (!node.up)
        {
            return false;
        }
        final long pauseNs = TimeUnit.MILLISECONDS.toNanos(40) + random.nextLong(TimeUnit.MILLISECONDS.toNanos(80));
        trace.add(nowNs, "PAUSE member " + node.memberId + " for " + pauseNs / 1000 + " us (GC, stop-the-world)");
        count("long pauses");
        node.pausedUntilNs = nowNs + pauseNs;
        return true;
    }

    /** The member's disk fills: room for 0 to 49 more entries in its log (docs/protocol.md §10.7). */
    private boolean fillDisk(final SimNode node)
    {
        if (!node.up)
        {
            return false;
        }
        final long more = random.nextInt(50);
        node.disk.log.room(node.disk.log.have() - node.disk.log.base() + more);
        count("disks filled");
        trace.add(nowNs, "DISK FULL member " + node.memberId + ": room for " + more + " more entries");
        return true;
    }

    /**
     * An append found no room: the member stops and its process exits, as the runtime stops it (through the same
     * {@code SequencerProtocol.stopOnUnwritableLog}) and the node command exits (docs/protocol.md §10.7); nothing of
     * the entry was written. Half the time the operator frees space before
     * the restart; otherwise the restart finds the disk still full and stops again.
     */
    private void stopOnUnwritableLog(final SimNode node, final LogUnwritableException ex)
    {
        count("members stopped on a full disk");
        stopAndExit(node, ex, "stopped: " + ex.getMessage());
        if (random.nextBoolean())
        {
            node.disk.log.room(Long.MAX_VALUE);
        }
    }

    /**
     * The member's file system turns read-only after an error. Its log's write check finds it and the member stops
     * (through the runtime's own {@code stopOnUnwritableLog}, whose cut under batch cannot be recorded: the node state
     * refuses writes too), and its process exits; the operator checks the file system and mounts it again, in the
     * same boot, which drops any part of what the log held that the kernel had not written back (under batch, what
     * was not forced). Under {@code none} the log recorded the failure where a reboot clears it
     * ({@code WriteFailureMarker}), so the member's next start runs under another boot id and comes back not intact,
     * as after a power loss; {@link ProtocolDefect#UNRECORDED_WRITE_FAILURE} leaves that out.
     */
    private boolean readOnlyFileSystem(final SimNode node)
    {
        final boolean losesData = durability == Durability.NONE;
        if (!node.up || losesData && !lossAllowed(node))
        {
            return false;
        }
        count("file systems turned read-only");
        node.disk.readOnly = true;
        stopAndExit(node, new LogUnwritableException("event log of member " + node.memberId +
            ": its file system refused a write (Read-only file system)",
            new java.io.IOException("Read-only file system")), "stopped: its file system turned read-only");
        node.disk.readOnly = false; // checked and mounted again
        if (losesData)
        {
            checker.onDataLoss(node.index);
            if (!options.defects.contains(ProtocolDefect.UNRECORDED_WRITE_FAILURE))
            {
                node.disk.bootId++;
            }
        }
        final long unwritten = node.disk.log.have() - node.disk.log.forcedPosition();
        node.disk.log.dropUnforced(unwritten == 0 ? 0 : random.nextLong(unwritten + 1));
        if (losesData)
        {
            markLost(node, "a file system turned read-only");
        }
        trace.add(nowNs, "READ-ONLY file system of member " + node.memberId + ", checked and mounted again: log now " +
            node.disk.log.have() + " entries");
        return true;
    }

    /**
     * What the runtime's agent does on a log that cannot be written (under batch it records the cut of what was not
     * forced), then the exit of the node command.
     */
    private void stopAndExit(final SimNode node, final LogUnwritableException ex, final String why)
    {
        node.stoppingOnUnwritableLog = true;
        node.protocol.stopOnUnwritableLog(ex);
        node.stoppingOnUnwritableLog = false;
        crash(node, why);
    }

    /** For 100–600 ms the node's duty cycles come T_fd/2 to 2 T_fd apart: a starved thread, not a stopped one. */
    private boolean starve(final SimNode node)
    {
        if (!node.up || nowNs < node.starvedUntilNs)
        {
            return false;
        }
        final long durationNs =
            TimeUnit.MILLISECONDS.toNanos(100) + random.nextLong(TimeUnit.MILLISECONDS.toNanos(500));
        node.starvedUntilNs = nowNs + durationNs;
        count("starvation episodes");
        trace.add(nowNs, "STARVE member " + node.memberId + " for " + durationNs / 1000 + " us");
        return true;
    }

    /** A damaged checkpoint (any of them, the newest most often), or, now and then, all of them lost. */
    private boolean damageCheckpoint(final SimNode node)
    {
        final long[] positions = node.disk.checkpoints.positions();
        if (positions.length == 0)
        {
            return false;
        }
        // Once the log starts above position 1 the checkpoints hold the state below it: losing all of them (or the
        // only one) loses that state like a lost log, within the same budget, until a checkpoint is written again.
        final boolean allOfThem = random.nextInt(10) == 0;
        if (node.disk.log.base() > 0 && (allOfThem || positions.length == 1))
        {
            if (!lossAllowed(node))
            {
                return false;
            }
            markLost(node, "its checkpoints lost, its log starting above position 1");
            node.diskIntact = true; // its log is whole
        }
        if (allOfThem)
        {
            node.disk.checkpoints.wipe();
            trace.add(nowNs, "DAMAGE member " + node.memberId + " checkpoint directory lost");
            count("checkpoint directories lost");
            return true;
        }
        final long position = random.nextBoolean() ? positions[positions.length - 1] :
            positions[random.nextInt(positions.length)];
        final long logBase = node.disk.log.base();
        if (logBase > 0 && position >= logBase && node.disk.checkpoints.undamaged(position)
            && node.disk.checkpoints.undamagedAtOrAbove(logBase) == 1)
        {
            // the last one that loads at or above the log's base: the same loss as all of them (seed 2826 on one
            // member damaged its three, one at a time, outside the budget, and it could never rebuild its state)
            if (!lossAllowed(node))
            {
                return false;
            }
            markLost(node, "its last loadable checkpoint damaged, its log starting above position 1");
            node.diskIntact = true; // its log is whole
        }
        node.disk.checkpoints.damage(position);
        trace.add(nowNs, "DAMAGE member " + node.memberId + " checkpoint at " + position);
        count("checkpoints damaged");
        return true;
    }

    /** For 5–50 ms, each frame delivered is followed, with some probability, by a second copy within 2 ms. */
    private boolean duplicateStorm()
    {
        duplicateUntilNs =
            nowNs + TimeUnit.MILLISECONDS.toNanos(5) + random.nextLong(TimeUnit.MILLISECONDS.toNanos(45));
        duplicatePerMille = 50 + random.nextInt(450);
        trace.add(nowNs, "DUPLICATE frames for " + (duplicateUntilNs - nowNs) / 1000 + " us, " + duplicatePerMille +
            " per mille");
        return false; // harmless to a protocol that is right: failover samples stay
    }

    private long duplicateAfterNs(final int from, final int to)
    {
        if (nowNs >= duplicateUntilNs || random.nextInt(1000) >= duplicatePerMille)
        {
            return -1;
        }
        return random.nextLong(2_000_000);
    }

    /** 1–20 frames the node was delivered before, some recent, some old (earlier epochs, earlier processes). */
    private boolean replayBurst(final SimNode node)
    {
        if (!node.up)
        {
            return false;
        }
        final int count = 1 + random.nextInt(20);
        int replayed = 0;
        for (int k = 0; k < count; k++)
        {
            if (network.replay(node.memberId, random.nextBoolean(), random,
                nowNs + random.nextLong(TimeUnit.MILLISECONDS.toNanos(20))))
            {
                replayed++;
            }
        }
        trace.add(nowNs, "REPLAY " + replayed + " old frames to member " + node.memberId);
        return false;
    }

    /**
     * 1–12 frames no member sent, to one node over the next 10 ms: garbage, or well-formed frames whose forgery
     * shows (another cluster, a sender outside C, an epoch near 2^62, a g or have far beyond any log, a chk that
     * does not match, entries that do not chain). An authenticating transport drops them all.
     */
    private boolean injectFrames(final SimNode target)
    {
        if (!target.up)
        {
            return false;
        }
        final int count = 1 + random.nextInt(12);
        for (int k = 0; k < count; k++)
        {
            final int sender = nodes.length == 1 ? target.memberId :
                nodes[(target.index + 1 + random.nextInt(nodes.length - 1)) % nodes.length].memberId;
            final byte[] frame = forge(target, sender);
            network.inject(target.memberId, sender, frame, nowNs + random.nextLong(TimeUnit.MILLISECONDS.toNanos(10)));
        }
        trace.add(nowNs, "INJECT " + count + " forged or garbage frames to member " + target.memberId +
            (authentication ? " (authentication on)" : " (authentication off)"));
        return false;
    }

    private byte[] forge(final SimNode target, final int sender)
    {
        final SequencerProtocol p = target.protocol;
        final long epoch = p.currentEpoch();
        final long have = p.log().have();
        final int kind = random.nextInt(8);
        final int length;
        switch (kind)
        {
            case 0: // noise
            {
                length = random.nextInt(300);
                for (int i = 0; i < length; i++)
                {
                    forgeBuffer.putByte(i, (byte)random.nextInt(256));
                }
                count("garbage frames injected");
                return copyForged(length);
            }
            case 1: // a believable header over noise
            {
                length = FrameHeader.LENGTH + random.nextInt(200);
                for (int i = 0; i < length; i++)
                {
                    forgeBuffer.putByte(i, (byte)random.nextInt(256));
                }
                FrameHeader.write(forgeBuffer, 0, random.nextInt(12), sender, CLUSTER_ID, epoch);
                count("garbage frames injected");
                return copyForged(length);
            }
            case 2: // another cluster's frame
                length = plausibleFrame(sender, CLUSTER_ID ^ (1 + random.nextInt(0xFFFF)), epoch + random.nextInt(3),
                    have);
                break;
            case 3: // a sender outside C
            {
                int stranger;
                do
                {
                    stranger = random.nextInt(256);
                }
                while (cluster.indexOf(stranger) >= 0);
                length = plausibleFrame(stranger, CLUSTER_ID, epoch + random.nextInt(3), have);
                break;
            }
            case 4: // an epoch no cluster reaches
                if (random.nextBoolean())
                {
                    length = plausibleFrame(sender, CLUSTER_ID, FrameValidator.MAX_EPOCH - random.nextInt(1_000), have);
                    break;
                }
                // or a suspicion a whole window above this member's epoch, which carries nothing but the jump: a few
                // push it out of its peers' windows, and it must still be heard again (docs/protocol.md §10.3)
                forgeDelNode.encode(forgeBuffer, 0, sender, CLUSTER_ID, epoch + SequencerProtocol.MAX_EPOCH_STEP,
                    cluster.memberId(random.nextInt(cluster.size())), epoch);
                length = forgeDelNode.encodedLength();
                count("epoch jumps forged");
                break;
            case 5: // a report of g or have far beyond any log, counted as of this epoch
            {
                final boolean hugeG = random.nextBoolean();
                final long huge = (1L << 40) + random.nextLong(1L << 40);
                forgeReport.encode(forgeBuffer, 0, sender, CLUSTER_ID, epoch, hugeG ? huge : random.nextLong(have + 1),
                    hugeG ? have : huge, random.nextLong(), epoch, true, hugeG ? have : huge);
                length = forgeReport.encodedLength();
                break;
            }
            case 6: // a report of a position this node holds, with a chk that is not the one there
                forgeReport.encode(forgeBuffer, 0, sender, CLUSTER_ID, epoch, 0, random.nextLong(have + 1),
                    random.nextLong(), p.lastNormalEpoch(), true, 0);
                length = forgeReport.encodedLength();
                break;
            default: // catch-up entries that do not chain onto anything
            {
                final long first = 1 + random.nextLong(have + 1);
                forgeEntries.encode(forgeBuffer, 0, forgeBuffer.capacity(), sender, CLUSTER_ID, epoch, target.memberId,
                    first);
                final int entries = 1 + random.nextInt(3);
                for (int e = 0; e < entries; e++)
                {
                    final int payloadLength = AccountLedger.encodeTransfer(submitBuffer, 0, random.nextInt(8),
                        random.nextInt(8), 1 + random.nextInt(100), 0);
                    forgeEntries.appendEntry(io.sequencer.core.EntryType.EVENT, sender, epoch, random.nextInt(1000),
                        1 + random.nextInt(100), 1 + random.nextInt(100), 0, random.nextLong(), submitBuffer, 0,
                        payloadLength);
                }
                length = forgeEntries.encodedLength();
                break;
            }
        }
        count("forged frames injected");
        return copyForged(length);
    }

    /** A well-formed MyOrderCounter, MySerializeCounter, DelNode or NewNode with the given header fields. */
    private int plausibleFrame(final int sender, final int clusterId, final long epoch, final long have)
    {
        switch (random.nextInt(4))
        {
            case 0:
                forgeOrderCounter.encode(forgeBuffer, 0, sender, clusterId, epoch, 1 + random.nextInt(1000));
                return forgeOrderCounter.encodedLength();
            case 1:
                forgeReport.encode(forgeBuffer, 0, sender, clusterId, epoch, random.nextLong(have + 1), have,
                    random.nextLong(), random.nextInt(10), true, have);
                return forgeReport.encodedLength();
            case 2:
                forgeDelNode.encode(forgeBuffer, 0, sender, clusterId, epoch,
                    cluster.memberId(random.nextInt(cluster.size())), epoch);
                return forgeDelNode.encodedLength();
            default:
                forgeNewNode.encode(forgeBuffer, 0, sender, clusterId, epoch, sender, epoch, epoch, have,
                    random.nextInt(10));
                return forgeNewNode.encodedLength();
        }
    }

    private byte[] copyForged(final int length)
    {
        final byte[] frame = new byte[length];
        forgeBuffer.getBytes(0, frame);
        return frame;
    }

    /**
     * Long-history seeds: a member goes down early — once the whole cluster runs intact, so that the other two carry
     * on without it — and comes back late, half the time with its disk wiped (on two members: it loses its disk
     * late). Either way a long catch-up.
     */
    private void longHistoryMilestones()
    {
        if (longDownIndex < 0)
        {
            return;
        }
        final SimNode node = nodes[longDownIndex];
        if (!longDownDone && longDownAt >= 0 && initiated >= longDownAt && initiated < longUpAt && allRunningIntact())
        {
            longDownDone = true;
            crash(node, "held down for a long catch-up");
            node.heldDown = true;
        }
        if (initiated == longUpAt)
        {
            final boolean wasHeld = node.heldDown;
            node.heldDown = false;
            if (!wasHeld && nodes.length >= 3)
            {
                return; // never went down: the cluster was not whole before the end
            }
            final boolean wipe = nodes.length == 2 || random.nextBoolean();
            trace.add(nowNs, "LONG  member " + node.memberId + (wipe && wipe(node, false) ?
                " comes back with nothing: a full catch-up" : " comes back for a long catch-up"));
            if (!node.up)
            {
                restart(node);
            }
        }
    }

    private boolean allRunningIntact()
    {
        for (final SimNode node : nodes)
        {
            if (!node.up || node.protocol.mode() != NodeMode.RUNNING || impaired(node))
            {
                return false;
            }
        }
        return true;
    }

    private void healEverything()
    {
        faultsOver = true;
        lastFaultNs = nowNs;
        duplicateUntilNs = 0;
        for (int a = 0; a < nodes.length; a++)
        {
            for (int b = 0; b < nodes.length; b++)
            {
                if (cut[a][b] && !cut[b][a])
                {
                    cut[a][b] = false; // a one-way cut
                    network.cutOneWay(nodes[a].memberId, nodes[b].memberId, false);
                    signalStream(nodes[b], nodes[a], true);
                }
            }
        }
        for (int a = 0; a < nodes.length; a++)
        {
            for (int b = a + 1; b < nodes.length; b++)
            {
                heal(a * nodes.length + b);
            }
        }
        for (final SimNode node : nodes)
        {
            node.disk.trap = SimDisk.Trap.NONE;
            node.disk.storeTrap = SimDisk.StoreTrap.NONE;
            node.starvedUntilNs = 0;
            node.heldDown = false;
            node.disk.log.room(Long.MAX_VALUE); // the operator has made room
            if (!node.up)
            {
                restart(node);
            }
        }
        trace.add(nowNs, "faults over: every link healed, every node up");
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** Bursts (several submits at one instant, so counters tie) mixed with gaps. */
    private long submitGapNs()
    {
        final int shape = random.nextInt(10);
        if (shape < 3)
        {
            return 0;
        }
        if (longHistory)
        {
            // Tens of thousands of events: a busy cluster, so that the run costs events, not idle simulated time.
            return shape < 9 ? 1_000 + random.nextLong(50_000) : 20_000 + random.nextLong(200_000);
        }
        final long scale = faultSlots.length == 0 ? 1 : 40;
        if (shape < 9)
        {
            return (1_000 + random.nextLong(50_000)) * scale;
        }
        return (100_000 + random.nextLong(2_000_000)) * scale;
    }

    /** Mostly a few tens of microseconds; now and then a frame is held up for milliseconds. */
    private long delayNs(final int from, final int to)
    {
        final int shape = random.nextInt(100);
        if (shape < 90)
        {
            return 5_000 + random.nextLong(100_000);
        }
        if (shape < 98)
        {
            return 100_000 + random.nextLong(900_000);
        }
        return 1_000_000 + random.nextLong(5_000_000);
    }

    private void schedule(final long timeNs, final int kind, final int node)
    {
        timers.add(new Timer(timeNs, timerSeq++, kind, node, kind == WORK ? nodes[node].generation : 0, null));
    }

    private void schedule(final long timeNs, final Runnable action)
    {
        timers.add(new Timer(timeNs, timerSeq++, ACTION, -1, 0, action));
    }

    private void traceDelivery(final int from, final int to, final DirectBuffer buffer, final int offset,
        final int length)
    {
        final int kind = network.deliveringKind();
        final String how = kind == InMemoryNetwork.DUPLICATE ? " (duplicate)" : kind == InMemoryNetwork.REPLAYED ?
            " (replayed)" : kind == InMemoryNetwork.INJECTED ? " (injected)" : "";
        if (traceValidator.validate(buffer, offset, length) != FrameValidator.VALID)
        {
            trace.add(nowNs, "recv  member " + to + " <- " + from + how + " malformed frame of " + length + " bytes");
            return;
        }
        final int type = FrameHeader.type(buffer, offset);
        final String head = "recv  member " + to + " <- " + (kind == InMemoryNetwork.INJECTED ?
            FrameHeader.senderId(buffer, offset) + "@" + FrameHeader.clusterId(buffer, offset) : from) + how + " E" +
            FrameHeader.epoch(buffer, offset) + " " + MessageType.name(type);
        switch (type)
        {
            case MessageType.NEW_EVENT:
                traceNewEvent.wrap(buffer, offset, length);
                trace.add(nowNs, head + " counter " + traceNewEvent.counter() + " event " + from + "/" +
                    traceNewEvent.incarnation() + "/" + traceNewEvent.localSeq());
                break;
            case MessageType.MY_ORDER_COUNTER:
                traceOrderCounter.wrap(buffer, offset, length);
                trace.add(nowNs, head + " " + traceOrderCounter.counter());
                break;
            case MessageType.MY_SERIALIZE_COUNTER:
                traceReport.wrap(buffer, offset, length);
                trace.add(nowNs, head + " g=" + traceReport.guaranteed() + " have=" + traceReport.have() +
                    " lastNormalEpoch=" + traceReport.lastNormalEpoch() + (traceReport.intact() ? "" : " NOT intact"));
                break;
            default:
                trace.add(nowNs, head);
                break;
        }
    }
}
