package io.sequencer.node;

import io.aeron.driver.ThreadingMode;
import io.sequencer.core.ProtocolContext;
import io.sequencer.core.StateMachine;
import io.sequencer.core.runtime.Sequencer;
import io.sequencer.storage.ChronicleLogContext;
import io.sequencer.storage.CommittedLogReader;
import io.sequencer.storage.NodeStorage;
import io.sequencer.storage.WriteFailureMarker;
import io.sequencer.transport.aeron.AeronTransport;
import io.sequencer.transport.aeron.AeronTransportContext;
import org.agrona.CloseHelper;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;
import java.util.Locale;

/**
 * One durable member assembled from the real parts: its storage on Chronicle Queue in its directory, its transport on
 * Aeron, and the embedded {@link Sequencer} over them, running the application's {@link StateMachine}. What the
 * {@code node} command runs; an application that embeds a member launches it the same way:
 * <pre>
 * NodeConfig config = NodeConfig.load(Path.of("cluster.properties"), Map.of());
 * try (DurableMember member = DurableMember.launch(config, 0, MyStateMachine::new, false))
 * {
 *     SequencerClient client = member.sequencer().newClient();
 *     ...
 * }
 * </pre>
 */
public final class DurableMember implements AutoCloseable
{
    private final NodeStorage storage;
    private final AeronTransport transport;
    private final Sequencer sequencer;
    private final long storageNs;
    private final long transportNs;
    private final long sequencerNs;

    private DurableMember(
        final NodeStorage storage,
        final AeronTransport transport,
        final Sequencer sequencer,
        final long storageNs,
        final long transportNs,
        final long sequencerNs)
    {
        this.storage = storage;
        this.transport = transport;
        this.sequencer = sequencer;
        this.storageNs = storageNs;
        this.transportNs = transportNs;
        this.sequencerNs = sequencerNs;
    }

    /**
     * Open storage, start the transport, launch the node. On failure everything opened so far is closed again. The
     * assembly the demo and the end-to-end benchmark use: contexts built by the caller, several members in one process.
     * <p>
     * The member runs under {@code protocol}'s boot id ({@link NodeConfig#protocolContext} gives the machine's, changed
     * for the rest of the boot by a {@link WriteFailureMarker} if the member's log's file system refused a write:
     * docs/protocol.md §10.7); the log's unforced seals carry the same, whatever the caller gave.
     *
     * @param ownThread false when the caller runs {@link #sequencer()}'s agent (several members on one thread).
     * @param cpu       the CPU the duty-cycle thread pins itself to (with {@code ownThread}); -1 for none.
     * @param writeFailureDirectory where the log records a file system that refused a write
     *                              ({@link NodeConfig#writeFailureDirectory()}, default
     *                              {@link WriteFailureMarker#defaultDirectory()}).
     */
    public static DurableMember launch(
        final ProtocolContext protocol,
        final Path directory,
        final AeronTransportContext transportContext,
        final StateMachine stateMachine,
        final StateMachine snapshotStateMachine,
        final IdleStrategy idleStrategy,
        final boolean ownThread,
        final int cpu,
        final Path writeFailureDirectory)
    {
        if (transportContext.maxEventLength() != protocol.maxEventLength())
        {
            throw new IllegalArgumentException("maxEventLength: the transport validates frames with " +
                transportContext.maxEventLength() + " bytes, the protocol with " + protocol.maxEventLength() +
                "; give both the same");
        }
        // The transport (media driver, client, streams) and the storage (Chronicle's classes, the log's scan) each
        // take a few hundred milliseconds of a start, mostly class initialisation and waiting on the kernel: started
        // side by side they overlap, and a restarted member is back that much sooner. The transport starts once the
        // member's directory is locked: a second process for the member must change nothing, its driver included.
        final long machineBootId = NodeConfig.machineBootId();
        // the boot id the log's seals carry: the machine's, changed for the rest of this boot if the log's file system
        // refused a write, when what the log held may be gone as after a reboot (docs/protocol.md §10.7)
        final long bootId = WriteFailureMarker.bootId(machineBootId,
            directory.resolve(NodeStorage.LOG_DIRECTORY), writeFailureDirectory);
        // what the transport reports while the node's error log does not exist yet goes there once it does
        final ErrorsBeforeLaunch transportErrors = new ErrorsBeforeLaunch(transportContext.errorHandler());
        transportContext.errorHandler(transportErrors);
        final TransportStart transportStart = new TransportStart(transportContext);
        final Thread transportThread = new Thread(transportStart, "sequencer-transport-start");
        final long startNs = System.nanoTime();
        NodeStorage storage = null;
        AeronTransport transport = null;
        long storageOpenNs = startNs;
        try
        {
            try
            {
                storage = NodeStorage.open(directory, new ChronicleLogContext()
                    .clusterId(protocol.cluster().clusterId())
                    .maxPayloadLength(
                        Math.max(ChronicleLogContext.DEFAULT_MAX_PAYLOAD_LENGTH, protocol.maxEventLength()))
                    // under none, full cycles are sealed without an fsync, trusted in this boot only (docs §10.1);
                    // the machine's boot, whose page cache holds them, and only where there is one to know
                    .bootId(bootId)
                    .forceFullCycles(
                        protocol.durability() == io.sequencer.core.Durability.BATCH || machineBootId == 0)
                    .writeFailureMarkerDirectory(writeFailureDirectory),
                    transportThread::start);
                storageOpenNs = System.nanoTime();
            }
            finally
            {
                transportStart.handover = true;
                joinUninterruptibly(transportThread); // returns at once if the lock was refused and it never started
                transport = transportStart.transport;
            }
            if (transportStart.failure != null)
            {
                throw transportStart.failure; // the storage opened, so the transport was started and ended one way
            }
            final AeronTransport signals = transport;
            final Sequencer.Context context = new Sequencer.Context();
            transport.counters().forEach(context::counterSource); // stat shows them beside the protocol's
            final Sequencer sequencer = Sequencer.launch(context
                .protocol(protocol)
                .directory(directory.toFile())
                .log(storage.log())
                .checkpoints(storage.checkpoints())
                .store(storage.nodeStore())
                .transport(transport)
                .streamSignals(signals::listener)
                // without a second hash of each entry: the snapshot thread chains each onto its checkpoint's chk
                .snapshots(snapshotStateMachine, from -> CommittedLogReader.open(directory, from, false))
                .idleStrategy(idleStrategy)
                .timerSlackNs(transport.context().timerSlackNs()) // one setting for the member's threads
                .threadFactory(pinnedTo(cpu))
                .ownThread(ownThread), stateMachine);
            transportErrors.recordInto(sequencer.errorHandler());
            final long launchedNs = System.nanoTime();
            return new DurableMember(storage, transport, sequencer, storageOpenNs - startNs,
                transportStart.tookNs, launchedNs - Math.max(storageOpenNs, startNs + transportStart.tookNs));
        }
        catch (final RuntimeException | Error ex)
        {
            CloseHelper.quietCloseAll(transport, storage); // an Error too: the transport thread may have started
            throw ex;
        }
    }

    /** Launches the transport on its own thread while the storage opens on the caller's. */
    private static final class TransportStart implements Runnable
    {
        private final AeronTransportContext context;
        private AeronTransport transport;
        private RuntimeException failure;
        private long tookNs;
        /** Set by the launcher once it takes the transport over: the driver is then the duty cycle's to run. */
        private volatile boolean handover;

        TransportStart(final AeronTransportContext context)
        {
            this.context = context;
        }

        public void run()
        {
            final long startNs = System.nanoTime();
            try
            {
                transport = AeronTransport.launch(context);
            }
            catch (final RuntimeException ex)
            {
                failure = ex;
            }
            catch (final Error ex)
            {
                failure = new IllegalStateException("the transport failed to start: " + ex, ex);
            }
            tookNs = System.nanoTime() - startNs;
            if (transport != null && context.threadingMode() == ThreadingMode.INVOKER)
            {
                // Nothing else runs a driver in the duty cycle until that cycle's first turn, after the storage has
                // opened (0.3-0.7 s later under load): meanwhile its peers' setups and data went unanswered and the
                // member's first epochs never reached them (a restart took boot timeouts, 3.2 s to run at the median
                // over 20 kill cycles, against 2.3 s with this). The launcher sets handover, then joins this thread.
                final IdleStrategy idle = context.driverIdleStrategy().get();
                while (!handover)
                {
                    idle.idle(transport.invokeDriver());
                }
            }
        }
    }

    private static void joinUninterruptibly(final Thread thread)
    {
        boolean interrupted = false;
        while (true)
        {
            try
            {
                thread.join();
                break;
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Launch member {@code memberId} of the cluster {@code config} describes (its directory, transport, timeouts,
     * idle strategy and CPU), running an instance from {@code stateMachines} on its own duty-cycle thread, and another
     * on its snapshot thread, which writes the checkpoints (docs/protocol.md §5). What its protocol does (epoch
     * changes and why, decisions, catch-up, waits for a quorum) is logged through SLF4J on the logger
     * {@code io.sequencer.events} at INFO, as the {@code node} command prints it.
     *
     * @param bootstrap true only when creating the cluster: an empty directory then counts as an intact member.
     * @throws IllegalArgumentException for a setting the configuration does not allow, naming it.
     * @throws IllegalStateException    when the storage or the transport cannot start (the directory held by another
     *                                  process, a port in use, ...), saying why.
     */
    public static DurableMember launch(
        final NodeConfig config, final int memberId, final java.util.function.Supplier<StateMachine> stateMachines,
        final boolean bootstrap)
    {
        return launch(config.protocolContext(memberId).bootstrap(bootstrap)
                .listener(NodeEventLog.slf4j(config.cluster(), memberId)),
            config.member(memberId).directory().toPath(), config.transportContext(memberId), stateMachines.get(),
            stateMachines.get(), config.idleStrategy(), true, config.cpu(), config.writeFailureDirectory());
    }

    /**
     * Run the duty cycles of {@code members} (launched with {@code ownThread} false) together on one new thread, a
     * {@link org.agrona.concurrent.CompositeAgent}: the way to run several members on two cores. It idles with
     * short parks: a waiting event gets at most 50 µs more, and the core is still yielded. The demo's and the
     * end-to-end benchmark's.
     *
     * @return the runner, started; closing it stops the duty cycles.
     */
    public static org.agrona.concurrent.AgentRunner startTogether(final DurableMember[] members)
    {
        final org.agrona.concurrent.Agent[] agents = new org.agrona.concurrent.Agent[members.length];
        for (int i = 0; i < members.length; i++)
        {
            agents[i] = members[i].sequencer().agent();
        }
        final org.agrona.concurrent.AgentRunner runner = new org.agrona.concurrent.AgentRunner(
            shortParks(), Throwable::printStackTrace, null,
            agents.length == 1 ? agents[0] : new org.agrona.concurrent.CompositeAgent(agents));
        org.agrona.concurrent.AgentRunner.startOnThread(runner);
        return runner;
    }

    /**
     * {@link #startTogether}'s idle strategy: spins and yields, then parks of 1 to 50 µs. The end-to-end benchmark
     * idles every thread of the systems it compares (drivers, Aeron Cluster's agents, the load) with it too.
     */
    public static org.agrona.concurrent.IdleStrategy shortParks()
    {
        return new org.agrona.concurrent.BackoffIdleStrategy(10, 20, 1_000, 50_000);
    }

    /** Threads that pin themselves to {@code cpu} before they run (-1: not pinned). */
    static java.util.concurrent.ThreadFactory pinnedTo(final int cpu)
    {
        if (cpu < 0)
        {
            return Thread::new;
        }
        return runnable -> new Thread(() ->
        {
            net.openhft.affinity.Affinity.setAffinity(cpu);
            runnable.run();
        });
    }

    /**
     * How long each part took to start, for the operator: "storage 0.62 s (log of 1000000 entries: 16960 walked, 15
     * full cycles sealed) and transport 0.21 s side by side, node 0.05 s".
     */
    String startTimes()
    {
        final io.sequencer.storage.ChronicleEventLog log = storage.log();
        return String.format(Locale.ROOT, "storage %.2f s (log of %d entries: %d walked, %d full cycles sealed) and " +
            "transport %.2f s side by side, node %.2f s", storageNs / 1e9, log.entriesAtOpen(),
            log.entriesWalkedAtOpen(), log.sealedCyclesAtOpen(), transportNs / 1e9, sequencerNs / 1e9);
    }

    /**
     * The member's transport counters: plain fields the duty-cycle thread writes, so another thread reads a figure
     * that may lag by a cycle (the demo's and the benchmark's frames per event).
     */
    public io.sequencer.transport.aeron.TransportCounters transportCounters()
    {
        return transport.counters();
    }

    /** The embedded node: {@link Sequencer#newClient()} submits to it. */
    public Sequencer sequencer()
    {
        return sequencer;
    }

    NodeStorage storage()
    {
        return storage;
    }

    /** Stop the duty cycle, force the log, close the transport and the storage. */
    public void close()
    {
        sequencer.close(); // closes the transport and the storage it was given
    }
}
