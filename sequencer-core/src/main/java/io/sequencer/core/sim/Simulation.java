package io.sequencer.core.sim;

import io.sequencer.core.ClusterConfig;
import io.sequencer.core.Durability;
import io.sequencer.core.FrameHandler;
import io.sequencer.core.InMemoryNetwork;
import io.sequencer.core.NodeMode;
import io.sequencer.core.ProtocolContext;
import io.sequencer.core.ProtocolDefect;
import io.sequencer.core.SequencerProtocol;
import io.sequencer.core.SubmitStatus;
import io.sequencer.core.Transport;
import io.sequencer.core.codec.FrameHeader;
import io.sequencer.core.codec.FrameValidator;
import io.sequencer.core.codec.MessageType;
import io.sequencer.core.codec.MyOrderCounterFrame;
import io.sequencer.core.codec.MySerializeCounterFrame;
import io.sequencer.core.codec.NewEventFrame;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The deterministic simulator: 1 to 3 nodes on one thread, driven by simulated time and one seeded
 * {@link SplittableRandom}. The nodes run the real {@link SequencerProtocol} over simulated disks ({@link SimDisk})
 * and an {@link InMemoryNetwork} that keeps per-publisher FIFO but delays every frame independently, so publishers
 * overtake each other. Client threads on every node submit transfers to an {@link AccountLedger}; duty cycles run
 * at jittered intervals with backoff when idle. With faults on, processes crash (anywhere, including inside an
 * unroll, a catch-up, or right after an {@code EpochStart}) and restart, machines lose power, disks are wiped,
 * links are cut, nodes pause for longer than the failure timeout. After every step the {@link InvariantChecker}
 * checks PROTOCOL.md §7; the run stops at the first violation with a readable trace.
 * <p>
 * Everything that varies comes from the seed, so a seed replays exactly.
 */
public final class Simulation
{
    public static final int CLUSTER_ID = 0x5EC;

    /** Which faults to inject. */
    public enum Faults
    {
        /** None: reorders, delays, back-pressure and short pauses only. */
        NONE,
        /** Process crashes and restarts, anywhere, including torn last writes and crashes inside storage calls. */
        CRASH,
        /** Crashes plus power loss, wiped disks, damaged checkpoints, partitions and long pauses. */
        ALL
    }

    /** How long after the last submit and the last fault every event must be acknowledged and every log identical. */
    static final long LIVENESS_DEADLINE_NS = TimeUnit.SECONDS.toNanos(10);
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
        Faults faults = Faults.NONE;
        EnumSet<ProtocolDefect> defects = EnumSet.noneOf(ProtocolDefect.class);
        int traceLines = 60;

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

        public Options faults(final Faults faults)
        {
            this.faults = faults;
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
        Faults faults,
        long eventsAccepted,
        long eventsAcknowledged,
        long crossPublisherReorders,
        long crashes,
        long epochChanges,
        List<Long> failoversNs,
        java.util.Map<String, Long> exercised,
        long steps,
        long simulatedNs,
        String violation,
        List<String> trace)
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
                .append(durability.name().toLowerCase()).append(", faults ").append(faults.name().toLowerCase())
                .append(") violated an invariant after ").append(steps).append(" steps at ")
                .append(simulatedNs / 1000).append(" us:\n  ").append(violation).append("\n  last steps:\n");
            for (final String line : trace)
            {
                sb.append("    ").append(line).append('\n');
            }
            return sb.append("  replay: ./sequencer simulate --seed ").append(seed).append(" --nodes ").append(nodes)
                .append(" --faults ").append(faults.name().toLowerCase()).toString();
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

    private record Timer(long timeNs, long seq, int kind, int node, long generation) implements Comparable<Timer>
    {
        public int compareTo(final Timer other)
        {
            final int byTime = Long.compare(timeNs, other.timeNs);
            return byTime != 0 ? byTime : Long.compare(seq, other.seq);
        }
    }

    /** One machine: its disk survives; its process comes and goes. */
    private final class SimNode
    {
        final int index;
        final int memberId;
        final SimDisk disk = new SimDisk();
        SequencerProtocol protocol;
        AccountLedger ledger;
        FrameHandler handler;
        boolean up;
        boolean diskIntact = true;
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
    private final SplittableRandom random;
    private final Durability durability;
    private final ClusterConfig cluster;
    private final InMemoryNetwork network;
    private final SimNode[] nodes;
    private final InvariantChecker checker;
    private final Trace trace;
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final UnsafeBuffer submitBuffer = new UnsafeBuffer(new byte[256]);
    private final boolean[][] cut;
    private final long[] pausedUntilNs;
    private long timerSeq;
    private long nowNs;
    private long steps;
    private long initiatedSeq;
    private long ingressReorders;
    private long crashes;
    private long lastFaultNs;
    private boolean faultsOver;
    private long failoverStartNs = -1;
    private int failoverCrashed = -1;
    private final List<Long> failoversNs = new ArrayList<>();
    private final java.util.TreeMap<String, Long> exercised = new java.util.TreeMap<>();

    private final FrameValidator traceValidator = new FrameValidator(Integer.MAX_VALUE);
    private final NewEventFrame traceNewEvent = new NewEventFrame();
    private final MyOrderCounterFrame traceOrderCounter = new MyOrderCounterFrame();
    private final MySerializeCounterFrame traceReport = new MySerializeCounterFrame();

    private Simulation(final Options options)
    {
        this.options = options;
        this.random = new SplittableRandom(options.seed);
        this.durability = options.durability != null ? options.durability :
            random.nextBoolean() ? Durability.BATCH : Durability.NONE;
        this.cluster = ClusterConfig.ofSize(CLUSTER_ID, options.nodes);
        this.trace = new Trace(options.traceLines);

        final int n = options.nodes;
        network = new InMemoryNetwork(this::delayNs, cluster.memberIds());
        nodes = new SimNode[n];
        cut = new boolean[n][n];
        pausedUntilNs = new long[n];
        for (int i = 0; i < n; i++)
        {
            nodes[i] = new SimNode(i);
        }
        checker = new InvariantChecker(cluster, durability, n, trace);
        for (int i = 0; i < n; i++)
        {
            checker.onDisk(i, nodes[i].disk.log);
        }
        final int refusalPerMille = new int[] { 0, 0, 5, 50 }[random.nextInt(4)];
        network.backPressure(from -> refusalPerMille > 0 && random.nextInt(1000) < refusalPerMille);
        network.publishObserver(checker::onPublish);
        network.deliveryObserver(this::traceDelivery);
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
            .bootstrap(bootstrap)
            .bootId(node.disk.bootId)
            .defects(options.defects)
            .errorHandler(ex -> onNodeError(index, ex));
        final Transport transport = network.endpoint(node.memberId);
        node.protocol = new SequencerProtocol(
            context, node.disk.logView, node.disk.checkpointView, node.disk.storeView, node.ledger, transport,
            (correlationId, position, status, result, offset, length) ->
            {
                if (nodes[index].generation == generation)
                {
                    checker.onCompleted(index, correlationId, position, status, result, offset, length);
                    if (failoverStartNs >= 0 && index != failoverCrashed)
                    {
                        failoversNs.add(nowNs - failoverStartNs);
                        failoverStartNs = -1;
                    }
                }
            });
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
        trace.add(nowNs, "start member " + node.memberId + " incarnation " + node.protocol.incarnation() +
            " epoch " + node.protocol.currentEpoch() + (node.protocol.isIntact() ? "" : " NOT intact") +
            " have " + node.disk.log.have());
        schedule(nowNs + random.nextLong(10_000), WORK, index);
    }

    private void onNodeError(final int index, final Throwable ex)
    {
        if (ex instanceof io.sequencer.core.RecoveredFault)
        {
            trace.add(nowNs, "member " + nodes[index].memberId + " recovered: " + ex.getMessage());
            return; // the consequence of an injected fault, handled as it must be
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
        if (options.events > 0)
        {
            schedule(random.nextLong(50_000), SUBMIT, -1);
        }
        if (options.faults != Faults.NONE)
        {
            schedule(TimeUnit.MILLISECONDS.toNanos(20) + faultGapNs(), FAULT, -1);
        }

        long initiated = 0;
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
                    if (initiated < options.events)
                    {
                        schedule(nowNs + submitGapNs(), SUBMIT, -1);
                    }
                    break;
                case FAULT:
                    if (initiated < options.events)
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
                    if (!nodes[timer.node].up)
                    {
                        startProcess(nodes[timer.node], false);
                    }
                    break;
                case HEAL:
                    heal(timer.node);
                    break;
                default:
                    throw new IllegalStateException("timer kind " + timer.kind);
            }

            checker.afterStep(nowNs);
            if (steps % 512 == 0)
            {
                checker.checkAckedNotLost(intactNow());
            }
            if (checker.violation() != null)
            {
                break;
            }
            if (initiated == options.events && (options.faults == Faults.NONE || faultsOver))
            {
                final long quietSince = Math.max(lastSubmitNs, lastFaultNs);
                if (atRest())
                {
                    checker.checkQuiescent(ledgers());
                    break;
                }
                if (nowNs - quietSince > LIVENESS_DEADLINE_NS)
                {
                    checker.checkQuiescent(ledgers());
                    if (checker.violation() == null)
                    {
                        checker.fail("I8: the cluster did not come to rest within " +
                            LIVENESS_DEADLINE_NS / 1_000_000 + " ms of the last submit and fault" + restState());
                    }
                    break;
                }
            }
        }

        for (final SimNode node : nodes)
        {
            if (node.up)
            {
                addCounters(node.protocol.counters());
            }
        }
        long epochChanges = 0;
        for (final SimNode node : nodes)
        {
            epochChanges = Math.max(epochChanges, node.protocol == null ? 0 : node.protocol.currentEpoch() - 1);
        }
        exercised.merge("stale session frames dropped", network.staleSessionFrames(), Long::sum);
        return new Result(
            options.seed, options.nodes, durability, options.faults, checker.accepted(), checker.ackedCount(),
            network.crossPublisherReorders() + ingressReorders, crashes, epochChanges, failoversNs, exercised, steps,
            nowNs,
            checker.violation(), checker.violation() == null ? List.of() : trace.lastLines());
    }

    /** What the protocol did across every process of the run: evidence of what the faults exercised. */
    private void addCounters(final io.sequencer.core.ProtocolCounters c)
    {
        exercised.merge("unrolls", c.unrolls(), Long::sum);
        exercised.merge("entries unrolled", c.unrolledEntries(), Long::sum);
        exercised.merge("unrolls redone at start", c.unrollsRedone(), Long::sum);
        exercised.merge("entries fetched", c.fetchedEntries(), Long::sum);
        exercised.merge("entries replayed", c.replayed(), Long::sum);
        exercised.merge("checkpoints taken", c.checkpointsTaken(), Long::sum);
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

    private boolean[] intactNow()
    {
        final boolean[] intact = new boolean[nodes.length];
        for (int i = 0; i < nodes.length; i++)
        {
            final SimNode node = nodes[i];
            intact[i] = node.up ? node.protocol.isIntact() : node.diskIntact;
        }
        return intact;
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
                .append(" have ").append(p.log().have()).append(" g ").append(p.guaranteed()).append(" L ")
                .append(p.clock()).append(" pending ").append(p.pendingCount()).append(" inFlight ")
                .append(p.ownInFlight()).append(" ingress ").append(node.ingress.size());
        }
        return sb.toString();
    }

    private void work(final SimNode node)
    {
        if (!node.up)
        {
            return;
        }
        if (nowNs < pausedUntilNs[node.index])
        {
            schedule(pausedUntilNs[node.index], WORK, node.index);
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
            work = network.endpoint(node.memberId).poll(node.handler, FRAGMENT_LIMIT);
            work += drainIngress(node);
            work += protocol.doWork(nowNs);
        }
        catch (final SimulatedCrash crash)
        {
            crash(node, "crash trap fired " + crash.getMessage());
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
                submit.initiatedNs, submit.maxAckedPositionAtInitiation);
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
        if (failoverStartNs >= 0)
        {
            failoverStartNs = -1; // another fault: this failover is no longer a clean sample
        }
        final SimNode node = nodes[random.nextInt(nodes.length)];
        final int kind = random.nextInt(options.faults == Faults.ALL ? 10 : 4);
        switch (kind)
        {
            case 0:
            case 1:
                if (node.up)
                {
                    final boolean measure = failoverStartNs < 0 && survivorsUnderLoad(node);
                    crash(node, "process crash");
                    if (measure)
                    {
                        failoverStartNs = nowNs;
                        failoverCrashed = node.index;
                    }
                }
                break;
            case 2:
                armTrap(node);
                break;
            case 3:
                armTrap(node, SimDisk.Trap.TORN_APPEND);
                break;
            case 4:
                powerLoss(node);
                break;
            case 5:
                wipe(node);
                break;
            case 6:
            case 7:
                partition(node);
                break;
            case 8:
                longPause(node);
                break;
            case 9:
                damageCheckpoint(node);
                break;
            default:
                throw new IllegalStateException("fault " + kind);
        }
    }

    /**
     * Failover is measured from a crash while the survivors have events in flight and can form a quorum, to the
     * survivors' next acknowledgement; a sample is dropped if another fault strikes before it ends.
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

    private void armTrap(final SimNode node)
    {
        final SimDisk.Trap[] traps = SimDisk.Trap.values();
        SimDisk.Trap trap = traps[1 + random.nextInt(traps.length - 1)];
        if (trap == SimDisk.Trap.BEFORE_FORCE && durability != Durability.BATCH)
        {
            trap = SimDisk.Trap.INSIDE_UNROLL;
        }
        armTrap(node, trap);
    }

    /** The process will die at the next storage call of this kind, wherever the protocol is then. */
    private void armTrap(final SimNode node, final SimDisk.Trap trap)
    {
        if (!node.up)
        {
            return;
        }
        node.disk.trap = trap;
        trace.add(nowNs, "arm   member " + node.memberId + " crash trap " + trap);
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
        node.ingress.clear();
        network.disconnect(node.memberId, random);
        checker.onProcessDied(node.index);
        addCounters(node.protocol.counters());
        if (node.disk.firedTrap != SimDisk.Trap.NONE)
        {
            exercised.merge("crash trap " + node.disk.firedTrap.name().toLowerCase().replace('_', ' '), 1L, Long::sum);
            node.disk.firedTrap = SimDisk.Trap.NONE;
        }
        node.protocol = null;
        final long torn = node.disk.log.recover(); // a torn write is garbage that the log cuts when it is opened
        trace.add(nowNs, "CRASH member " + node.memberId + ": " + why + (torn > 0 ? " (" + torn + " torn entry cut)" : ""));
        schedule(nowNs + TimeUnit.MILLISECONDS.toNanos(1) + random.nextLong(TimeUnit.MILLISECONDS.toNanos(120)),
            RESTART, node.index);
    }

    /** At most one node may be without an intact log at a time, and a one-node cluster never under none. */
    private boolean dataLossAllowed(final SimNode node)
    {
        if (nodes.length == 1)
        {
            return false;
        }
        final boolean[] intact = intactNow();
        for (int i = 0; i < nodes.length; i++)
        {
            if (i != node.index && (!intact[i] || !nodes[i].up))
            {
                return false;
            }
        }
        return true;
    }

    private void powerLoss(final SimNode node)
    {
        final boolean losesData = durability == Durability.NONE;
        if (losesData && !dataLossAllowed(node))
        {
            return;
        }
        if (!losesData && nodes.length == 1 && !node.up)
        {
            return;
        }
        crash(node, "power loss");
        if (losesData)
        {
            checker.onDataLoss(node.index);
        }
        node.disk.bootId++;
        final long unforced = node.disk.log.have() - node.disk.log.forcedPosition();
        node.disk.log.dropUnforced(unforced == 0 ? 0 : random.nextLong(unforced + 1));
        if (losesData)
        {
            node.diskIntact = false;
        }
        trace.add(nowNs, "power member " + node.memberId + " log now " + node.disk.log.have() + " entries");
    }

    private void wipe(final SimNode node)
    {
        if (!dataLossAllowed(node))
        {
            return;
        }
        crash(node, "disk wiped");
        checker.onDataLoss(node.index);
        node.disk.log.wipe();
        node.disk.checkpoints.wipe();
        node.disk.store.wipe();
        node.diskIntact = false;
    }

    private void partition(final SimNode node)
    {
        if (nodes.length == 1)
        {
            return;
        }
        final SimNode other = nodes[(node.index + 1 + random.nextInt(nodes.length - 1)) % nodes.length];
        if (cut[node.index][other.index])
        {
            return;
        }
        cut[node.index][other.index] = true;
        cut[other.index][node.index] = true;
        network.cut(node.memberId, other.memberId, true);
        trace.add(nowNs, "CUT   link " + node.memberId + " <-> " + other.memberId);
        signalStream(node, other, false);
        signalStream(other, node, false);
        schedule(nowNs + TimeUnit.MILLISECONDS.toNanos(2) + random.nextLong(TimeUnit.MILLISECONDS.toNanos(100)),
            HEAL, node.index * nodes.length + other.index);
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
    }

    private void longPause(final SimNode node)
    {
        if (!node.up)
        {
            return;
        }
        final long pauseNs = TimeUnit.MILLISECONDS.toNanos(40) + random.nextLong(TimeUnit.MILLISECONDS.toNanos(80));
        trace.add(nowNs, "PAUSE member " + node.memberId + " for " + pauseNs / 1000 + " us (GC, stop-the-world)");
        pausedUntilNs[node.index] = nowNs + pauseNs;
    }

    private void damageCheckpoint(final SimNode node)
    {
        final long position = node.disk.checkpoints.latestAtOrBelow(Long.MAX_VALUE);
        if (position > 0)
        {
            node.disk.checkpoints.damage(position);
            trace.add(nowNs, "DAMAGE member " + node.memberId + " checkpoint at " + position);
        }
    }

    private void healEverything()
    {
        faultsOver = true;
        lastFaultNs = nowNs;
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
            if (!node.up)
            {
                startProcess(node, false);
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
        final long scale = options.faults == Faults.NONE ? 1 : 40;
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
        timers.add(new Timer(timeNs, timerSeq++, kind, node, kind == WORK ? nodes[node].generation : 0));
    }

    private void traceDelivery(final int from, final int to, final DirectBuffer buffer, final int offset,
        final int length)
    {
        if (traceValidator.validate(buffer, offset, length) != FrameValidator.VALID)
        {
            trace.add(nowNs, "recv  member " + to + " <- " + from + " malformed frame of " + length + " bytes");
            return;
        }
        final int type = FrameHeader.type(buffer, offset);
        final String head = "recv  member " + to + " <- " + from + " E" + FrameHeader.epoch(buffer, offset) + " " +
            MessageType.name(type);
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
