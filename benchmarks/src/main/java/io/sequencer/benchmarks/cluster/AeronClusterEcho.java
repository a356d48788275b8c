package io.sequencer.benchmarks.cluster;

import io.sequencer.storage.DurableFiles;
import io.aeron.Publication;
import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusteredMediaDriver;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.ElectionState;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.sequencer.transport.aeron.LoopbackPorts;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The baseline: Aeron Cluster 1.51.0 with {@code nodes} members in this process, each a {@link ClusteredMediaDriver}
 * (its own media driver, archive and consensus module, directories in a temporary directory and {@code /dev/shm})
 * and a {@link ClusteredServiceContainer} running {@link EchoService}; members talk over loopback UDP on ports chosen
 * free for this run. Aeron Cluster's defaults otherwise (its log channel, archive without fsync: {@code
 * fileSyncLevel} 0, the counterpart of the project's durability {@code none}; {@code fileSyncLevel} 1, each block
 * forced as it is written, before the recorded position that commits it moves on, the counterpart of {@code batch}),
 * except the idle strategy: every agent
 * (drivers in {@code SHARED} mode, archives in {@code SHARED} mode, consensus modules, service containers, the
 * client) backs off as the project's duty cycle does, to parks of at most 50 us. Aeron Cluster has no invoker mode
 * for its consensus module or service container, so each member runs four threads.
 * <p>
 * The client ({@link AeronCluster}) connects once a leader is elected. With {@link Ingress#IPC} (the default) it
 * uses the leader's media driver and IPC ingress and egress: like the project's clients, which submit in-process to
 * their member. With {@link Ingress#UDP} it has a media driver of its own and reaches the leader over UDP, as a
 * remote client would. An event is acknowledged when its echo reaches the client: committed on a quorum (appended to
 * their archives), applied by the leader's service, sent back.
 */
final class AeronClusterEcho implements SystemUnderTest
{
    /** How the client reaches the leader. */
    enum Ingress
    {
        IPC, UDP
    }

    private static final long START_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    private static final int PORTS_PER_MEMBER = 4; // ingress, consensus, log, archive control
    private static final String LOOPBACK = "127.0.0.1";

    private final int nodes;
    private final int size;
    private final Ingress ingress;
    private final int fileSyncLevel;
    private final Path root;
    private final ClusteredMediaDriver[] members;
    private final ClusteredServiceContainer[] containers;
    private final DriverCounters[] driverCounters;
    private final long[] driverSums = new long[DriverCounters.COUNT];
    private final UnsafeBuffer message;
    private final AtomicInteger errors = new AtomicInteger();
    private final EgressListener egress = (sessionId, timestamp, buffer, offset, length, header) ->
        replies().onReply(buffer.getLong(offset, LITTLE_ENDIAN));
    private volatile boolean closing;
    private MediaDriver clientDriver;
    private AeronCluster client;
    private SystemUnderTest.Replies replies;
    private long sequence;

    private AeronClusterEcho(final int nodes, final int size, final Ingress ingress, final int fileSyncLevel)
        throws IOException
    {
        this.nodes = nodes;
        this.size = size;
        this.ingress = ingress;
        this.fileSyncLevel = fileSyncLevel;
        root = Files.createTempDirectory("sequencer-bench-aeron-cluster-");
        members = new ClusteredMediaDriver[nodes];
        containers = new ClusteredServiceContainer[nodes];
        driverCounters = new DriverCounters[nodes + 1];
        message = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
    }

    /**
     * Start the members, wait for a leader, connect the client.
     *
     * @param fileSyncLevel the archives' (0: no force, 1: each block forced as it is written).
     */
    static AeronClusterEcho start(final int nodes, final int size, final Ingress ingress, final int fileSyncLevel,
        final SplittableRandom random) throws IOException
    {
        final AeronClusterEcho cluster = new AeronClusterEcho(nodes, size, ingress, fileSyncLevel);
        try
        {
            cluster.launch(random);
            return cluster;
        }
        catch (final RuntimeException | Error ex)
        {
            cluster.close();
            throw ex;
        }
    }

    private static Supplier<IdleStrategy> idle()
    {
        return io.sequencer.node.DurableMember::shortParks;
    }

    private void launch(final SplittableRandom random)
    {
        final int basePort = LoopbackPorts.freeConsecutive(PORTS_PER_MEMBER * nodes, random);
        final String tag = Integer.toString(random.nextInt(1 << 20));
        final StringBuilder clusterMembers = new StringBuilder();
        final StringBuilder ingressEndpoints = new StringBuilder();
        for (int i = 0; i < nodes; i++)
        {
            final int port = basePort + PORTS_PER_MEMBER * i;
            clusterMembers.append(i).append(',')
                .append(LOOPBACK).append(':').append(port).append(',')          // ingress
                .append(LOOPBACK).append(':').append(port + 1).append(',')      // consensus
                .append(LOOPBACK).append(':').append(port + 2).append(',')      // log
                .append(LOOPBACK).append(":0,")                                 // catch-up: any port
                .append(LOOPBACK).append(':').append(port + 3).append('|');     // archive control
            ingressEndpoints.append(i).append('=').append(LOOPBACK).append(':').append(port).append(',');
        }
        clusterMembers.setLength(clusterMembers.length() - 1);
        ingressEndpoints.setLength(ingressEndpoints.length() - 1);

        final ErrorHandler errorHandler = this::onError;
        for (int i = 0; i < nodes; i++)
        {
            final String aeronDirectory = AeronDirectories.newName("aeron-cluster-bench-" + tag + "-" + i);
            final File base = root.resolve("member-" + i).toFile();
            final File clusterDirectory = new File(base, "cluster");
            final AeronArchive.Context localArchive = new AeronArchive.Context()
                .aeronDirectoryName(aeronDirectory)
                .controlRequestChannel("aeron:ipc")
                .controlResponseChannel("aeron:ipc")
                .errorHandler(errorHandler);
            members[i] = ClusteredMediaDriver.launch(
                new MediaDriver.Context()
                    .aeronDirectoryName(aeronDirectory)
                    .threadingMode(ThreadingMode.SHARED)
                    .sharedIdleStrategy(idle().get())
                    .termBufferSparseFile(true)
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true)
                    .errorHandler(errorHandler),
                new Archive.Context()
                    .aeronDirectoryName(aeronDirectory)
                    .archiveId(i)
                    .archiveDir(new File(base, "archive"))
                    .controlChannel("aeron:udp?endpoint=" + LOOPBACK + ":" + (basePort + PORTS_PER_MEMBER * i + 3))
                    .localControlChannel("aeron:ipc")
                    .replicationChannel("aeron:udp?endpoint=" + LOOPBACK + ":0")
                    .recordingEventsEnabled(false)
                    .threadingMode(ArchiveThreadingMode.SHARED)
                    .idleStrategySupplier(idle())
                    .deleteArchiveOnStart(true)
                    .fileSyncLevel(fileSyncLevel)
                    .catalogFileSyncLevel(fileSyncLevel)
                    .errorHandler(errorHandler),
                new ConsensusModule.Context()
                    .aeronDirectoryName(aeronDirectory)
                    .clusterMemberId(i)
                    .clusterMembers(clusterMembers.toString())
                    .clusterDir(clusterDirectory)
                    .archiveContext(localArchive.clone())
                    .serviceCount(1)
                    .ingressChannel("aeron:udp") // 1.51.0 has no default: the members' ingress endpoints go in
                    .isIpcIngressAllowed(true)
                    .replicationChannel("aeron:udp?endpoint=" + LOOPBACK + ":0")
                    .idleStrategySupplier(idle())
                    .deleteDirOnStart(true)
                    .errorHandler(errorHandler));
            containers[i] = ClusteredServiceContainer.launch(new ClusteredServiceContainer.Context()
                .aeronDirectoryName(aeronDirectory)
                .archiveContext(localArchive.clone())
                .clusterDir(clusterDirectory)
                .clusteredService(new EchoService())
                .idleStrategySupplier(idle())
                .errorHandler(errorHandler));
            driverCounters[i] = DriverCounters.of(aeronDirectory);
        }

        final int leader = awaitLeader();
        final AeronCluster.Context context = new AeronCluster.Context()
            .egressListener(egress)
            .idleStrategy(idle().get())
            .messageTimeoutNs(TimeUnit.SECONDS.toNanos(10))
            .errorHandler(errorHandler);
        if (ingress == Ingress.IPC)
        {
            context.aeronDirectoryName(members[leader].mediaDriver().aeronDirectoryName())
                .ingressChannel("aeron:ipc")
                .ingressEndpoints(null) // must be null with IPC ingress
                .egressChannel("aeron:ipc");
        }
        else
        {
            final String clientDirectory = AeronDirectories.newName("aeron-cluster-bench-" + tag + "-client");
            clientDriver = MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(clientDirectory)
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(idle().get())
                .termBufferSparseFile(true)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .errorHandler(errorHandler));
            driverCounters[nodes] = DriverCounters.of(clientDirectory);
            context.aeronDirectoryName(clientDirectory)
                .ingressChannel("aeron:udp")
                .ingressEndpoints(ingressEndpoints.toString())
                .egressChannel("aeron:udp?endpoint=" + LOOPBACK + ":0");
        }
        client = AeronCluster.connect(context);
    }

    /** The member elected leader, once its election has closed. */
    private int awaitLeader()
    {
        final long deadlineNs = System.nanoTime() + START_TIMEOUT_NS;
        while (true)
        {
            for (int i = 0; i < nodes; i++)
            {
                final ConsensusModule.Context context = members[i].consensusModule().context();
                if (Cluster.Role.get(context.clusterNodeRoleCounter()) == Cluster.Role.LEADER &&
                    ElectionState.get(context.electionStateCounter()) == ElectionState.CLOSED)
                {
                    return i;
                }
            }
            if (System.nanoTime() > deadlineNs)
            {
                final StringBuilder states = new StringBuilder();
                for (int i = 0; i < nodes; i++)
                {
                    final ConsensusModule.Context context = members[i].consensusModule().context();
                    states.append(" member ").append(i).append(": ")
                        .append(Cluster.Role.get(context.clusterNodeRoleCounter())).append(", election ")
                        .append(ElectionState.get(context.electionStateCounter()));
                }
                throw new IllegalStateException("Aeron Cluster elected no leader within 60 s:" + states);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private void onError(final Throwable error)
    {
        if (!closing && errors.getAndIncrement() < 5)
        {
            System.err.println("aeron-cluster: " + error);
        }
    }

    private SystemUnderTest.Replies replies()
    {
        return replies;
    }

    public String name()
    {
        return "aeron-cluster";
    }

    public boolean offer(final long intendedNs)
    {
        message.putLong(0, intendedNs, LITTLE_ENDIAN);
        if (size >= 2 * Long.BYTES)
        {
            message.putLong(Long.BYTES, sequence, LITTLE_ENDIAN);
        }
        final long result = client.offer(message, 0, size);
        if (result > 0)
        {
            sequence++;
            return true;
        }
        if (result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION ||
            result == Publication.NOT_CONNECTED)
        {
            return false; // offered again; NOT_CONNECTED while a new leader takes over
        }
        throw new IllegalStateException("offer to Aeron Cluster failed: " +
            (result == Publication.CLOSED ? "CLOSED" : result == Publication.MAX_POSITION_EXCEEDED ?
            "MAX_POSITION_EXCEEDED" : Long.toString(result)));
    }

    public int poll(final SystemUnderTest.Replies replies)
    {
        this.replies = replies;
        return client.pollEgress();
    }

    public long refused()
    {
        return 0; // Aeron Cluster never refuses a message it took; back-pressure and not-connected count as refusals
    }

    public Traffic traffic()
    {
        java.util.Arrays.fill(driverSums, 0);
        long elections = 0;
        for (int i = 0; i < nodes; i++)
        {
            driverCounters[i].addTo(driverSums);
            elections += members[i].consensusModule().context().electionCounter().get();
        }
        if (driverCounters[nodes] != null)
        {
            driverCounters[nodes].addTo(driverSums);
        }
        return Traffic.ofDrivers(-1, -1, driverSums, elections);
    }

    public void close()
    {
        closing = true;
        CloseHelper.quietClose(client);
        CloseHelper.quietClose(clientDriver);
        CloseHelper.quietCloseAll(driverCounters);
        CloseHelper.quietCloseAll(containers); // services first: a consensus module closing under them is an error
        CloseHelper.quietCloseAll(members);
        DurableFiles.deleteTree(root);
    }
}
