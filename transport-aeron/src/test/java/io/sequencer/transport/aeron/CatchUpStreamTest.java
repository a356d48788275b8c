package io.sequencer.transport.aeron;

import io.sequencer.core.LogEntry;
import io.sequencer.core.ClusterConfig;
import io.sequencer.core.EntryType;
import io.sequencer.core.memory.InMemoryCheckpointStore;
import io.sequencer.core.memory.InMemoryEventLog;
import io.sequencer.core.memory.InMemoryNodeStore;
import io.sequencer.core.MemberSet;
import io.sequencer.sim.AccountLedger;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The catch-up stream moves a million entries point to point while the shared channel keeps carrying every member's
 * heartbeats and reports: nobody is suspected and no epoch is given up while a member that lost its disk fetches
 * the whole log from the base.
 */
class CatchUpStreamTest
{
    private static final int ENTRIES = 1_000_000;

    private final List<TestNode> nodes = new ArrayList<>();

    @AfterEach
    void closeNodes()
    {
        CloseHelper.closeAll(nodes);
    }

    @Test
    void aMemberWithoutItsDiskFetchesAMillionEntries()
    {
        final ClusterConfig cluster = ClusterConfig.ofSize(TestNetwork.clusterId(), 3);
        final String channel = TestNetwork.multicastChannel();
        final int streamId = TestNetwork.streamId();
        final int[] ports = {TestNetwork.freeUdpPort(), TestNetwork.freeUdpPort(), TestNetwork.freeUdpPort()};
        for (int id = 0; id < 2; id++)
        {
            final InMemoryNodeStore store = new InMemoryNodeStore();
            store.initialize();
            store.bootId(1);
            store.currentEpoch(1);
            final InMemoryEventLog log = prefilledLog(cluster);
            store.guaranteed(log.have());
            nodes.add(new TestNode(TestNode.transportContext(cluster, id, channel, streamId, ports),
                TestNode.protocolContext(cluster, id).bootstrap(false), log, new InMemoryCheckpointStore(), store));
        }
        final TestNode empty = new TestNode(TestNode.transportContext(cluster, 2, channel, streamId, ports),
            TestNode.protocolContext(cluster, 2).bootstrap(false));
        nodes.add(empty);

        final NodeLoop loop = new NodeLoop(nodes);
        final long startNs = System.nanoTime();
        nodes.forEach(TestNode::start);
        loop.runUntil("member 2 fetching, the others running", 20_000,
            () -> empty.protocol.counters().fetchedEntries() > 0 && nodes.get(0).isRunning() &&
                nodes.get(1).isRunning());
        final long epoch = nodes.get(0).protocol.currentEpoch();
        final long fetchStartNs = System.nanoTime();
        // Far behind, member 2 catches up outside the active set (docs/protocol.md B4): the other two keep running in
        // the epoch all along, and member 2 asks in once it holds the base.
        final boolean[] quorumStoppedRunning = new boolean[1];
        loop.runUntil("a million entries fetched", 120_000, () ->
        {
            quorumStoppedRunning[0] |= !(nodes.get(0).isRunning() && nodes.get(1).isRunning() &&
                nodes.get(0).protocol.currentEpoch() == epoch && nodes.get(1).protocol.currentEpoch() == epoch);
            return empty.protocol.counters().fetchedEntries() >= ENTRIES;
        });
        final long fetchMs = (System.nanoTime() - fetchStartNs) / 1_000_000;
        assertTrue(!quorumStoppedRunning[0], "the quorum ran all along while member 2 fetched");
        loop.runUntil("every member running with one log", 60_000,
            () -> nodes.stream().allMatch(TestNode::isRunning) && empty.log.have() == nodes.get(0).log.have());
        System.out.printf("CatchUpStreamTest: %,d entries fetched in %d ms (%,d entries/s; %d ms from start)%n",
            empty.protocol.counters().fetchedEntries(), fetchMs,
            empty.protocol.counters().fetchedEntries() * 1000 / Math.max(1, fetchMs),
            (System.nanoTime() - startNs) / 1_000_000);

        assertTrue(empty.protocol.counters().fetchedEntries() >= ENTRIES, empty.describe());
        assertTrue(empty.protocol.counters().catchUpsOutside() >= 1, "caught up outside the active set");
        for (final TestNode node : nodes)
        {
            assertEquals(0, node.protocol.counters().suspicions(), "nobody suspected: " + node.describe());
            assertEquals(0, node.transport.counters().droppedTotal(), node.describe());
            assertEquals(nodes.get(0).log.chkAt(nodes.get(0).log.have()), node.log.chkAt(node.log.have()));
        }
        assertTrue(empty.transport.counters().published() > ENTRIES / 100_000, "windows of several frames per Fetch");

        // And the cluster orders again with the caught-up member in it.
        final SplittableRandom random = new SplittableRandom(7);
        final long[] accepted = new long[1];
        loop.runUntil("100 new events acknowledged", 20_000,
            () -> accepted[0] == 100 && nodes.stream().allMatch(n -> n.inFlight() == 0),
            () ->
            {
                final TestNode node = nodes.get(random.nextInt(3));
                if (accepted[0] < 100 && node.inFlight() < 16 && node.submitRandom(random))
                {
                    accepted[0]++;
                    return 1;
                }
                return 0;
            });
        // Acknowledged means durable on two members: the third may still be appending the last events.
        loop.runUntil("every member holding the new events", 20_000,
            () -> TestNode.logsIdentical(nodes));
        assertEquals(nodes.get(0).ledger.digest(), empty.ledger.digest());
    }

    /** {@code EpochStart(1)} and a million transfers, the same on every call. */
    private static InMemoryEventLog prefilledLog(final ClusterConfig cluster)
    {
        final InMemoryEventLog log = new InMemoryEventLog(ENTRIES + 16, ENTRIES * 16 + 1024);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final int memberSetLength = MemberSet.encode(buffer, 0, cluster, cluster.allMask());
        log.append(new LogEntry().header(EntryType.EPOCH_START, 1, 0, cluster.memberId(1), 0, 0, 0)
                .payload(buffer, 0, memberSetLength));
        final SplittableRandom random = new SplittableRandom(1);
        final long[] localSeq = new long[cluster.size()];
        for (int i = 1; i <= ENTRIES; i++)
        {
            final int origin = i % cluster.size();
            final int length = AccountLedger.encodeTransfer(buffer, 0, random.nextInt(AccountLedger.ACCOUNTS),
                random.nextInt(AccountLedger.ACCOUNTS), 1 + random.nextInt(5), 0);
            log.append(new LogEntry().header(EntryType.EVENT, 1, i, cluster.memberId(origin), 1, ++localSeq[origin], i)
                    .payload(buffer, 0, length));
        }
        return log;
    }
}
