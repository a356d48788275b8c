package io.sequencer.transport.aeron;

import io.sequencer.core.ClusterConfig;
import io.sequencer.core.ProtocolContext;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failure signals over real UDP: a member's stream going away reaches the survivors as {@code onMemberUnavailable}
 * and they carry on in a new epoch without it; the member's restart (a new publisher session) reaches them as
 * {@code onMemberAvailable}, and it catches up what it missed over the point-to-point catch-up stream.
 */
class UdpFailoverTest
{
    private static final byte[] SECRET = "failover test secret, 32 bytes!!".getBytes(StandardCharsets.US_ASCII);

    private final List<TestNode> nodes = new ArrayList<>();
    private Authentication authentication;

    @AfterEach
    void closeNodes()
    {
        CloseHelper.closeAll(nodes);
    }

    /** Also with every frame tagged: the catch-up batches (above the claim limit) go through {@code offer}. */
    @ParameterizedTest
    @EnumSource(value = Authentication.class, names = {"NONE", "ALL"})
    void survivorsCarryOnAndTheRestartedMemberCatchesUp(final Authentication authentication)
    {
        this.authentication = authentication;
        final ClusterConfig cluster = ClusterConfig.ofSize(TestNetwork.clusterId(), 3);
        final String channel = TestNetwork.multicastChannel();
        final int streamId = TestNetwork.streamId();
        final int[] ports = {TestNetwork.freeUdpPort(), TestNetwork.freeUdpPort(), TestNetwork.freeUdpPort()};
        for (int id = 0; id < 3; id++)
        {
            nodes.add(new TestNode(
                transportContext(cluster, id, channel, streamId, ports), protocolContext(cluster, id)));
        }
        final SplittableRandom random = new SplittableRandom(0xFA11);
        final NodeLoop loop = new NodeLoop(nodes);
        nodes.forEach(TestNode::start);
        loop.runUntil("every member running", 20_000, () -> nodes.stream().allMatch(TestNode::isRunning));
        submitAndAwait(loop, random, 500, nodes);

        // Member 2 goes away: its publication closes, its image at the others becomes unavailable.
        final TestNode gone = nodes.remove(2);
        final long epochBefore = nodes.get(0).protocol.currentEpoch();
        gone.close();
        final long lostAtNs = System.nanoTime();
        // Each survivor's driver times the image out on its own clock: the first signal moves both to a new epoch,
        // the second arrives whenever that survivor's image expires.
        loop.runUntil("the survivors running in a new epoch, each told that member 2's stream is gone", 20_000,
            () -> nodes.stream().allMatch(n -> n.isRunning() && n.protocol.currentEpoch() > epochBefore &&
            n.transport.counters().memberUnavailableSignals() >= 1));
        System.out.printf("UdpFailoverTest: survivors running in epoch %d, %d ms after member 2 went away%n",
            nodes.get(0).protocol.currentEpoch(), (System.nanoTime() - lostAtNs) / 1_000_000);
        for (final TestNode survivor : nodes)
        {
            assertTrue(survivor.transport.counters().memberUnavailableSignals() >= 1, survivor.describe());
            assertTrue(survivor.protocol.counters().streamsLost() >= 1, survivor.describe());
        }
        submitAndAwait(loop, random, 500, nodes);
        final long haveWhileAway = nodes.get(0).log.have();
        assertTrue(haveWhileAway > gone.log.have(), "the survivors moved on without member 2");

        // Member 2 restarts on the storage it had: a new session, which the survivors hear about; it catches up.
        final TestNode restarted = new TestNode(transportContext(cluster, 2, channel, streamId, ports),
            protocolContext(cluster, 2).bootstrap(false), gone.log, gone.checkpoints, gone.store);
        nodes.add(restarted);
        restarted.start();
        loop.runUntil("all three running with identical logs", 30_000, () -> nodes.stream().allMatch(
            TestNode::isRunning) && TestNode.logsIdentical(nodes));
        for (int i = 0; i < 2; i++)
        {
            assertTrue(nodes.get(i).transport.counters().memberAvailableSignals() >= 1, nodes.get(i).describe());
        }
        assertTrue(restarted.protocol.counters().fetchedEntries() >= haveWhileAway - gone.log.have() - 1 ||
            restarted.protocol.counters().fetchedEntries() > 0, restarted.describe());
        assertTrue(nodes.get(0).protocol.counters().entriesServed() + nodes.get(1).protocol.counters().entriesServed()
            > 0, "catch-up served over the point-to-point stream");
        assertTrue(nodes.get(0).transport.counters().claimed() > 0);
        assertTrue(nodes.get(0).transport.counters().offered() + nodes.get(1).transport.counters().offered() > 0,
            "catch-up batches above the claim limit are offered");
        for (final TestNode node : nodes)
        {
            assertEquals(0, node.transport.counters().dropped(TransportDropReason.AUTH_FAILED), node.describe());
        }

        submitAndAwait(loop, random, 300, nodes);
        assertTrue(restarted.submitted > 0 && restarted.completed == restarted.submitted, restarted.describe());
        assertEquals(nodes.get(0).ledger.digest(), restarted.ledger.digest());
    }

    /**
     * The image times out (500 ms) well before the protocol's own silence timeout (3 s): the signal decides. Catch-up
     * datagrams of Ethernet's size, not loopback's: batches larger than one datagram, which Aeron cannot claim, must go
     * through {@code offer} (fragmented), as on a real network.
     */
    private AeronTransportContext transportContext(
        final ClusterConfig cluster, final int id, final String channel, final int streamId, final int[] ports)
    {
        final AeronTransportContext context = TestNode.transportContext(cluster, id, channel, streamId, ports)
            .imageLivenessTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500))
            .catchUpMtu(AeronTransportContext.ETHERNET_MTU)
            .authentication(authentication);
        return authentication == Authentication.NONE ? context : context.secret(SECRET);
    }

    private static ProtocolContext protocolContext(final ClusterConfig cluster, final int id)
    {
        return TestNode.protocolContext(cluster, id).failureTimeoutNs(TimeUnit.SECONDS.toNanos(3));
    }

    private static void submitAndAwait(
        final NodeLoop loop, final SplittableRandom random, final int events, final List<TestNode> nodes)
    {
        final long[] accepted = new long[1];
        loop.runUntil(events + " events acknowledged everywhere", 30_000,
            () -> accepted[0] == events && nodes.stream().allMatch(n -> n.inFlight() == 0) &&
                TestNode.logsIdentical(nodes),
            () ->
            {
                final TestNode node = nodes.get(random.nextInt(nodes.size()));
                if (accepted[0] < events && node.isRunning() && node.inFlight() < 32 && node.submitRandom(random))
                {
                    accepted[0]++;
                    return 1;
                }
                return 0;
            });
    }

}
