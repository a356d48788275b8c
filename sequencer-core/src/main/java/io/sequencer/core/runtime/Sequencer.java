package io.sequencer.core.runtime;

import io.sequencer.core.CheckpointStore;
import io.sequencer.core.EventLog;
import io.sequencer.core.NodeStore;
import io.sequencer.core.ProtocolContext;
import io.sequencer.core.protocol.SequencerProtocol;
import io.sequencer.core.StateMachine;
import io.sequencer.core.Transport;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.CountersManager;

import java.io.File;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * An embedded sequencer node: the protocol, its duty-cycle agent, the ingress ring its clients submit through, its
 * counters and error log. {@link #launch} starts it (on its own thread, unless the caller runs its
 * {@link #agent()}); {@link #newClient()} gives each caller thread a {@link SequencerClient}; {@link #close()}
 * stops it, forces the log and marks its counters file closed.
 * <pre>{@code
 * try (Sequencer node = Sequencer.launch(context, new MyStateMachine());
 *      SequencerClient client = node.newClient())
 * {
 *     SequencerClient.Outcome outcome = client.submitAndWait(event, 0, length, 1_000_000_000L,
 *         new BackoffIdleStrategy());
 * }
 * }</pre>
 */
public final class Sequencer implements AutoCloseable
{
    /**
     * Everything a node needs, with defaults, checked once by {@link #conclude()}: every error names the setting.
     * Storage and transport are given, not built here: the node module wires Chronicle Queue and Aeron; tests
     * and the simulator use the in-memory ones.
     */
    public static final class Context
    {
        private ProtocolContext protocol;
        private File directory;
        private EventLog log;
        private CheckpointStore checkpoints;
        private NodeStore store;
        private Transport transport;
        private StateMachine snapshotStateMachine;
        private java.util.function.LongFunction<io.sequencer.core.CommittedEntries> committedEntries;
        private IdleStrategy snapshotIdleStrategy;
        private java.util.function.Consumer<io.sequencer.core.MemberStreamListener> streamSignals;
        private IdleStrategy idleStrategy;
        private boolean ownThread = true;
        private java.util.concurrent.ThreadFactory threadFactory = Thread::new;
        private long timerSlackNs;
        private NanoClock nanoClock = SystemNanoClock.INSTANCE;
        private EpochClock epochClock = SystemEpochClock.INSTANCE;
        private ErrorHandler errorHandler;
        private int maxClients = 16;
        private int clientMaxInFlight = 1024;
        private int ingressRingBytes = 4 * 1024 * 1024;
        private int fragmentLimit = 64;
        private int ingressLimit = 64;
        private int errorLogBytes = 1024 * 1024;
        private long countersUpdateIntervalNs = TimeUnit.MILLISECONDS.toNanos(1);
        private final java.util.Map<String, java.util.function.LongSupplier> counterSources =
            new java.util.LinkedHashMap<>();
        private boolean concluded;

        public Context conclude()
        {
            if (concluded)
            {
                return this;
            }
            require(protocol != null, "protocol", "a ProtocolContext");
            protocol.conclude();
            require(directory != null, "directory", "the node's directory");
            if (!directory.isDirectory() && !directory.mkdirs())
            {
                throw new IllegalArgumentException("directory: cannot create " + directory.getAbsolutePath());
            }
            require(log != null, "log", "an EventLog");
            require(checkpoints != null, "checkpoints", "a CheckpointStore");
            require(store != null, "store", "a NodeStore");
            require(transport != null, "transport", "a Transport");
            require((snapshotStateMachine == null) == (committedEntries == null), "snapshots",
                "both a second state machine and the committed entries, or neither");
            if (snapshotIdleStrategy == null)
            {
                snapshotIdleStrategy = new org.agrona.concurrent.SleepingMillisIdleStrategy(10);
            }
            require(maxClients >= 1 && maxClients <= 1 << 15, "maxClients", "1..32768");
            require(clientMaxInFlight >= 1, "clientMaxInFlight", ">= 1");
            require(Integer.bitCount(ingressRingBytes) == 1 && ingressRingBytes >= 64 * 1024,
                "ingressRingBytes", "a power of two >= 65536");
            require(fragmentLimit >= 1, "fragmentLimit", ">= 1");
            require(timerSlackNs >= 0, "timerSlackNs", ">= 0 (0: the thread's own)");
            require(ingressLimit >= 1, "ingressLimit", ">= 1");
            require(errorLogBytes >= 4096, "errorLogBytes", ">= 4096");
            if (idleStrategy == null)
            {
                idleStrategy = new BackoffIdleStrategy();
            }
            concluded = true;
            return this;
        }

        private static void require(final boolean ok, final String setting, final String expected)
        {
            if (!ok)
            {
                throw new IllegalArgumentException(setting + ": expected " + expected);
            }
        }

        public Context protocol(final ProtocolContext protocol)
        {
            this.protocol = protocol;
            return this;
        }

        public ProtocolContext protocol()
        {
            return protocol;
        }

        /** The node's directory: its counters and error log file live here (and its log, in the node module). */
        public Context directory(final File directory)
        {
            this.directory = directory;
            return this;
        }

        public File directory()
        {
            return directory;
        }

        public Context log(final EventLog log)
        {
            this.log = log;
            return this;
        }

        public Context checkpoints(final CheckpointStore checkpoints)
        {
            this.checkpoints = checkpoints;
            return this;
        }

        public Context store(final NodeStore store)
        {
            this.store = store;
            return this;
        }

        public Context transport(final Transport transport)
        {
            this.transport = transport;
            return this;
        }

        /**
         * Take checkpoints on a snapshot thread, off the duty cycle (docs/protocol.md §5): it runs
         * {@code secondInstance}, a state machine of the same kind as the duty cycle's that nothing else touches,
         * over the member's committed entries, opened from a position by {@code committedEntries}, and writes a
         * checkpoint every {@link ProtocolContext#checkpointInterval()} positions. Without this no checkpoint is
         * taken: a rebuild replays from the newest one there is, or from position 1.
         */
        public Context snapshots(
            final StateMachine secondInstance,
            final java.util.function.LongFunction<io.sequencer.core.CommittedEntries> committedEntries)
        {
            this.snapshotStateMachine = secondInstance;
            this.committedEntries = committedEntries;
            return this;
        }

        /**
         * How the snapshot thread waits for committed entries (default: sleep 10 ms: it need not keep up closely, and
         * three of them waking every millisecond beside a saturated duty cycle showed in the demo's p90).
         */
        public Context snapshotIdleStrategy(final IdleStrategy idleStrategy)
        {
            this.snapshotIdleStrategy = idleStrategy;
            return this;
        }

        /**
         * How to register the protocol for the transport's stream signals (a peer's stream lost or appearing),
         * e.g. {@code aeronTransport::listener}; called once, before the duty cycle starts.
         */
        public Context streamSignals(final java.util.function.Consumer<io.sequencer.core.MemberStreamListener> signals)
        {
            this.streamSignals = signals;
            return this;
        }

        /** How the duty cycle idles when there is no work: busy-spin on a pinned core, backoff or sleep elsewhere. */
        public Context idleStrategy(final IdleStrategy idleStrategy)
        {
            this.idleStrategy = idleStrategy;
            return this;
        }

        /**
         * False to run the {@link #agent()} yourself (several nodes on one thread through a {@code CompositeAgent},
         * or an {@code AgentInvoker}).
         */
        public Context ownThread(final boolean ownThread)
        {
            this.ownThread = ownThread;
            return this;
        }

        /**
         * The duty-cycle thread's timer slack on Linux ({@link TimerSlack}), set when it starts: how much later than
         * asked its idle strategy's parks may end. Default 0, which leaves the thread's own (the OS's 50 µs unless its
         * creator changed it).
         */
        public Context timerSlackNs(final long timerSlackNs)
        {
            this.timerSlackNs = timerSlackNs;
            return this;
        }

        /** Makes the duty-cycle thread (with {@link #ownThread(boolean)}): e.g. one that pins itself to a CPU. */
        public Context threadFactory(final java.util.concurrent.ThreadFactory threadFactory)
        {
            this.threadFactory = threadFactory;
            return this;
        }

        public Context nanoClock(final NanoClock nanoClock)
        {
            this.nanoClock = nanoClock;
            return this;
        }

        public Context epochClock(final EpochClock epochClock)
        {
            this.epochClock = epochClock;
            return this;
        }

        /**
         * Also told of every error (they are always recorded in the node's error log and counted), from the duty-cycle
         * thread and from the snapshot thread: it must be safe to call from both.
         */
        public Context errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }

        public Context maxClients(final int maxClients)
        {
            this.maxClients = maxClients;
            return this;
        }

        /** Submits a client may have unanswered; beyond it its submits are back-pressured. */
        public Context clientMaxInFlight(final int clientMaxInFlight)
        {
            this.clientMaxInFlight = clientMaxInFlight;
            return this;
        }

        public Context ingressRingBytes(final int ingressRingBytes)
        {
            this.ingressRingBytes = ingressRingBytes;
            return this;
        }

        /**
         * Publish one more value with the node's counters, read on the duty-cycle thread each time they are published
         * (a transport's own counters, say, which its duty-cycle thread keeps).
         */
        public Context counterSource(final String label, final java.util.function.LongSupplier source)
        {
            counterSources.put(java.util.Objects.requireNonNull(label, "label"),
                java.util.Objects.requireNonNull(source, "source"));
            return this;
        }

        public Context fragmentLimit(final int fragmentLimit)
        {
            this.fragmentLimit = fragmentLimit;
            return this;
        }

        public Context errorLogBytes(final int errorLogBytes)
        {
            this.errorLogBytes = errorLogBytes;
            return this;
        }
    }

    private final Context ctx;
    private final SequencerProtocol protocol;
    private final NodeStatFile statFile;
    private final NodeCounters counters;
    private final DistinctErrorLog errorLog;
    private final ErrorHandler errorHandler;
    private final ManyToOneRingBuffer ingress;
    private final ClientRegistry clients;
    private final SequencerAgent agent;
    private final StateMachine stateMachine;
    private final org.agrona.concurrent.ManyToOneConcurrentLinkedQueue<Runnable> queries =
        new org.agrona.concurrent.ManyToOneConcurrentLinkedQueue<>();
    private final AgentRunner runner;
    private final io.sequencer.core.protocol.Snapshotter snapshotter;
    private final AgentRunner snapshotRunner;
    private final int completionRingBytes;
    private volatile boolean closed;

    private Sequencer(final Context ctx, final StateMachine stateMachine)
    {
        this.ctx = ctx;
        this.stateMachine = stateMachine;
        final ProtocolContext protocolContext = ctx.protocol;
        statFile = NodeStatFile.create(ctx.directory, protocolContext.memberId(), 256, ctx.errorLogBytes,
            ctx.epochClock.time());
        errorLog = new DistinctErrorLog(statFile.errorLogBuffer(), ctx.epochClock);
        final ErrorHandler userHandler = ctx.errorHandler;
        errorHandler = ex ->
        {
            errorLog.record(ex);
            if (userHandler != null)
            {
                userHandler.onError(ex);
            }
        };
        protocolContext.errorHandler(errorHandler);
        if (protocolContext.jitterSeed() == 0)
        {
            protocolContext.jitterSeed(System.nanoTime()); // members started together still draw apart (B7)
        }

        clients = new ClientRegistry(ctx.maxClients, protocolContext.maxResultLength());
        protocol = new SequencerProtocol(
            protocolContext, ctx.log, ctx.checkpoints, ctx.store, stateMachine, ctx.transport, clients);
        final java.util.Map<String, java.util.function.LongSupplier> counterSources =
            new java.util.LinkedHashMap<>(ctx.counterSources);
        if (ctx.snapshotStateMachine != null)
        {
            snapshotter = new io.sequencer.core.protocol.Snapshotter(
                protocolContext, ctx.snapshotStateMachine, ctx.checkpoints, ctx.committedEntries,
                () -> protocol.mode() == io.sequencer.core.NodeMode.RUNNING, protocol::retainUpTo,
                protocol::checkpointNeeded, errorHandler);
            counterSources.put("checkpoints taken", snapshotter::checkpointsTaken);
            counterSources.put("checkpoint newest", snapshotter::lastCheckpoint);
            counterSources.put("snapshot thread position", snapshotter::position);
            counterSources.put("snapshot thread failures", snapshotter::failures);
            snapshotRunner = new AgentRunner(ctx.snapshotIdleStrategy, errorHandler, null,
                new SnapshotAgent(snapshotter, ctx.directory.toPath(), ctx.nanoClock, protocolContext.memberId()));
        }
        else
        {
            snapshotter = null;
            snapshotRunner = null;
        }
        counters = new NodeCounters(
            new CountersManager(statFile.metaDataBuffer(), statFile.valuesBuffer()), protocol,
            clients::lostCompletions, counterSources, ctx.countersUpdateIntervalNs);
        ingress = new ManyToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(ctx.ingressRingBytes + RingBufferDescriptor.TRAILER_LENGTH)));
        RingWarmUp.startOnce(); // the rings' first wrap, compiled in from the start
        final int slot = align(ClientRegistry.COMPLETED_HEADER + protocolContext.maxResultLength() + 8, 8);
        completionRingBytes = Integer.highestOneBit(Math.max(4096, ctx.clientMaxInFlight * slot * 2) - 1) << 1;
        if (ctx.streamSignals != null)
        {
            ctx.streamSignals.accept(protocol);
        }
        agent = new SequencerAgent(
            protocol, ctx.transport, ingress, clients, queries, ctx.nanoClock, counters, errorHandler,
            ctx.fragmentLimit, ctx.ingressLimit, ctx.timerSlackNs);
        runner = ctx.ownThread ? new AgentRunner(ctx.idleStrategy, errorHandler, null, agent) : null;
    }

    private static int align(final int value, final int alignment)
    {
        return (value + alignment - 1) & -alignment;
    }

    /**
     * Start a node: create its counters file, build the protocol over the given storage and transport, and start
     * its duty cycle (on its own thread unless {@link Context#ownThread(boolean)} is false).
     */
    public static Sequencer launch(final Context context, final StateMachine stateMachine)
    {
        context.conclude();
        final Sequencer sequencer = new Sequencer(context, stateMachine);
        if (sequencer.runner != null)
        {
            AgentRunner.startOnThread(sequencer.runner, context.threadFactory);
        }
        if (sequencer.snapshotRunner != null)
        {
            AgentRunner.startOnThread(sequencer.snapshotRunner); // never pinned: it must not take the duty core
        }
        return sequencer;
    }

    /**
     * A new client for the calling thread.
     *
     * @throws IllegalStateException when {@link Context#maxClients(int)} clients are open.
     */
    public SequencerClient newClient()
    {
        final OneToOneRingBuffer completions = new OneToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(completionRingBytes + RingBufferDescriptor.TRAILER_LENGTH)));
        final int clientId = clients.register(completions);
        if (clientId < 0)
        {
            throw new IllegalStateException("maxClients: all " + ctx.maxClients + " client slots are in use");
        }
        return new SequencerClient(
            this, clientId, ingress, completions, ctx.clientMaxInFlight, ctx.protocol.maxEventLength());
    }

    /**
     * A read-only query of the local state machine, run on the duty-cycle thread between two cycles, without going
     * through ordering. The answer is this replica's state at that moment: it may lag the cluster (events durable
     * elsewhere, not yet applied here) or lead it (events applied speculatively, not yet durable). For an answer
     * that is part of the total order, submit an event whose result carries it.
     *
     * @param query must only read; it runs on the duty-cycle thread, so keep it short.
     * @return completed with the query's answer, or exceptionally if it threw or the node closed first.
     */
    public <R> java.util.concurrent.CompletableFuture<R> query(
        final java.util.function.Function<StateMachine, R> query)
    {
        final java.util.concurrent.CompletableFuture<R> answer = new java.util.concurrent.CompletableFuture<>();
        if (closed)
        {
            answer.completeExceptionally(new IllegalStateException("the node is closed"));
            return answer;
        }
        queries.offer(() ->
        {
            try
            {
                answer.complete(query.apply(stateMachine));
            }
            catch (final RuntimeException ex)
            {
                answer.completeExceptionally(ex);
            }
        });
        if (closed)
        {
            // close() may have drained the queue between the check above and the offer: nobody would run it. If the
            // duty cycle or close() did run it, the answer stands and this changes nothing.
            answer.completeExceptionally(new IllegalStateException("the node is closed"));
        }
        return answer;
    }

    void release(final int clientId)
    {
        clients.unregister(clientId);
    }

    /**
     * What records an error in this node's error log (the counters file's, which {@code sequencer errors} reads) and
     * passes it to {@link Context#errorHandler}: for the parts of the process that started before the node did, the
     * transport among them. Safe from any thread.
     */
    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    /** The duty cycle, for callers that run it themselves ({@code ownThread(false)}). */
    public SequencerAgent agent()
    {
        return agent;
    }

    /**
     * The protocol, for reading its state from the duty-cycle thread (or, read-only and possibly stale, from
     * another: its fields are plain, not volatile).
     */
    public SequencerProtocol protocol()
    {
        return protocol;
    }

    /** The snapshot thread's work, when checkpoints are taken ({@link Context#snapshots}); else null. */
    public io.sequencer.core.protocol.Snapshotter snapshotter()
    {
        return snapshotter;
    }

    /**
     * Stop the snapshot thread (a checkpoint being written is finished or dropped whole) and the duty cycle, force the
     * log, close storage and transport, and mark the counters file closed.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.close(snapshotRunner);
        if (snapshotter != null)
        {
            snapshotter.close();
        }
        CloseHelper.close(runner);
        for (Runnable pending = queries.poll(); pending != null; pending = queries.poll())
        {
            pending.run(); // answered from the final state: the duty cycle has stopped
        }
        counters.update(ctx.nanoClock.nanoTime());
        try
        {
            ctx.log.force();
        }
        catch (final io.sequencer.core.LogUnwritableException ex)
        {
            // the last force may be the first to fail: the member stops on it as in a duty cycle (under batch it
            // records the cut of what was not forced), and its node exits non-zero; the rest is still closed
            agent.stopOnUnwritableLog(ex);
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex); // recorded, and the rest still closed
        }
        CloseHelper.closeAll(ctx.transport, ctx.log, ctx.checkpoints, ctx.store);
        statFile.markClosed(ctx.epochClock.time());
        statFile.close();
    }
}
