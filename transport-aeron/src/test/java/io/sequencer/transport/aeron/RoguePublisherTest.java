package io.sequencer.transport.aeron;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.sequencer.core.ClusterConfig;
import io.sequencer.core.EntryType;
import io.sequencer.core.LogEntry;
import io.sequencer.core.codec.ClusterNodesFrame;
import io.sequencer.core.codec.DelNodeFrame;
import io.sequencer.core.codec.DropReason;
import io.sequencer.core.codec.FetchFrame;
import io.sequencer.core.codec.FrameHeader;
import io.sequencer.core.codec.MessageType;
import io.sequencer.core.codec.MyOrderCounterFrame;
import io.sequencer.core.codec.MySerializeCounterFrame;
import io.sequencer.core.codec.NewEventFrame;
import io.sequencer.core.codec.NewNodeFrame;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rogue process on the channel address: its own media driver and a publication on each member's port of the
 * cluster's multicast group and stream (each member receives its peers' ports, so it hears two of the three). Frames of
 * another cluster, from an identity outside {@code C}, and (with authentication on) forged control frames and events
 * without the secret change nothing in any node's log or epoch; the drop counters show them.
 */
class RoguePublisherTest
{
    private static final byte[] SECRET = "a shared secret of the cluster!!".getBytes(StandardCharsets.US_ASCII);
    private static final int ROGUE_ROUNDS = 200;
    /** Rogue publications a member hears: one on each peer's port. */
    private static final int HEARD = 2;

    private final List<TestNode> nodes = new ArrayList<>();
    private MediaDriver rogueDriver;
    private Aeron rogueClient;

    @AfterEach
    void close()
    {
        CloseHelper.closeAll(nodes);
        CloseHelper.closeAll(rogueClient, rogueDriver);
    }

    @ParameterizedTest
    @EnumSource(Authentication.class)
    void rogueFramesChangeNothing(final Authentication authentication)
    {
        final ClusterConfig cluster = ClusterConfig.ofSize(TestNetwork.clusterId(), 3);
        final String channel = TestNetwork.multicastChannel();
        final int streamId = TestNetwork.streamId();
        final int[] ports = {TestNetwork.freeUdpPort(), TestNetwork.freeUdpPort(), TestNetwork.freeUdpPort()};
        for (int id = 0; id < 3; id++)
        {
            final AeronTransportContext context = TestNode.transportContext(cluster, id, channel, streamId, ports)
                .authentication(authentication);
            if (authentication != Authentication.NONE)
            {
                context.secret(SECRET);
            }
            nodes.add(new TestNode(context, TestNode.protocolContext(cluster, id)));
        }
        launchRogue();
        final NodeLoop loop = new NodeLoop(nodes);
        nodes.forEach(TestNode::start);
        loop.runUntil("every member running", 20_000, () -> nodes.stream().allMatch(TestNode::isRunning));
        final long epoch = nodes.get(0).protocol.currentEpoch();

        final long[] imagesBefore = nodes.stream().mapToLong(n -> n.transport.counters().imagesAvailable()).toArray();
        final List<ExclusivePublication> rogues = new ArrayList<>();
        for (final TestNode node : nodes)
        {
            rogues.add(rogueClient.addExclusivePublication(node.transport.context().sharedPublicationChannel(),
                streamId));
        }
        loop.runUntil("every member sees the rogue's images", 10_000, () ->
            rogues.stream().allMatch(ExclusivePublication::isConnected) && nodes.stream().allMatch(n ->
            n.transport.counters().imagesAvailable() >= imagesBefore[nodes.indexOf(n)] + HEARD));

        final SplittableRandom random = new SplittableRandom(0xB0B);
        final RogueFrames frames = new RogueFrames(cluster.clusterId(), epoch, authentication != Authentication.NONE,
            nodes.get(1).transport.sessionId());
        // What was dropped before the rogue spoke: under control, a member's untagged frames reach a peer that has not
        // yet had a tagged frame of its session (a member left out at the start waits for one), and are dropped.
        final long[] dropsBefore = nodes.stream().mapToLong(RoguePublisherTest::rogueDrops).toArray();
        final long[] sessionDropsBefore = nodes.stream().mapToLong(n ->
            n.transport.counters().dropped(TransportDropReason.UNAUTHENTICATED_SESSION) +
            n.transport.counters().dropped(TransportDropReason.SESSION_MISMATCH)).toArray();
        final long rogueTotal = (long)frames.count() * ROGUE_ROUNDS;
        final int[] sent = new int[rogues.size()];
        final long[] accepted = new long[1];
        final int events = 300;
        loop.runUntil("rogue frames counted and legit events acknowledged", 30_000,
            () -> java.util.Arrays.stream(sent).allMatch(n -> n == rogueTotal) && accepted[0] == events &&
                nodes.stream().allMatch(n ->
                    n.inFlight() == 0 && rogueDrops(n) - dropsBefore[nodes.indexOf(n)] == HEARD * rogueTotal) &&
                TestNode.logsIdentical(nodes),
            () ->
            {
                int work = 0;
                for (int r = 0; r < sent.length; r++)
                {
                    if (sent[r] < rogueTotal)
                    {
                        final int length = frames.encode(sent[r] % frames.count(), random);
                        if (rogues.get(r).offer(frames.buffer, 0, length) > 0)
                        {
                            sent[r]++;
                            work++;
                        }
                    }
                }
                final TestNode node = nodes.get(random.nextInt(nodes.size()));
                if (accepted[0] < events && node.isRunning() && node.inFlight() < 32 && node.submitRandom(random))
                {
                    accepted[0]++;
                    work++;
                }
                return work;
            });

        long submitted = 0;
        for (final TestNode node : nodes)
        {
            submitted += node.submitted;
        }
        final LogEntry entry = new LogEntry();
        for (final TestNode node : nodes)
        {
            assertEquals(epoch, node.protocol.currentEpoch(), "no epoch change: " + node.describe());
            long eventEntries = 0;
            for (long p = 1; p <= node.log.have(); p++)
            {
                node.log.read(p, entry);
                assertTrue(cluster.isMember(entry.originId()), "entry " + p + " of a member");
                // the cluster may have needed more than one epoch to start; none of the rogue's epochs got in
                assertTrue(entry.epoch() <= epoch, "entry " + p + " of epoch " + entry.epoch());
                eventEntries += entry.type() == EntryType.EVENT ? 1 : 0;
            }
            assertEquals(submitted, eventEntries, "exactly the legit events: " + node.describe());

            final var core = node.protocol.counters();
            final var transport = node.transport.counters();
            assertEquals(0, transport.memberAvailableSignals(), "the rogue never passed for a member");
            if (authentication == Authentication.NONE)
            {
                assertEquals(HEARD * ROGUE_ROUNDS * 2L, core.dropped(DropReason.WRONG_CLUSTER), node.describe());
                assertEquals(HEARD * ROGUE_ROUNDS * 2L, core.dropped(DropReason.UNKNOWN_SENDER), node.describe());
            }
            else
            {
                // four forged control frames with a tag under a guessed secret, one replayed with the real tag
                assertTrue(transport.dropped(TransportDropReason.AUTH_FAILED) >= HEARD * ROGUE_ROUNDS * 5L,
                    node.describe());
                // the forged event and promise: untagged frames of a session that never proved the secret (or, at
                // the member they impersonate, of a session that claims to be this node)
                assertEquals(authentication == Authentication.CONTROL ? HEARD * ROGUE_ROUNDS * 2L : 0,
                    transport.dropped(TransportDropReason.UNAUTHENTICATED_SESSION) +
                    transport.dropped(TransportDropReason.SESSION_MISMATCH) - sessionDropsBefore[nodes.indexOf(node)],
                    node.describe());
            }
        }
    }

    /**
     * Issue 9: datagrams that name a member of this cluster but fail validation, from one rogue session per member
     * named on the shared channel and one per member named on each member's catch-up stream, sent before the members
     * are first heard and again while they run. They bind no session, so no member is taken for restarted and none
     * of its frames is dropped as stale: the cluster starts, orders events in the epoch it started in, and a member
     * that starts late with an empty log catches up over the catch-up stream.
     */
    @ParameterizedTest
    @EnumSource(Authentication.class)
    void malformedFramesNamingMembersSilenceNoOne(final Authentication authentication)
    {
        final ClusterConfig cluster = ClusterConfig.ofSize(TestNetwork.clusterId(), 3);
        final String channel = TestNetwork.multicastChannel();
        final int streamId = TestNetwork.streamId();
        final int[] ports = {TestNetwork.freeUdpPort(), TestNetwork.freeUdpPort(), TestNetwork.freeUdpPort()};
        for (int id = 0; id < 3; id++)
        {
            final AeronTransportContext context = TestNode.transportContext(cluster, id, channel, streamId, ports)
                .authentication(authentication);
            if (authentication != Authentication.NONE)
            {
                context.secret(SECRET);
            }
            // members 0 and 1 create the cluster; member 2 joins later with an empty log and catches up
            nodes.add(new TestNode(context, TestNode.protocolContext(cluster, id).bootstrap(id < 2)));
        }
        launchRogue();

        // One rogue session per member it names and member port: a session binds to at most one member.
        final List<ExclusivePublication> shared = new ArrayList<>();
        final List<int[]> sharedNames = new ArrayList<>();
        final List<ExclusivePublication> catchUp = new ArrayList<>();
        final List<int[]> catchUpNames = new ArrayList<>();
        for (int named = 0; named < 3; named++)
        {
            for (final TestNode port : nodes)
            {
                shared.add(rogueClient.addExclusivePublication(
                    port.transport.context().sharedPublicationChannel(), streamId));
                sharedNames.add(new int[]{named, -1});
            }
            for (int target = 0; target < 3; target++)
            {
                if (target != named)
                {
                    catchUp.add(rogueClient.addExclusivePublication(
                        nodes.get(target).transport.context().catchUpSubscriptionChannel() + "|term-length=65536",
                        streamId + 1));
                    catchUpNames.add(new int[]{named, target});
                }
            }
        }
        final NodeLoop loop = new NodeLoop(nodes);
        loop.runUntil("every rogue publication connected", 10_000,
            () -> shared.stream().allMatch(ExclusivePublication::isConnected) &&
            catchUp.stream().allMatch(ExclusivePublication::isConnected));

        // Per node and round: 3 named x HEARD rogue sessions x SHARED_MALFORMED frames, 2 x CATCH_UP_MALFORMED.
        final long perRound = 3L * HEARD * SHARED_MALFORMED + 2L * CATCH_UP_MALFORMED;
        final MalformedFrames frames = new MalformedFrames(cluster.clusterId());
        sendMalformed(loop, frames, shared, sharedNames, catchUp, catchUpNames, perRound);

        final List<TestNode> founders = nodes.subList(0, 2);
        founders.forEach(TestNode::start);
        loop.runUntil("members 0 and 1 running", 20_000, () -> founders.stream().allMatch(TestNode::isRunning));
        final long epoch = nodes.get(0).protocol.currentEpoch();
        final SplittableRandom random = new SplittableRandom(0xBAD);
        submitAndAwait(loop, random, founders, 200);

        sendMalformed(loop, frames, shared, sharedNames, catchUp, catchUpNames, 2 * perRound);
        submitAndAwait(loop, random, founders, 200);
        for (final TestNode founder : founders)
        {
            assertEquals(epoch, founder.protocol.currentEpoch(), "no epoch change: " + founder.describe());
        }

        final TestNode late = nodes.get(2);
        late.start();
        loop.runUntil("member 2 caught up and running", 30_000, () -> late.isRunning() &&
            TestNode.logsIdentical(nodes));
        submitAndAwait(loop, random, nodes, 100);
        assertTrue(late.protocol.counters().fetchedEntries() >= 400, "caught up over the catch-up stream: " +
            late.describe());

        for (final TestNode node : nodes)
        {
            final TransportCounters counters = node.transport.counters();
            assertEquals(0, counters.dropped(TransportDropReason.STALE_SESSION), node.describe());
            assertEquals(0, counters.memberAvailableSignals(), "no member taken for restarted: " + node.describe());
            assertEquals(2 * perRound, rogueDrops(node), node.describe());
            if (authentication == Authentication.NONE)
            {
                // all but the frames that name the receiving node itself (another process claiming its id)
                assertEquals(2 * (2L * HEARD * SHARED_MALFORMED + 2L * CATCH_UP_MALFORMED),
                    counters.dropped(TransportDropReason.MALFORMED), node.describe());
            }
        }
    }

    private void launchRogue()
    {
        rogueDriver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(TestNetwork.driverDirectory("rogue"))
            .threadingMode(ThreadingMode.SHARED)
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        rogueClient = Aeron.connect(new Aeron.Context().aeronDirectoryName(rogueDriver.aeronDirectoryName()));
    }

    /** Every malformed frame from every rogue session, then wait until every node has dropped {@code total}. */
    private void sendMalformed(
        final NodeLoop loop, final MalformedFrames frames,
        final List<ExclusivePublication> shared, final List<int[]> sharedNames,
        final List<ExclusivePublication> catchUp, final List<int[]> catchUpNames, final long total)
    {
        final int[] next = new int[1];
        final int sharedFrames = shared.size() * SHARED_MALFORMED;
        final int allFrames = sharedFrames + catchUp.size() * CATCH_UP_MALFORMED;
        loop.runUntil("malformed frames sent and dropped", 20_000,
            () -> next[0] == allFrames && nodes.stream().allMatch(n -> rogueDrops(n) == total),
            () ->
            {
                if (next[0] == allFrames)
                {
                    return 0;
                }
                final int i = next[0];
                final long result;
                if (i < sharedFrames)
                {
                    final int length = frames.shared(i % SHARED_MALFORMED, sharedNames.get(i / SHARED_MALFORMED)[0]);
                    result = shared.get(i / SHARED_MALFORMED).offer(frames.buffer, 0, length);
                }
                else
                {
                    final int j = i - sharedFrames;
                    final int[] names = catchUpNames.get(j / CATCH_UP_MALFORMED);
                    final int length = frames.catchUp(j % CATCH_UP_MALFORMED, names[0], names[1]);
                    result = catchUp.get(j / CATCH_UP_MALFORMED).offer(frames.buffer, 0, length);
                }
                if (result > 0)
                {
                    next[0]++;
                    return 1;
                }
                return 0;
            });
    }

    private static void submitAndAwait(
        final NodeLoop loop, final SplittableRandom random, final List<TestNode> submitters, final int events)
    {
        final long[] accepted = new long[1];
        loop.runUntil(events + " events acknowledged", 30_000,
            () -> accepted[0] == events && submitters.stream().allMatch(n -> n.inFlight() == 0),
            () ->
            {
                final TestNode node = submitters.get(random.nextInt(submitters.size()));
                if (accepted[0] < events && node.isRunning() && node.inFlight() < 32 && node.submitRandom(random))
                {
                    accepted[0]++;
                    return 1;
                }
                return 0;
            });
    }

    /** Every rogue frame is dropped by exactly one of these; legit traffic adds to none of them. */
    private static long rogueDrops(final TestNode node)
    {
        final var core = node.protocol.counters();
        final var transport = node.transport.counters();
        return core.dropped(DropReason.WRONG_CLUSTER) + core.dropped(DropReason.UNKNOWN_SENDER) +
            transport.dropped(TransportDropReason.MALFORMED) + transport.dropped(TransportDropReason.AUTH_FAILED) +
            transport.dropped(TransportDropReason.UNAUTHENTICATED_SESSION) +
            transport.dropped(TransportDropReason.SESSION_MISMATCH);
    }

    static final int SHARED_MALFORMED = 4;
    static final int CATCH_UP_MALFORMED = 2;

    /** Frames that name a member of this cluster and fail the core's validator, untagged. */
    private static final class MalformedFrames
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final int clusterId;

        MalformedFrames(final int clusterId)
        {
            this.clusterId = clusterId;
        }

        int shared(final int kind, final int named)
        {
            switch (kind)
            {
                case 0: // a bare header: an event without its body
                    FrameHeader.write(buffer, 0, MessageType.NEW_EVENT, named, clusterId, 1);
                    return FrameHeader.LENGTH;
                case 1: // a bare header of no known type
                    FrameHeader.write(buffer, 0, 0x7F, named, clusterId, 1);
                    return FrameHeader.LENGTH;
                case 2: // a promise with trailing bytes
                    return new MyOrderCounterFrame().encode(buffer, 0, named, clusterId, 1, 1L << 40)
                        .encodedLength() + 8;
                default: // a report with an undefined flag
                {
                    final int length = new MySerializeCounterFrame().encode(buffer, 0, named, clusterId, 1, 1 << 20,
                        1 << 20, 7, 1, true, 1 << 20).encodedLength();
                    buffer.putInt(MySerializeCounterFrame.FLAGS_OFFSET, 0x40, ByteOrder.LITTLE_ENDIAN);
                    return length;
                }
            }
        }

        int catchUp(final int kind, final int named, final int target)
        {
            if (kind == 0) // a bare header: entries without their body
            {
                FrameHeader.write(buffer, 0, MessageType.ENTRIES, named, clusterId, 1);
                return FrameHeader.LENGTH;
            }
            return new FetchFrame().encode(buffer, 0, named, clusterId, 1, target, 9, 1).encodedLength(); // empty range
        }
    }

    /** The rogue's repertoire: frames of another cluster, of a sender outside C, and forgeries of members. */
    private static final class RogueFrames
    {
        /** Frames that claim a member of C in the right cluster: forgeries that only authentication stops. */
        static final int FORGED = 7;

        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[32]);
        final UnsafeBuffer wrongTag = new UnsafeBuffer(new byte[FrameAuthenticator.TAG_LENGTH]);
        final FrameAuthenticator wrongSecret = new FrameAuthenticator(
            "not the cluster secret, a guess!".getBytes(StandardCharsets.US_ASCII));
        final FrameAuthenticator realSecret = new FrameAuthenticator(SECRET);
        final int clusterId;
        final long epoch;
        final boolean forgeMembers;
        final int victimSession;

        /**
         * @param forgeMembers also send forgeries of members: only with authentication on, since without it a
         *                     forgery that names a member and this cluster is indistinguishable from the member.
         * @param victimSession the publisher session of member 1, whose tagged frames the rogue replays.
         */
        RogueFrames(final int clusterId, final long epoch, final boolean forgeMembers, final int victimSession)
        {
            this.clusterId = clusterId;
            this.epoch = epoch;
            this.forgeMembers = forgeMembers;
            this.victimSession = victimSession;
        }

        int count()
        {
            return forgeMembers ? 4 + FORGED : 4;
        }

        int encode(final int kind, final SplittableRandom random)
        {
            final int higher = (int)epoch + 5;
            switch (kind)
            {
                case 0: // another cluster: an event and a higher-epoch report
                    return new NewEventFrame().encode(buffer, 0, 1, clusterId + 1, epoch, 1, random.nextLong(),
                        1L << 40, EntryType.EVENT, 0, payload, 0, 16).encodedLength();
                case 1:
                    return new MySerializeCounterFrame().encode(buffer, 0, 2, clusterId + 1, higher, 1 << 20, 1 << 20,
                        7, higher, true, 1 << 20).encodedLength();
                case 2: // an identity outside C
                    return new NewEventFrame().encode(buffer, 0, 9, clusterId, epoch, 1, random.nextLong(),
                        1L << 40, EntryType.EVENT, 0, payload, 0, 16).encodedLength();
                case 3:
                    return new NewNodeFrame().encode(buffer, 0, 9, clusterId, higher, 9, higher, higher, 1 << 20,
                        higher).encodedLength();
                case 4: // forgeries of members 1 and 2 without a tag
                    return new NewEventFrame().encode(buffer, 0, 1, clusterId, epoch, 1, random.nextLong(),
                        1L << 40, EntryType.EVENT, 0, payload, 0, 16).encodedLength();
                case 5:
                    return new MyOrderCounterFrame().encode(buffer, 0, 2, clusterId, epoch, 1L << 40)
                        .encodedLength();
                case 6: // control frames with a tag made under a guessed secret
                    return tagged(new DelNodeFrame().encode(buffer, 0, 1, clusterId, higher, 2, higher)
                        .encodedLength());
                case 7:
                    return tagged(new NewNodeFrame().encode(buffer, 0, 2, clusterId, higher, 2, higher, higher, 1 << 20,
                        higher).encodedLength());
                case 8:
                    return tagged(new MySerializeCounterFrame().encode(buffer, 0, 1, clusterId, higher, 1 << 20,
                        1 << 20, 7, higher, true, 1 << 20).encodedLength());
                case 9:
                    return tagged(new ClusterNodesFrame().encode(buffer, 0, higher % 3, clusterId, higher,
                        higher, 1 << 20, 7, new int[]{0, 1, 2}, 3, 7, 0).encodedLength());
                default: // a genuine report of member 1, tag and all, replayed from the rogue's own session
                {
                    final int length = new MySerializeCounterFrame().encode(buffer, 0, 1, clusterId, higher, 1 << 20,
                        1 << 20, 7, higher, true, 1 << 20).encodedLength();
                    realSecret.sign(buffer, 0, length, victimSession, buffer, length);
                    return length + FrameAuthenticator.TAG_LENGTH;
                }
            }
        }

        private int tagged(final int length)
        {
            wrongSecret.sign(buffer, 0, length, 12345, wrongTag, 0);
            buffer.putBytes(length, wrongTag, 0, FrameAuthenticator.TAG_LENGTH);
            return length + FrameAuthenticator.TAG_LENGTH;
        }
    }
}
