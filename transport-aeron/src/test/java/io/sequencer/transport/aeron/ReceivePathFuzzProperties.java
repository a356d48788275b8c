package io.sequencer.transport.aeron;

import io.sequencer.core.ClusterConfig;
import io.sequencer.core.EntryType;
import io.sequencer.core.memory.InMemoryCheckpointStore;
import io.sequencer.core.memory.InMemoryEventLog;
import io.sequencer.core.memory.InMemoryNetwork;
import io.sequencer.core.memory.InMemoryNodeStore;
import io.sequencer.core.NodeMode;
import io.sequencer.core.ProtocolContext;
import io.sequencer.core.protocol.SequencerProtocol;
import io.sequencer.core.codec.ClusterNodesFrame;
import io.sequencer.core.codec.DelNodeFrame;
import io.sequencer.core.codec.DropReason;
import io.sequencer.core.codec.EntriesFrame;
import io.sequencer.core.codec.FetchFrame;
import io.sequencer.core.codec.FrameValidator;
import io.sequencer.core.codec.MessageType;
import io.sequencer.core.codec.MyOrderCounterFrame;
import io.sequencer.core.codec.MySerializeCounterFrame;
import io.sequencer.core.codec.NewEventFrame;
import io.sequencer.core.codec.NewNodeFrame;
import io.sequencer.sim.AccountLedger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hardened receive path: {@link ChannelAdapter} in front of a real, running protocol, fed well over a million
 * frames — well-formed frames of every type (tagged right, tagged wrong or untagged), the same mutated (bits flipped,
 * cut short, extended, fields set to extremes), and garbage — from sessions that bind, clash and go stale, with image
 * losses in between. No exception escapes, and every frame is accounted for exactly once: delivered to the protocol
 * (which counts each frame it sees, and each it drops by reason), looped back, or dropped by the transport by reason.
 * A session is bound to a member only by a frame that passes the core's validator, and never rebound to another.
 * In-process: the adapter is what the Aeron fragment handlers call, minus the UDP.
 */
class ReceivePathFuzzProperties
{
    private static final int TRIES = 1000;
    private static final int FRAMES_PER_TRY = 1100;
    private static final byte[] SECRET = "fuzzing secret, 32 bytes long!!!".getBytes(StandardCharsets.US_ASCII);
    private static final int OWN_SESSION = 4242;
    private static final AtomicLong FRAMES = new AtomicLong();
    private static final AtomicLong DELIVERED = new AtomicLong();
    private static final AtomicLong LOOPED_BACK = new AtomicLong();
    private static final long[] TRANSPORT_DROPS = new long[TransportDropReason.values().length];
    private static final long[] PROTOCOL_DROPS = new long[DropReason.values().length];

    @AfterContainer
    static void report()
    {
        final StringBuilder reasons = new StringBuilder();
        for (final TransportDropReason reason : TransportDropReason.values())
        {
            reasons.append(' ').append(reason).append('=').append(TRANSPORT_DROPS[reason.ordinal()]);
        }
        reasons.append("; protocol:");
        for (final DropReason reason : DropReason.values())
        {
            reasons.append(' ').append(reason).append('=').append(PROTOCOL_DROPS[reason.ordinal()]);
        }
        System.out.printf("ReceivePathFuzzProperties: %,d frames fed, %,d delivered to the protocol, %,d looped back;" +
            " dropped by the transport:%s%n", FRAMES.get(), DELIVERED.get(), LOOPED_BACK.get(), reasons);
        assertTrue(FRAMES.get() >= 1_000_000, "at least a million frames: " + FRAMES.get());
    }

    @Property(tries = TRIES, seed = "20261127")
    void everyFrameIsDeliveredOrCountedAndNothingThrows(
        @ForAll final long seed, @ForAll final Authentication authentication)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final ClusterConfig cluster = ClusterConfig.ofSize(77, 3);
        final InMemoryNetwork network = InMemoryNetwork.immediate(0, 1, 2);
        final long[] errors = new long[1];
        final SequencerProtocol[] protocols = new SequencerProtocol[3];
        for (int id = 0; id < 3; id++)
        {
            protocols[id] = new SequencerProtocol(new ProtocolContext().cluster(cluster).memberId(id).bootstrap(true)
                .errorHandler(ex -> errors[0]++),
                new InMemoryEventLog(), new InMemoryCheckpointStore(), new InMemoryNodeStore(), new AccountLedger(),
                network.endpoint(id), (correlationId, position, status, result, offset, length) -> {});
        }
        long nowNs = 1_000_000_000L;
        for (final SequencerProtocol protocol : protocols)
        {
            protocol.start(nowNs);
        }
        // Most tries fuzz a running node; some fuzz one still booting.
        final int warmUpSteps = random.nextInt(10) == 0 ? random.nextInt(3) : 200;
        for (int step = 0; step < warmUpSteps && protocols[0].mode() != NodeMode.RUNNING; step++)
        {
            nowNs += 1_000_000L;
            network.time(nowNs);
            for (int id = 0; id < 3; id++)
            {
                network.endpoint(id).poll(protocols[id]::onFrame, 64);
                protocols[id].doWork(nowNs);
            }
        }

        final SequencerProtocol target = protocols[0];
        final TransportCounters counters = new TransportCounters();
        final FrameAuthenticator authenticator = new FrameAuthenticator(SECRET);
        final ChannelAdapter adapter = new ChannelAdapter(
            cluster, 0, ProtocolContext.DEFAULT_MAX_EVENT_LENGTH, authentication, authenticator, counters);
        adapter.ownSharedSession(OWN_SESSION);
        adapter.listener(target);
        final FrameValidator validator = new FrameValidator(ProtocolContext.DEFAULT_MAX_EVENT_LENGTH);
        final boolean[] lastDeliveredValid = new boolean[1];
        adapter.handler((buffer, offset, length) ->
        {
            lastDeliveredValid[0] = validator.validate(buffer, offset, length) == FrameValidator.VALID;
            target.onFrame(buffer, offset, length);
        });
        final FrameGenerator generator = new FrameGenerator(random, cluster.clusterId(), authenticator);

        for (int i = 0; i < FRAMES_PER_TRY; i++)
        {
            if (random.nextInt(200) == 0)
            {
                adapter.onImageUnavailable(random.nextBoolean(), generator.session());
            }
            if (random.nextInt(50) == 0)
            {
                nowNs += random.nextInt(20_000_000);
                target.doWork(nowNs);
            }

            final boolean catchUp = random.nextInt(4) == 0;
            final int session = generator.session();
            final int length = generator.next(target.currentEpoch(), catchUp, session, authentication);

            final long receivedBefore = counters.received();
            final long deliveredBefore = counters.delivered();
            final long seenBefore = framesSeen(target);
            lastDeliveredValid[0] = false;
            final int boundBefore = adapter.boundMemberId(catchUp, session);
            adapter.onFrame(catchUp, session, generator.buffer, generator.offset, length);

            assertEquals(receivedBefore + 1, counters.received(), "each frame is delivered, looped back or dropped");
            assertEquals(counters.delivered() - deliveredBefore, framesSeen(target) - seenBefore,
                "the protocol sees (and counts) exactly the delivered frames");
            if (adapter.boundMemberId(catchUp, session) != boundBefore)
            {
                assertEquals(-1, boundBefore, "a bound session never changes its member");
                assertEquals(deliveredBefore + 1, counters.delivered(), "a session binds on a frame it delivers");
                assertTrue(lastDeliveredValid[0], "a session binds only on a frame that passes the core's validator");
            }
        }
        assertEquals(FRAMES_PER_TRY, adapter.takePolled());
        FRAMES.addAndGet(FRAMES_PER_TRY);
        DELIVERED.addAndGet(counters.delivered());
        LOOPED_BACK.addAndGet(counters.loopedBack());
        synchronized (TRANSPORT_DROPS)
        {
            for (final TransportDropReason reason : TransportDropReason.values())
            {
                TRANSPORT_DROPS[reason.ordinal()] += counters.dropped(reason);
            }
            for (final DropReason reason : DropReason.values())
            {
                PROTOCOL_DROPS[reason.ordinal()] += target.counters().dropped(reason);
            }
        }
    }

    private static long framesSeen(final SequencerProtocol protocol)
    {
        long total = 0;
        for (int type = 0; type < MessageType.COUNT; type++)
        {
            total += protocol.counters().framesIn(type);
        }
        return total;
    }

    /** Frames good, bad and ugly, written at a random offset of one buffer. */
    private static final class FrameGenerator
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[80 * 1024]);
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[70 * 1024]);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[8192]);
        final SplittableRandom random;
        final int clusterId;
        final FrameAuthenticator authenticator;
        final FrameAuthenticator wrongAuthenticator =
            new FrameAuthenticator("a guessed secret that is wrong!!".getBytes(StandardCharsets.US_ASCII));
        /** Sessions and the member each mostly speaks for: two incarnations of members 1 and 2, an impostor of 0. */
        final int[] sessions = {OWN_SESSION, 101, 102, 201, 202, 103, 9999};
        final int[] sessionMember = {0, 1, 2, 1, 2, 0, -1};
        final NewEventFrame newEvent = new NewEventFrame();
        final MyOrderCounterFrame orderCounter = new MyOrderCounterFrame();
        final MySerializeCounterFrame serializeCounter = new MySerializeCounterFrame();
        final NewNodeFrame newNode = new NewNodeFrame();
        final DelNodeFrame delNode = new DelNodeFrame();
        final ClusterNodesFrame clusterNodes = new ClusterNodesFrame();
        final FetchFrame fetch = new FetchFrame();
        final EntriesFrame entries = new EntriesFrame();
        int offset;

        FrameGenerator(final SplittableRandom random, final int clusterId, final FrameAuthenticator authenticator)
        {
            this.random = random;
            this.clusterId = clusterId;
            this.authenticator = authenticator;
            for (int i = 0; i < payload.capacity(); i++)
            {
                payload.putByte(i, (byte)random.nextInt());
            }
        }

        int session()
        {
            return sessions[random.nextInt(sessions.length)];
        }

        /** @return the length of the frame written at {@link #offset} of {@link #buffer}. */
        int next(final long epoch, final boolean catchUp, final int session, final Authentication authentication)
        {
            offset = random.nextInt(64);
            final int kind = random.nextInt(10);
            if (kind == 0)
            {
                // garbage of any length, including empty
                final int length = random.nextInt(random.nextBoolean() ? 24 : 300);
                for (int i = 0; i < length; i++)
                {
                    buffer.putByte(offset + i, (byte)random.nextInt());
                }
                return length;
            }

            int sender = random.nextInt(10) == 0 ? 3 + random.nextInt(300) : random.nextInt(3);
            for (int i = 0; i < sessions.length; i++)
            {
                if (sessions[i] == session && sessionMember[i] >= 0 && random.nextInt(5) != 0)
                {
                    sender = sessionMember[i];
                }
            }
            int length = wellFormed(sender, epoch, catchUp);
            final boolean tag = authentication.covers(io.sequencer.core.codec.FrameHeader.type(scratch, 0), catchUp) ?
                random.nextInt(8) != 0 : random.nextInt(8) == 0;
            buffer.putBytes(offset, scratch, 0, length);
            if (tag)
            {
                final FrameAuthenticator signer = random.nextInt(6) == 0 ? wrongAuthenticator : authenticator;
                final int signedSession = random.nextInt(10) == 0 ? session + 1 : session;
                signer.sign(buffer, offset, length, signedSession, buffer, offset + length);
                length += FrameAuthenticator.TAG_LENGTH;
            }
            if (kind >= 7)
            {
                length = mutate(length);
            }
            return length;
        }

        private int mutate(final int length)
        {
            switch (random.nextInt(5))
            {
                case 0: // flip bits
                {
                    final int flips = 1 + random.nextInt(4);
                    for (int i = 0; i < flips && length > 0; i++)
                    {
                        final int at = offset + random.nextInt(length);
                        buffer.putByte(at, (byte)(buffer.getByte(at) ^ (1 << random.nextInt(8))));
                    }
                    return length;
                }
                case 1: // cut short
                    return length == 0 ? 0 : random.nextInt(length);
                case 2: // extend with junk
                {
                    final int extra = 1 + random.nextInt(40);
                    for (int i = 0; i < extra; i++)
                    {
                        buffer.putByte(offset + length + i, (byte)random.nextInt());
                    }
                    return length + extra;
                }
                case 3: // an extreme value in a random aligned field
                {
                    if (length >= 8)
                    {
                        final int at = offset + 8 * random.nextInt(length / 8);
                        final long[] extremes = {0, -1, Long.MAX_VALUE, Long.MIN_VALUE, 1, 0xFFFF_FFFFL};
                        buffer.putLong(at, extremes[random.nextInt(extremes.length)]);
                    }
                    return length;
                }
                default: // a random type, cluster or sender in an otherwise good header
                {
                    if (length >= 8)
                    {
                        buffer.putShort(offset + random.nextInt(3) * 2, (short)random.nextInt());
                    }
                    return length;
                }
            }
        }

        /** A well-formed frame in {@link #scratch} at 0, header mostly plausible. */
        private int wellFormed(final int sender, final long epoch, final boolean catchUp)
        {
            final int cluster = random.nextInt(20) == 0 ? clusterId + 1 : clusterId;
            final long frameEpoch = random.nextInt(50) == 0 ? random.nextLong() :
                Math.max(0, epoch + random.nextInt(3) - 1);
            final int target = random.nextInt(5) == 0 ? random.nextInt(3) + 1 : 0;
            final long position = 1 + random.nextInt(50);
            final int type = catchUp && random.nextInt(5) != 0 ?
                (random.nextBoolean() ? MessageType.FETCH : MessageType.ENTRIES) : 1 + random.nextInt(8);
            switch (type)
            {
                case MessageType.NEW_EVENT:
                    return newEvent.encode(scratch, 0, sender, cluster, frameEpoch, random.nextInt(5),
                        random.nextInt(100), random.nextInt(1000), EntryType.EVENT, random.nextLong(), payload, 0,
                        random.nextInt(64)).encodedLength();
                case MessageType.MY_ORDER_COUNTER:
                    return orderCounter.encode(scratch, 0, sender, cluster, frameEpoch, random.nextInt(1000))
                        .encodedLength();
                case MessageType.MY_SERIALIZE_COUNTER:
                    return serializeCounter.encode(scratch, 0, sender, cluster, frameEpoch, random.nextInt(50),
                        random.nextInt(50), random.nextLong(), Math.max(0, epoch - random.nextInt(2)),
                        random.nextBoolean(), random.nextInt(50)).encodedLength();
                case MessageType.NEW_NODE:
                    return newNode.encode(scratch, 0, sender, cluster, frameEpoch, sender, frameEpoch, frameEpoch + 1,
                        random.nextInt(50), Math.max(0, epoch - 1)).encodedLength();
                case MessageType.DEL_NODE:
                    return delNode.encode(scratch, 0, sender, cluster, frameEpoch, random.nextInt(3), frameEpoch + 1)
                        .encodedLength();
                case MessageType.CLUSTER_NODES:
                    return clusterNodes.encode(scratch, 0, sender, cluster, frameEpoch, frameEpoch,
                        random.nextInt(5), random.nextLong(), new int[]{0, 1, 2}, 3, 1 + random.nextInt(7),
                        random.nextInt(3)).encodedLength();
                case MessageType.FETCH:
                    return fetch.encode(scratch, 0, sender, cluster, frameEpoch, target, position,
                        position + random.nextInt(100)).encodedLength();
                default:
                {
                    entries.encode(scratch, 0, scratch.capacity(), sender, cluster, frameEpoch, target, position);
                    final int count = random.nextInt(random.nextInt(20) == 0 ? 400 : 5);
                    for (int i = 0; i < count; i++)
                    {
                        entries.appendEntry(1 + random.nextInt(2), random.nextInt(3), frameEpoch, i, 1, i,
                            random.nextLong(), random.nextLong(), payload, 0, random.nextInt(128));
                    }
                    return entries.encodedLength();
                }
            }
        }
    }
}
