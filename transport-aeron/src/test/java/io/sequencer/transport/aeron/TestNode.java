package io.sequencer.transport.aeron;

import io.sequencer.core.ClusterConfig;
import io.sequencer.core.FrameHandler;
import io.sequencer.core.memory.InMemoryCheckpointStore;
import io.sequencer.core.memory.InMemoryEventLog;
import io.sequencer.core.memory.InMemoryNodeStore;
import io.sequencer.core.NodeMode;
import io.sequencer.core.ProtocolContext;
import io.sequencer.core.protocol.SequencerProtocol;
import io.sequencer.core.SubmitStatus;
import io.sequencer.core.codec.DropReason;
import io.sequencer.sim.AccountLedger;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One member for tests: the real protocol over an {@link AeronTransport}, with the in-memory log and stores and the
 * account ledger. Driven by the caller's loop ({@link #doWork}); it owns no thread.
 */
final class TestNode implements AutoCloseable
{
    final int memberId;
    final AeronTransport transport;
    final SequencerProtocol protocol;
    final InMemoryEventLog log;
    final InMemoryCheckpointStore checkpoints;
    final InMemoryNodeStore store;
    final AccountLedger ledger = new AccountLedger();
    private final FrameHandler handler;
    private final UnsafeBuffer event = new UnsafeBuffer(new byte[256]);
    private long nextCorrelationId;
    long submitted;
    long completed;
    long completedFailed;

    TestNode(final AeronTransportContext transportContext, final ProtocolContext protocolContext)
    {
        this(transportContext, protocolContext, new InMemoryEventLog(), new InMemoryCheckpointStore(),
            new InMemoryNodeStore());
    }

    /** A node over storage that outlives it: a restarted process finds its log, checkpoints and state again. */
    TestNode(
        final AeronTransportContext transportContext,
        final ProtocolContext protocolContext,
        final InMemoryEventLog log,
        final InMemoryCheckpointStore checkpoints,
        final InMemoryNodeStore store)
    {
        memberId = protocolContext.memberId();
        this.log = log;
        this.checkpoints = checkpoints;
        this.store = store;
        transport = AeronTransport.launch(transportContext);
        try
        {
            protocol = new SequencerProtocol(protocolContext, log, checkpoints, store, ledger, transport,
                (correlationId, position, status, result, offset, length) ->
                {
                    completed++;
                    if (status != 0)
                    {
                        completedFailed++;
                    }
                });
        }
        catch (final RuntimeException ex)
        {
            transport.close();
            throw ex;
        }
        transport.listener(protocol);
        handler = protocol::onFrame;
    }

    /** Protocol settings for real time on a small shared machine: generous timeouts, so no false suspicion. */
    static ProtocolContext protocolContext(final ClusterConfig cluster, final int memberId)
    {
        return new ProtocolContext()
            .cluster(cluster)
            .memberId(memberId)
            .bootstrap(true)
            .heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(10))
            .failureTimeoutNs(TimeUnit.MILLISECONDS.toNanos(1000))
            .bootTimeoutNs(TimeUnit.MILLISECONDS.toNanos(1000))
            .maxBootTimeoutNs(TimeUnit.SECONDS.toNanos(4))
            .decisionGraceNs(TimeUnit.MILLISECONDS.toNanos(20));
    }

    static AeronTransportContext transportContext(
        final ClusterConfig cluster, final int memberId, final String channel, final int streamId,
        final int[] catchUpPorts)
    {
        final AeronTransportContext context = new AeronTransportContext()
            .cluster(cluster)
            .memberId(memberId)
            .channel(channel)
            .streamId(streamId)
            .catchUpStreamId(streamId + 1)
            .aeronDirectoryName(TestNetwork.driverDirectory("m" + memberId))
            .imageLivenessTimeoutNs(TimeUnit.MILLISECONDS.toNanos(1000))
            .flowControlReceiverTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500));
        for (int i = 0; i < cluster.size(); i++)
        {
            context.memberEndpoint(cluster.memberId(i), "127.0.0.1:" + catchUpPorts[i]);
        }
        return context;
    }

    void start()
    {
        protocol.start(System.nanoTime());
    }

    int doWork(final long nowNs)
    {
        return transport.poll(handler, 64) + protocol.doWork(nowNs) + transport.flush();
    }

    boolean isRunning()
    {
        return protocol.mode() == NodeMode.RUNNING;
    }

    /** Submit one random transfer; false when the protocol refused it (not running, back-pressure). */
    boolean submitRandom(final SplittableRandom random)
    {
        final int length = AccountLedger.encodeTransfer(event, 0, random.nextInt(AccountLedger.ACCOUNTS),
            random.nextInt(AccountLedger.ACCOUNTS), 1 + random.nextInt(20), random.nextInt(48));
        if (protocol.submit(++nextCorrelationId, event, 0, length) == SubmitStatus.ACCEPTED)
        {
            submitted++;
            return true;
        }
        return false;
    }

    long inFlight()
    {
        return submitted - completed;
    }

    String describe()
    {
        return "member " + memberId + ": mode=" + protocol.mode() + " phase=" + protocol.bootPhase() +
            " epoch=" + protocol.currentEpoch() + " have=" + log.have() +
            " chk=" + Long.toHexString(log.chkAt(log.have())) +
            " g=" + protocol.guaranteed() +
            " submitted=" + submitted + " completed=" + completed + " drops=" + protocol.counters().droppedTotal() +
            " transportDrops=" + transport.counters().droppedTotal() + " published=" +
            transport.counters().published() + " backPressured=" + transport.counters().backPressured() +
            " notConnected=" + transport.counters().notConnected() + " delivered=" + transport.counters().delivered() +
            " " + dropBreakdown();
    }

    /** The non-zero drop counters of the protocol and the transport, by reason. */
    String dropBreakdown()
    {
        final StringBuilder text = new StringBuilder("dropped{");
        for (final DropReason reason : DropReason.values())
        {
            final long n = protocol.counters().dropped(reason);
            if (n > 0)
            {
                text.append(reason).append('=').append(n).append(' ');
            }
        }
        for (final TransportDropReason reason : TransportDropReason.values())
        {
            final long n = transport.counters().dropped(reason);
            if (n > 0)
            {
                text.append(reason).append('=').append(n).append(' ');
            }
        }
        return text.append('}').toString();
    }

    public void close()
    {
        transport.close();
    }

    /** Every node holds the same log: the same length and the same chained checksum. */
    static boolean logsIdentical(final java.util.List<TestNode> nodes)
    {
        final TestNode first = nodes.get(0);
        final long have = first.log.have();
        return nodes.stream().allMatch(n -> n.log.have() == have && n.log.chkAt(have) == first.log.chkAt(have));
    }
}
