package io.sequencer.transport.aeron;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.sequencer.core.ClusterConfig;
import io.sequencer.core.codec.DropReason;
import io.sequencer.core.codec.MessageType;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three members in this JVM, each with its own embedded media driver, the real protocol and in-memory logs, over
 * real UDP on loopback: random submitters on every node, and at the end every event acknowledged and every log
 * identical.
 */
class UdpClusterTest
{
    private final List<TestNode> nodes = new ArrayList<>();

    @AfterEach
    void closeNodes()
    {
        CloseHelper.closeAll(nodes);
        for (final TestNode node : nodes)
        {
            if (node.transport.context().embeddedDriver())
            {
                assertFalse(new File(node.transport.context().aeronDirectoryName()).exists(),
                    "embedded driver directory removed on close");
            }
        }
    }

    @Test
    void threeMembersOnMulticastAgreeOnOneLog()
    {
        final ClusterConfig cluster = ClusterConfig.ofSize(TestNetwork.clusterId(), 3);
        final String channel = TestNetwork.multicastChannel();
        final int streamId = TestNetwork.streamId();
        final int[] ports = {TestNetwork.freeUdpPort(), TestNetwork.freeUdpPort(), TestNetwork.freeUdpPort()};
        for (int id = 0; id < 3; id++)
        {
            nodes.add(new TestNode(TestNode.transportContext(cluster, id, channel, streamId, ports),
                TestNode.protocolContext(cluster, id)));
        }
        runLoadAndCheck(2_000, 0x5EED_0001L);
        for (final TestNode node : nodes)
        {
            // Each member receives its peers' ports only (one sender per receive socket): its own frames, which one
            // port for all would loop back to it, never arrive.
            assertEquals(0, node.transport.counters().loopedBack(), node.describe());
            assertEquals(2, node.transport.context().sharedSubscriptionChannels().length);
        }
    }

    @Test
    void threeMembersOnUnicastWithInvokerDrivers()
    {
        final ClusterConfig cluster = ClusterConfig.ofSize(TestNetwork.clusterId(), 3);
        final int streamId = TestNetwork.streamId();
        final int[] ports = {TestNetwork.freeUdpPort(), TestNetwork.freeUdpPort(), TestNetwork.freeUdpPort()};
        for (int id = 0; id < 3; id++)
        {
            final AeronTransportContext context = TestNode.transportContext(
                cluster, id, AeronTransportContext.DEFAULT_CHANNEL, streamId, ports)
                .unicast(true)
                .threadingMode(ThreadingMode.INVOKER);
            nodes.add(new TestNode(context, TestNode.protocolContext(cluster, id)));
        }
        runLoadAndCheck(1_000, 0x5EED_0002L);
        for (final TestNode node : nodes)
        {
            assertEquals(0, node.transport.counters().loopedBack(), "unicast sends nothing to ourselves");
        }
    }

    @Test
    void largeEventsGoThroughOfferAndFragmentation()
    {
        final ClusterConfig cluster = ClusterConfig.ofSize(TestNetwork.clusterId(), 2);
        final String channel = TestNetwork.multicastChannel();
        final int streamId = TestNetwork.streamId();
        final int[] ports = {TestNetwork.freeUdpPort(), TestNetwork.freeUdpPort()};
        for (int id = 0; id < 2; id++)
        {
            nodes.add(new TestNode(
                TestNode.transportContext(cluster, id, channel, streamId, ports).maxEventLength(8192),
                TestNode.protocolContext(cluster, id).maxEventLength(8192)));
        }
        final NodeLoop loop = new NodeLoop(nodes);
        nodes.forEach(TestNode::start);
        loop.runUntil("both running", 20_000, () -> nodes.stream().allMatch(TestNode::isRunning));

        final org.agrona.concurrent.UnsafeBuffer big = new org.agrona.concurrent.UnsafeBuffer(new byte[6000]);
        io.sequencer.sim.AccountLedger.encodeTransfer(big, 0, 1, 2, 3, 6000 - 16);
        final long[] accepted = new long[1];
        loop.runUntil("20 large events acknowledged", 20_000,
            () -> accepted[0] == 20 && nodes.get(0).completed == 20,
            () ->
            {
                if (accepted[0] < 20 && nodes.get(0).protocol.submit(accepted[0], big, 0, big.capacity()) == 0)
                {
                    accepted[0]++;
                    nodes.get(0).submitted++;
                    return 1;
                }
                return 0;
            });
        assertTrue(nodes.get(0).transport.counters().offered() >= 20, "frames above the claim limit are offered");
        assertEquals(nodes.get(0).log.chkAt(nodes.get(0).log.have()), nodes.get(1).log.chkAt(nodes.get(1).log.have()));
    }

    @Test
    void externalDriverByConfiguration()
    {
        final ClusterConfig cluster = ClusterConfig.ofSize(TestNetwork.clusterId(), 2);
        final String channel = TestNetwork.multicastChannel();
        final int streamId = TestNetwork.streamId();
        final int[] ports = {TestNetwork.freeUdpPort(), TestNetwork.freeUdpPort()};
        final String directory = TestNetwork.driverDirectory("external");
        try (MediaDriver external = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(directory)
            .threadingMode(ThreadingMode.SHARED)
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)))
        {
            nodes.add(new TestNode(TestNode.transportContext(cluster, 0, channel, streamId, ports),
                TestNode.protocolContext(cluster, 0)));
            nodes.add(new TestNode(TestNode.transportContext(cluster, 1, channel, streamId, ports)
                .embeddedDriver(false).aeronDirectoryName(external.aeronDirectoryName()),
                TestNode.protocolContext(cluster, 1)));
            runLoadAndCheck(200, 0x5EED_0003L);
            CloseHelper.closeAll(nodes);
            assertTrue(new File(directory).exists(), "closing the transport leaves an external driver alone");
        }
    }

    /** Submit {@code events} random transfers at random nodes, then wait for every ack and identical logs. */
    private void runLoadAndCheck(final int events, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final NodeLoop loop = new NodeLoop(nodes);
        final long startNs = System.nanoTime();
        nodes.forEach(TestNode::start);
        loop.runUntil("every member running", 20_000, () -> nodes.stream().allMatch(TestNode::isRunning));

        final long[] accepted = new long[1];
        loop.runUntil(events + " events submitted and acknowledged, logs identical", 60_000,
            () -> accepted[0] == events && nodes.stream().allMatch(n -> n.inFlight() == 0) &&
                TestNode.logsIdentical(nodes),
            () ->
            {
                int work = 0;
                for (int i = 0; i < 4 && accepted[0] < events; i++)
                {
                    final TestNode node = nodes.get(random.nextInt(nodes.size()));
                    if (node.isRunning() && node.inFlight() < 64 && node.submitRandom(random))
                    {
                        accepted[0]++;
                        work++;
                    }
                }
                return work;
            });
        System.out.printf("%s: %d events over %d members in %d ms%n", getClass().getSimpleName(), events,
            nodes.size(), (System.nanoTime() - startNs) / 1_000_000);

        long events0 = 0;
        for (final TestNode node : nodes)
        {
            assertEquals(node.submitted, node.completed, node.describe());
            assertEquals(0, node.completedFailed);
            assertEquals(0, node.transport.counters().droppedTotal(), node.describe());
            assertEquals(0, node.protocol.counters().dropped(DropReason.WRONG_CLUSTER));
            assertEquals(0, node.protocol.counters().dropped(DropReason.UNKNOWN_SENDER));
            assertTrue(node.transport.counters().published() > 0);
            assertTrue(node.protocol.counters().framesIn(MessageType.NEW_EVENT) > 0);
            events0 += node.submitted;
        }
        assertEquals(events, events0);
        assertEquals(nodes.get(0).ledger.digest(), nodes.get(1).ledger.digest());
        assertTrue(nodes.get(0).log.have() >= events, "every event is in the log");
    }

}
