package io.sequencer.core.sim;

import io.sequencer.core.ClusterConfig;
import io.sequencer.core.Durability;
import io.sequencer.core.FrameHandler;
import io.sequencer.core.InMemoryEventLog;
import io.sequencer.core.InMemoryNetwork;
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
 * {@link SplittableRandom}. The nodes run the real {@link SequencerProtocol} over {@link InMemoryEventLog}s and an
 * {@link InMemoryNetwork} that keeps per-publisher FIFO but delays every frame independently, so publishers
 * overtake each other. Random submitters on every node send transfers to an {@link AccountLedger}; duty cycles run
 * at jittered intervals with backoff when idle, and now and then a node pauses. After every step the
 * {@link InvariantChecker} checks PROTOCOL.md §7; the run stops at the first violation with a readable trace.
 * <p>
 * Everything that varies comes from the seed, so a seed replays exactly.
 */
public final class Simulation
{
    public static final int CLUSTER_ID = 0x5EC;

    /** How long after the last submit every event must be acknowledged and every log identical. */
    static final long LIVENESS_DEADLINE_NS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long MAX_IDLE_BACKOFF_NS = TimeUnit.MICROSECONDS.toNanos(100);
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
        long eventsAccepted,
        long eventsAcknowledged,
        long crossPublisherReorders,
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
                .append(durability.name().toLowerCase()).append(") violated an invariant after ").append(steps)
                .append(" steps at ").append(simulatedNs / 1000).append(" us:\n  ").append(violation)
                .append("\n  last steps:\n");
            for (final String line : trace)
            {
                sb.append("    ").append(line).append('\n');
            }
            return sb.append("  replay: ./sequencer simulate --seed ").append(seed).append(" --nodes ").append(nodes)
                .toString();
        }
    }

    private static final int WORK = 0;
    private static final int SUBMIT = 1;

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

    private record Timer(long timeNs, long seq, int kind, int node) implements Comparable<Timer>
    {
        public int compareTo(final Timer other)
        {
            final int byTime = Long.compare(timeNs, other.timeNs);
            return byTime != 0 ? byTime : Long.compare(seq, other.seq);
        }
    }

    private final Options options;
    private final SplittableRandom random;
    private final Durability durability;
    private final ClusterConfig cluster;
    private final InMemoryNetwork network;
    private final SequencerProtocol[] protocols;
    private final AccountLedger[] ledgers;
    private final Transport[] transports;
    private final FrameHandler[] handlers;
    private final long[] idleBackoffNs;
    private final long[] nextCorrelationId;
    private final InvariantChecker checker;
    private final Trace trace;
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final List<PriorityQueue<Ingress>> ingress = new ArrayList<>();
    private final long[][] maxInitiatedSeqDrained;
    private long initiatedSeq;
    private long ingressReorders;
    private final UnsafeBuffer submitBuffer = new UnsafeBuffer(new byte[256]);
    private long timerSeq;
    private long nowNs;
    private long steps;

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
        protocols = new SequencerProtocol[n];
        ledgers = new AccountLedger[n];
        transports = new Transport[n];
        handlers = new FrameHandler[n];
        idleBackoffNs = new long[n];
        nextCorrelationId = new long[n];
        maxInitiatedSeqDrained = new long[n][CLIENTS_PER_NODE];
        checker = new InvariantChecker(cluster, durability, protocols, trace);

        for (int i = 0; i < n; i++)
        {
            final int node = i;
            final ProtocolContext context = new ProtocolContext()
                .cluster(cluster)
                .memberId(cluster.memberId(i))
                .durability(durability)
                .maxEventLength(1024)
                .maxResultLength(AccountLedger.RESULT_LENGTH)
                .maxInFlight(1024)
                .defects(options.defects)
                .errorHandler(ex -> checker.fail("error escaped to the error handler at member " + node + ": " + ex));
            ledgers[i] = new AccountLedger();
            transports[i] = network.endpoint(cluster.memberId(i));
            protocols[i] = new SequencerProtocol(
                context, new InMemoryEventLog(256, 16 * 1024), ledgers[i], transports[i],
                (correlationId, position, status, result, offset, length) ->
                    checker.onCompleted(node, correlationId, position, status, result, offset, length));
            handlers[i] = protocols[i]::onFrame;
            ingress.add(new PriorityQueue<>());
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

    private Result run()
    {
        for (final SequencerProtocol protocol : protocols)
        {
            protocol.start(0);
        }
        for (int i = 0; i < protocols.length; i++)
        {
            schedule(random.nextLong(10_000), WORK, i);
        }
        if (options.events > 0)
        {
            schedule(random.nextLong(50_000), SUBMIT, -1);
        }

        long initiated = 0;
        long lastSubmitNs = 0;
        while (!timers.isEmpty())
        {
            final Timer timer = timers.poll();
            nowNs = timer.timeNs;
            network.time(nowNs);
            steps++;

            if (timer.kind == WORK)
            {
                work(timer.node);
            }
            else
            {
                initiateSubmit();
                initiated++;
                lastSubmitNs = nowNs;
                if (initiated < options.events)
                {
                    schedule(nowNs + submitGapNs(), SUBMIT, -1);
                }
            }

            checker.afterStep(nowNs);
            if (checker.violation() != null)
            {
                break;
            }
            if (initiated == options.events)
            {
                if (ingressEmpty() && checker.allAcked() && checker.logsIdentical() && allSerialized())
                {
                    checker.checkQuiescent(ledgers);
                    break;
                }
                if (nowNs - lastSubmitNs > LIVENESS_DEADLINE_NS)
                {
                    checker.checkQuiescent(ledgers);
                    if (checker.violation() == null)
                    {
                        checker.fail("I8: the cluster did not come to rest within " +
                            LIVENESS_DEADLINE_NS / 1_000_000 + " ms of the last submit");
                    }
                    break;
                }
            }
        }

        return new Result(
            options.seed, options.nodes, durability, checker.accepted(), checker.ackedCount(),
            network.crossPublisherReorders() + ingressReorders, steps, nowNs, checker.violation(),
            checker.violation() == null ? List.of() : trace.lastLines());
    }

    private boolean ingressEmpty()
    {
        for (final PriorityQueue<Ingress> queue : ingress)
        {
            if (!queue.isEmpty())
            {
                return false;
            }
        }
        return true;
    }

    private boolean allSerialized()
    {
        for (final SequencerProtocol protocol : protocols)
        {
            if (protocol.pendingCount() != 0)
            {
                return false;
            }
        }
        return true;
    }

    private void work(final int node)
    {
        final SequencerProtocol protocol = protocols[node];
        final long haveBefore = protocol.log().have();
        final long gBefore = protocol.guaranteed();
        final int frames = transports[node].poll(handlers[node], FRAGMENT_LIMIT);
        final int submits = drainIngress(node);
        final int work = frames + submits + protocol.doWork(nowNs);
        if (protocol.log().have() != haveBefore || protocol.guaranteed() != gBefore)
        {
            trace.add(nowNs, "work  member " + protocol.memberId() + " have " + haveBefore + "->" +
                protocol.log().have() + " g " + gBefore + "->" + protocol.guaranteed() + " L=" + protocol.clock());
        }

        long next;
        if (work > 0)
        {
            idleBackoffNs[node] = 0;
            next = nowNs + 1_000 + random.nextLong(9_000);
        }
        else
        {
            idleBackoffNs[node] = Math.min(MAX_IDLE_BACKOFF_NS, Math.max(1_000, idleBackoffNs[node] * 2));
            next = nowNs + idleBackoffNs[node];
        }
        if (random.nextInt(2_000) == 0)
        {
            final long pauseNs = TimeUnit.MILLISECONDS.toNanos(1) + random.nextLong(TimeUnit.MILLISECONDS.toNanos(20));
            trace.add(nowNs, "pause member " + protocol.memberId() + " for " + pauseNs / 1000 + " us");
            next += pauseNs;
        }
        schedule(next, WORK, node);
    }

    /** A client on a random node initiates a transfer; it reaches the node's duty cycle a little later. */
    private void initiateSubmit()
    {
        final int node = random.nextInt(protocols.length);
        final int client = random.nextInt(CLIENTS_PER_NODE);
        final int from = random.nextInt(AccountLedger.ACCOUNTS);
        final int to = random.nextInt(AccountLedger.ACCOUNTS);
        final long amount = 1 + random.nextLong(300);
        final int length = AccountLedger.encodeTransfer(submitBuffer, 0, from, to, amount, random.nextInt(48));
        final byte[] event = new byte[length];
        submitBuffer.getBytes(0, event);
        final long arriveNs = nowNs + (random.nextInt(4) == 0 ? random.nextLong(30_000) : 0);
        ingress.get(node).add(new Ingress(
            ++initiatedSeq, nowNs, checker.maxAckedPosition(), client, event,
            "transfer " + from + "->" + to + " " + amount, arriveNs));
    }

    /** The duty cycle drains its ingress ring: each submit that has arrived goes to the protocol (R1). */
    private int drainIngress(final int node)
    {
        final PriorityQueue<Ingress> queue = ingress.get(node);
        final SequencerProtocol protocol = protocols[node];
        int drained = 0;
        while (drained < INGRESS_LIMIT && !queue.isEmpty() && queue.peek().arriveNs <= nowNs)
        {
            final Ingress submit = queue.poll();
            drained++;
            final long correlationId = ++nextCorrelationId[node];
            submitBuffer.putBytes(0, submit.event);
            final int status = protocol.submit(correlationId, submitBuffer, 0, submit.event.length);
            if (status != SubmitStatus.ACCEPTED)
            {
                trace.add(nowNs, "submit member " + protocol.memberId() + " refused " + SubmitStatus.name(status));
                submit.arriveNs = nowNs + 20_000; // the client honours back-pressure and retries
                queue.add(submit);
                break;
            }
            final long[] drainedSeq = maxInitiatedSeqDrained[node];
            for (int other = 0; other < CLIENTS_PER_NODE; other++)
            {
                if (other != submit.client && drainedSeq[other] > submit.initiatedSeq)
                {
                    ingressReorders++;
                    break;
                }
            }
            drainedSeq[submit.client] = Math.max(drainedSeq[submit.client], submit.initiatedSeq);
            checker.onSubmitted(node, correlationId, protocol.incarnation(), protocol.lastLocalSeq(),
                submit.initiatedNs, submit.maxAckedPositionAtInitiation);
            trace.add(nowNs, "submit member " + protocol.memberId() + " client " + submit.client + " event " +
                protocol.memberId() + "/" + protocol.incarnation() + "/" + protocol.lastLocalSeq() + " counter " +
                protocol.clock() + " " + submit.description);
        }
        return drained;
    }

    /** Bursts (several submits at one instant, so counters tie) mixed with gaps. */
    private long submitGapNs()
    {
        final int shape = random.nextInt(10);
        if (shape < 3)
        {
            return 0;
        }
        if (shape < 9)
        {
            return 1_000 + random.nextLong(50_000);
        }
        return 100_000 + random.nextLong(2_000_000);
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
        timers.add(new Timer(timeNs, timerSeq++, kind, node));
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
                    " lastNormalEpoch=" + traceReport.lastNormalEpoch());
                break;
            default:
                trace.add(nowNs, head);
                break;
        }
    }
}
