package io.sequencer.benchmarks.cluster;

import io.aeron.driver.ThreadingMode;
import io.sequencer.core.ClusterConfig;
import io.sequencer.core.Durability;
import io.sequencer.core.ProtocolContext;
import io.sequencer.core.SubmitStatus;
import io.sequencer.core.codec.MessageType;
import io.sequencer.core.runtime.CompletionListener;
import io.sequencer.core.runtime.SequencerClient;
import io.sequencer.node.DurableMember;
import io.sequencer.storage.DurableFiles;
import io.sequencer.transport.aeron.AeronTransportContext;
import io.sequencer.transport.aeron.Authentication;
import io.sequencer.transport.aeron.LoopbackPorts;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The project under test, assembled as {@code sequencer demo} assembles it ({@link DurableMember#launch}, contexts as
 * DemoCommand builds them):
 * {@code nodes} durable members in this process, each with its Chronicle log in a temporary directory and its Aeron
 * transport on loopback multicast ({@code fc=min}, embedded driver on a thread of its own ({@code SHARED}, by default)
 * or run by the duty cycle ({@code INVOKER}, as in the demo)), every frame authenticated
 * under a key made for the run, durability the default ({@code none}), checkpoints every 50,000 positions on each
 * member's snapshot thread, and all members on one duty-cycle thread ({@link DurableMember#startTogether}) idling as
 * the demo's does. The state machine echoes each event ({@link EchoStateMachine}). Events go round robin to one client
 * per member, as in the demo; an event is acknowledged when it is durable on a quorum.
 */
final class ProjectCluster implements SystemUnderTest
{
    private static final long START_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    /** A power of two above the clients' in-flight limit (1024): correlation id to intended time. */
    private static final int SLOTS = 1 << 14;
    private static final long RETRY_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final int nodes;
    private final int size;
    private final ThreadingMode driver;
    private final Durability durability;
    private final Path root;
    private final DurableMember[] members;
    private final DriverCounters[] drivers;
    private final SequencerClient[] clients;
    private final long[][] intendedById;
    private final long[] retries;
    private final UnsafeBuffer event;
    private final long[] driverSums = new long[DriverCounters.COUNT];
    private final CompletionListener listener = new Listener();
    private AgentRunner runner;
    private long retryHead;
    private long retryTail;
    private long retryAtNs;
    private long sequence;
    private int nextClient;
    private int pollingClient;
    private long refused;
    private SystemUnderTest.Replies replies;

    private ProjectCluster(final int nodes, final int size, final ThreadingMode driver, final Durability durability)
        throws IOException
    {
        this.durability = durability;
        this.nodes = nodes;
        this.size = size;
        this.driver = driver;
        root = Files.createTempDirectory("sequencer-bench-project-");
        members = new DurableMember[nodes];
        drivers = new DriverCounters[nodes];
        clients = new SequencerClient[nodes];
        intendedById = new long[nodes][SLOTS];
        retries = new long[SLOTS * nodes];
        event = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
    }

    /** Start the members, their shared duty cycle and one client each, and wait until every member takes events. */
    static ProjectCluster start(final int nodes, final int size, final ThreadingMode driver,
        final Durability durability, final SplittableRandom random) throws IOException
    {
        final ProjectCluster cluster = new ProjectCluster(nodes, size, driver, durability);
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

    private void launch(final SplittableRandom random)
    {
        final int clusterId = 1 + random.nextInt(1 << 20);
        final int port = LoopbackPorts.forCluster(nodes, random);
        // a group of its own (odd: Aeron takes the next address for control), so no other run's traffic reaches it
        final String group = "239.255.90." + (1 + 2 * random.nextInt(127));
        final ClusterConfig cluster = ClusterConfig.ofSize(clusterId, nodes);
        final byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        for (int i = 0; i < nodes; i++)
        {
            final ProtocolContext protocol = new ProtocolContext()
                .cluster(cluster)
                .memberId(i)
                .bootstrap(true)
                .maxResultLength(size)
                .checkpointInterval(50_000)
                .durability(durability);
            final AeronTransportContext transport = new AeronTransportContext()
                .cluster(cluster)
                .memberId(i)
                .loopback(group, port)
                .threadingMode(driver)
                // with drivers on threads of their own, they idle as Aeron Cluster's drivers do here (and as the duty
                // cycle does): parks of at most 50 us, not the transport's default backoff up to 1 ms
                .driverIdleStrategy(DurableMember::shortParks)
                .authentication(Authentication.ALL)
                .secret(key)
                .aeronDirectoryName(AeronDirectories.newName("sequencer-bench-" + clusterId + "-" + i));
            members[i] = DurableMember.launch(protocol, root.resolve("member-" + i), transport,
                new EchoStateMachine(size), new EchoStateMachine(size), new BackoffIdleStrategy(), false, -1,
                io.sequencer.storage.WriteFailureMarker.defaultDirectory());
            drivers[i] = DriverCounters.of(transport.aeronDirectoryName());
        }
        runner = DurableMember.startTogether(members); // the demo's duty cycle
        for (int i = 0; i < nodes; i++)
        {
            clients[i] = members[i].sequencer().newClient();
        }
        for (final SequencerClient client : clients) // the first event of each member waits for the first epoch
        {
            event.setMemory(0, size, (byte)0);
            final SequencerClient.Outcome outcome =
                client.submitAndWait(event, 0, size, START_TIMEOUT_NS, new BackoffIdleStrategy());
            if (!outcome.completed())
            {
                throw new IllegalStateException("the project's cluster did not start within 60 s: " + outcome);
            }
        }
    }

    public String name()
    {
        return "project";
    }

    public boolean offer(final long intendedNs)
    {
        final int c = nextClient;
        event.putLong(0, intendedNs, LITTLE_ENDIAN);
        if (size >= 2 * Long.BYTES)
        {
            event.putLong(Long.BYTES, sequence, LITTLE_ENDIAN);
        }
        final long id = clients[c].submit(event, 0, size);
        if (id > 0)
        {
            intendedById[c][(int)(id & (SLOTS - 1))] = intendedNs;
            sequence++;
            nextClient = c + 1 == nodes ? 0 : c + 1;
            return true;
        }
        if (id != SubmitStatus.BACK_PRESSURED)
        {
            throw new IllegalStateException("submit refused: " + SubmitStatus.name((int)id));
        }
        return false;
    }

    public int poll(final SystemUnderTest.Replies replies)
    {
        this.replies = replies;
        int work = 0;
        for (int c = 0; c < nodes; c++)
        {
            pollingClient = c;
            work += clients[c].poll(listener, 64);
        }
        // events refused during an epoch change, offered again with their intended time a millisecond later: an
        // epoch change takes milliseconds, and offering them again at once would spin the load thread against it
        while (retryHead < retryTail && System.nanoTime() >= retryAtNs)
        {
            final long intendedNs = retries[(int)(retryHead % retries.length)];
            if (!offer(intendedNs))
            {
                break;
            }
            retryHead++;
            work++;
        }
        return work;
    }

    public long refused()
    {
        return refused;
    }

    public Traffic traffic()
    {
        long frames = 0;
        long messages = 0;
        long epochChanges = 0;
        java.util.Arrays.fill(driverSums, 0);
        for (int i = 0; i < nodes; i++)
        {
            final io.sequencer.core.protocol.ProtocolCounters counters = members[i].sequencer().protocol().counters();
            for (int type = MessageType.NEW_EVENT; type < MessageType.COUNT; type++)
            {
                if (!MessageType.isPointToPoint(type))
                {
                    frames += counters.framesOut(type);
                }
            }
            epochChanges += counters.epochChanges();
            messages += members[i].transportCounters().messages();
            drivers[i].addTo(driverSums);
        }
        return Traffic.ofDrivers(frames, messages, driverSums, epochChanges);
    }

    public void close()
    {
        CloseHelper.quietClose(runner);
        CloseHelper.quietCloseAll(clients);
        for (int i = 0; i < nodes; i++)
        {
            CloseHelper.quietClose(drivers[i]);
            CloseHelper.quietClose(members[i]); // its duty cycle, transport and storage
        }
        DurableFiles.deleteTree(root);
    }

    private final class Listener implements CompletionListener
    {
        public void onCompleted(final long correlationId, final long position, final int status,
            final DirectBuffer result, final int offset, final int length)
        {
            // the echoed intended time; a result lost to a snapshot install (empty) falls back to the table
            replies.onReply(length >= Long.BYTES ? result.getLong(offset, LITTLE_ENDIAN) :
                intendedById[pollingClient][(int)(correlationId & (SLOTS - 1))]);
        }

        public void onRejected(final long correlationId, final int status)
        {
            refused++;
            if (retryTail - retryHead == retries.length)
            {
                throw new IllegalStateException("more refused events waiting than the clients can have in flight");
            }
            retries[(int)(retryTail++ % retries.length)] =
                intendedById[pollingClient][(int)(correlationId & (SLOTS - 1))];
            retryAtNs = System.nanoTime() + RETRY_DELAY_NS;
        }
    }
}
