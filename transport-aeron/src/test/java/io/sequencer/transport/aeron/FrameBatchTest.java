package io.sequencer.transport.aeron;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.sequencer.core.ClusterConfig;
import io.sequencer.core.EntryType;
import io.sequencer.core.ProtocolContext;
import io.sequencer.core.codec.FrameHeader;
import io.sequencer.core.codec.MyOrderCounterFrame;
import io.sequencer.core.codec.MySerializeCounterFrame;
import io.sequencer.core.codec.NewEventFrame;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A duty cycle's frames in one message ({@link FrameBatch}): the adapter unpacks a batch into its frames in order,
 * under the batch's one tag, and drops whole any batch whose tag or structure does not hold; the publisher gathers a
 * cycle's shared-channel frames into one message, sends a frame too large for a batch after the batch, and keeps a
 * batch it could not send, whole, ahead of anything published later.
 */
class FrameBatchTest
{
    private static final int CLUSTER = 5;
    private static final int SESSION = 101;
    private static final byte[] SECRET = "the secret of cluster five......".getBytes(StandardCharsets.US_ASCII);

    private final ClusterConfig cluster = ClusterConfig.ofSize(CLUSTER, 3);
    private final TransportCounters counters = new TransportCounters();
    private final FrameAuthenticator authenticator = new FrameAuthenticator(SECRET);
    private final List<Integer> deliveredTypes = new ArrayList<>();
    private final List<Long> deliveredWords = new ArrayList<>();
    private final List<Integer> deliveredLengths = new ArrayList<>();
    /** Delivered frames that speak for a member of this cluster (not cut short, this cluster's id, a known sender). */
    private int deliveredForAMember;
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[4096]);
    private final UnsafeBuffer batch = new UnsafeBuffer(new byte[8192]);
    private int batchLength;
    private int batchFrames;

    private ChannelAdapter adapter(final Authentication authentication)
    {
        final ChannelAdapter adapter = new ChannelAdapter(
            cluster, 0, ProtocolContext.DEFAULT_MAX_EVENT_LENGTH, authentication, authenticator, counters);
        adapter.ownSharedSession(4242);
        adapter.handler(this::record);
        return adapter;
    }

    private void record(final DirectBuffer buffer, final int offset, final int length)
    {
        deliveredLengths.add(length);
        if (length >= FrameHeader.LENGTH && FrameHeader.clusterId(buffer, offset) == CLUSTER &&
            cluster.indexOf(FrameHeader.senderId(buffer, offset)) >= 0)
        {
            deliveredForAMember++;
        }
        deliveredTypes.add(FrameHeader.type(buffer, offset));
        deliveredWords.add(buffer.getLong(offset + MyOrderCounterFrame.COUNTER_OFFSET, LITTLE_ENDIAN));
    }

    private void startBatch()
    {
        batchLength = FrameBatch.HEADER_LENGTH;
        batchFrames = 0;
    }

    private void add(final int length)
    {
        batch.putInt(batchLength, length, LITTLE_ENDIAN);
        batch.putBytes(batchLength + FrameBatch.FRAME_PREFIX, frame, 0, length);
        batchLength += FrameBatch.FRAME_PREFIX + length;
        batchFrames++;
    }

    private int promise(final long counter)
    {
        return new MyOrderCounterFrame().encode(frame, 0, 1, CLUSTER, 3, counter).encodedLength();
    }

    private int report(final long have)
    {
        return new MySerializeCounterFrame().encode(frame, 0, 1, CLUSTER, 3, 1, have, 7, 3, true, have)
            .encodedLength();
    }

    private int event(final long counter, final int payload)
    {
        return new NewEventFrame().encode(frame, 0, 1, CLUSTER, 3, 1, counter, counter, EntryType.EVENT, 0,
            new UnsafeBuffer(new byte[payload]), 0, payload).encodedLength();
    }

    /** The batch built so far, with its header and, when {@code tagged}, its tag for {@code session}. */
    private int finish(final boolean tagged, final int session)
    {
        FrameBatch.writeHeader(batch, 0, tagged, batchFrames);
        if (!tagged)
        {
            return batchLength;
        }
        authenticator.sign(batch, 0, batchLength, session, batch, batchLength);
        return batchLength + FrameAuthenticator.TAG_LENGTH;
    }

    private int threeFrames(final boolean tagged)
    {
        startBatch();
        add(event(10, 8));
        add(promise(11));
        add(report(40));
        return finish(tagged, SESSION);
    }

    @Test
    void aTaggedBatchIsDeliveredFrameByFrameInOrder()
    {
        final ChannelAdapter adapter = adapter(Authentication.ALL);
        final int length = threeFrames(true);
        adapter.onFrame(false, SESSION, batch, 0, length);
        assertEquals(List.of(1, 2, 3), deliveredTypes, "event, promise, report: as published");
        assertEquals(1, adapter.boundMemberId(false, SESSION), "its first frame bound the session");
        assertEquals(1, counters.batchesReceived());
        assertEquals(3, counters.delivered());
        assertEquals(3, adapter.takePolled(), "each frame counts as taken off the stream");
        assertEquals(0, counters.droppedTotal());
    }

    /**
     * A frame whose handler throws does not keep the frames after it from being delivered; the first failure is
     * rethrown after the batch, but a log without room ({@link io.sequencer.core.LogUnwritableException}) wins over
     * any other, since the duty cycle stops the member on that one only.
     */
    @Test
    void aBatchGoesOnPastAFailingFrameAndALogWithoutRoomIsWhatItRethrows()
    {
        final ChannelAdapter adapter = adapter(Authentication.NONE);
        final List<Integer> handled = new ArrayList<>();
        adapter.handler((buffer, offset, length) ->
        {
            final int type = FrameHeader.type(buffer, offset);
            handled.add(type);
            if (type == 1)
            {
                throw new IllegalArgumentException("the event frame's handler failed");
            }
            if (type == 2)
            {
                throw new io.sequencer.core.LogUnwritableException("event log x: cannot make room for entry 7",
                    new java.io.IOException("No space left on device"));
            }
        });
        final int length = threeFrames(false);
        final RuntimeException thrown = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
            () -> adapter.onFrame(false, SESSION, batch, 0, length));
        assertEquals(List.of(1, 2, 3), handled, "every frame of the batch handled");
        assertTrue(thrown instanceof io.sequencer.core.LogUnwritableException, "rethrown: " + thrown);
    }

    @Test
    void oneTagCoversTheWholeBatch()
    {
        final ChannelAdapter adapter = adapter(Authentication.ALL);
        final int length = threeFrames(true);
        for (int at = 0; at < length; at++)
        {
            batch.putByte(at, (byte)(batch.getByte(at) ^ 0x10));
            adapter.onFrame(false, SESSION, batch, 0, length);
            batch.putByte(at, (byte)(batch.getByte(at) ^ 0x10));
        }
        assertEquals(List.of(), deliveredTypes, "no byte of a batch can change without its tag failing");
        assertEquals(length, counters.dropped(TransportDropReason.AUTH_FAILED) +
            counters.dropped(TransportDropReason.BAD_BATCH) +
            counters.dropped(TransportDropReason.UNSUPPORTED_VERSION) +
            counters.dropped(TransportDropReason.UNKNOWN_SCHEMA), "each counted once, whole");

        adapter.onFrame(false, SESSION + 1, batch, 0, length);
        assertEquals(List.of(), deliveredTypes, "a batch replayed from another session does not verify");

        adapter.onFrame(false, SESSION, batch, 0, threeFrames(false));
        assertEquals(List.of(), deliveredTypes, "under ALL an untagged batch is refused");
    }

    @Test
    void underControlAnUntaggedBatchCarriesOnlyFramesThatNeedNoTag()
    {
        final ChannelAdapter adapter = adapter(Authentication.CONTROL);
        adapter.onFrame(false, SESSION, batch, 0, threeFrames(true));
        assertEquals(List.of(1, 2, 3), deliveredTypes, "a tagged batch binds and delivers everything");

        deliveredTypes.clear();
        adapter.onFrame(false, SESSION, batch, 0, threeFrames(false));
        assertEquals(List.of(1, 2), deliveredTypes, "the report needs a tag; the event and promise do not");
        assertEquals(1, counters.dropped(TransportDropReason.AUTH_FAILED));

        deliveredTypes.clear();
        adapter.onFrame(false, SESSION + 1, batch, 0, threeFrames(false));
        assertEquals(List.of(), deliveredTypes, "a stranger's untagged batch binds nothing");
        assertEquals(2, counters.dropped(TransportDropReason.UNAUTHENTICATED_SESSION));
    }

    @Test
    void withoutAuthenticationATaggedBatchIsAMisconfiguredPeer()
    {
        final ChannelAdapter adapter = adapter(Authentication.NONE);
        adapter.onFrame(false, SESSION, batch, 0, threeFrames(false));
        assertEquals(List.of(1, 2, 3), deliveredTypes);
        deliveredTypes.clear();
        adapter.onFrame(false, SESSION, batch, 0, threeFrames(true));
        assertEquals(List.of(), deliveredTypes);
        assertEquals(1, counters.dropped(TransportDropReason.BAD_BATCH));
    }

    @Test
    void batchesOfBrokenStructureAreDroppedWholeAndOwnBatchesLoopBackOnce()
    {
        final ChannelAdapter adapter = adapter(Authentication.NONE);
        int length = threeFrames(false);
        adapter.onFrame(false, SESSION, batch, 0, length - 1);
        adapter.onFrame(false, SESSION, batch, 0, length + 1);
        batch.putInt(FrameBatch.COUNT_OFFSET, 4, LITTLE_ENDIAN);
        adapter.onFrame(false, SESSION, batch, 0, length);
        batch.putInt(FrameBatch.COUNT_OFFSET, 2, LITTLE_ENDIAN);
        adapter.onFrame(false, SESSION, batch, 0, length);
        batch.putInt(FrameBatch.COUNT_OFFSET, 3, LITTLE_ENDIAN);
        batch.putShort(FrameBatch.FLAGS_OFFSET, (short)4, LITTLE_ENDIAN);
        adapter.onFrame(false, SESSION, batch, 0, length);
        batch.putShort(FrameBatch.FLAGS_OFFSET, (short)0, LITTLE_ENDIAN);
        batch.putInt(FrameBatch.HEADER_LENGTH, Integer.MAX_VALUE, LITTLE_ENDIAN);
        adapter.onFrame(false, SESSION, batch, 0, length);
        batch.putInt(FrameBatch.HEADER_LENGTH, -8, LITTLE_ENDIAN);
        adapter.onFrame(false, SESSION, batch, 0, length);

        startBatch();
        add(promise(11));
        adapter.onFrame(false, SESSION, batch, 0, finish(false, SESSION));
        assertEquals(8, counters.dropped(TransportDropReason.BAD_BATCH), "short, long, miscounted, flags, lengths");

        length = threeFrames(false);
        final int nestedAt = FrameBatch.HEADER_LENGTH + FrameBatch.FRAME_PREFIX;
        batch.putByte(nestedAt, (byte)io.sequencer.core.codec.MessageType.BATCH);
        adapter.onFrame(false, SESSION, batch, 0, length);
        assertEquals(9, counters.dropped(TransportDropReason.BAD_BATCH), "no batch inside a batch");

        adapter.onFrame(true, SESSION, batch, 0, threeFrames(false));
        assertEquals(10, counters.dropped(TransportDropReason.BAD_BATCH), "catch-up frames travel alone");
        assertEquals(List.of(), deliveredTypes);

        adapter.onFrame(false, 4242, batch, 0, threeFrames(false));
        assertEquals(1, counters.loopedBack(), "our own batch, counted once");
        assertEquals(List.of(), deliveredTypes);
    }

    @Test
    void aFrameWhoseHandlerThrowsDoesNotCostTheFramesAfterItInItsBatch()
    {
        final ChannelAdapter adapter = adapter(Authentication.ALL);
        adapter.handler((buffer, offset, length) ->
        {
            record(buffer, offset, length);
            if (FrameHeader.type(buffer, offset) == 2)
            {
                throw new IllegalStateException("the protocol failed on the promise");
            }
        });
        final int length = threeFrames(true);
        final IllegalStateException thrown = org.junit.jupiter.api.Assertions.assertThrows(
            IllegalStateException.class, () -> adapter.onFrame(false, SESSION, batch, 0, length));
        assertEquals("the protocol failed on the promise", thrown.getMessage(), "the first failure goes on");
        assertEquals(List.of(1, 2, 3), deliveredTypes, "the report after the failing promise still arrives");
    }

    @Test
    void framesAndBatchesOfAnotherWireVersionAreCountedAsSuch()
    {
        final ChannelAdapter adapter = adapter(Authentication.ALL);
        final int length = threeFrames(true);
        batch.putByte(io.sequencer.core.codec.FrameHeader.VERSION_OFFSET,
            (byte)(io.sequencer.core.codec.FrameHeader.WIRE_VERSION + 1));
        adapter.onFrame(false, SESSION, batch, 0, length);
        final int promise = promise(5);
        frame.putByte(io.sequencer.core.codec.FrameHeader.VERSION_OFFSET, (byte)0); // a release before the byte
        adapter.onFrame(false, SESSION, frame, 0, promise);
        assertEquals(2, counters.dropped(TransportDropReason.UNSUPPORTED_VERSION), "before any tag is checked");
        assertEquals(0, counters.dropped(TransportDropReason.AUTH_FAILED));
        assertEquals(List.of(), deliveredTypes);
    }

    /**
     * A promise as a member of wire version 2 sends it (the layout before the schema id: its sender id where the
     * schema id now is, whatever that id) is another version of this schema, not a stranger's frame.
     */
    @Test
    void aFrameOfThePreviousLayoutIsAnotherVersion()
    {
        final ChannelAdapter adapter = adapter(Authentication.NONE);
        for (final int sender : new int[] {1, FrameHeader.SCHEMA_ID})
        {
            frame.putByte(0, (byte)io.sequencer.core.codec.MessageType.MY_ORDER_COUNTER);
            frame.putByte(1, (byte)2);
            frame.putShort(2, (short)sender, LITTLE_ENDIAN);
            frame.putInt(4, CLUSTER, LITTLE_ENDIAN);
            frame.putLong(8, 3, LITTLE_ENDIAN);
            frame.putLong(16, 11, LITTLE_ENDIAN);
            frame.putInt(24, -1, LITTLE_ENDIAN);
            adapter.onFrame(false, SESSION, frame, 0, 28); // version 2's MyOrderCounter: 16 + 12 bytes
        }
        assertEquals(2, counters.dropped(TransportDropReason.UNSUPPORTED_VERSION));
        assertEquals(0, counters.dropped(TransportDropReason.UNKNOWN_SCHEMA));
        assertEquals(List.of(), deliveredTypes);
    }

    /**
     * A frame or batch of another schema is dropped as such before anything else is read: its version (this one's
     * included), its type, its tag, its structure.
     */
    @Test
    void framesAndBatchesOfAnotherSchemaAreCountedAsSuch()
    {
        final ChannelAdapter adapter = adapter(Authentication.ALL);
        final int length = threeFrames(true);
        batch.putShort(FrameHeader.SCHEMA_ID_OFFSET, (short)(FrameHeader.SCHEMA_ID + 1), LITTLE_ENDIAN);
        assertFalse(FrameBatch.wellFormed(batch, 0, length - FrameAuthenticator.TAG_LENGTH));
        adapter.onFrame(false, SESSION, batch, 0, length);
        final int promise = promise(5);
        frame.putShort(FrameHeader.SCHEMA_ID_OFFSET, (short)0, LITTLE_ENDIAN);
        adapter.onFrame(false, SESSION, frame, 0, promise);
        frame.putByte(FrameHeader.VERSION_OFFSET, (byte)(FrameHeader.WIRE_VERSION + 1));
        adapter.onFrame(false, SESSION, frame, 0, promise);
        assertEquals(3, counters.dropped(TransportDropReason.UNKNOWN_SCHEMA), "before the version or any tag");
        assertEquals(0, counters.dropped(TransportDropReason.UNSUPPORTED_VERSION));
        assertEquals(0, counters.dropped(TransportDropReason.AUTH_FAILED));
        assertEquals(List.of(), deliveredTypes);
    }

    /**
     * Random damage to batches never throws, counts every frame exactly once (delivered, looped back or dropped; a
     * batch dropped whole once), and under authentication never delivers a frame that speaks for a member.
     */
    @ParameterizedTest
    @EnumSource(Authentication.class)
    void damagedBatchesNeverThrowAndNeverPassATag(final Authentication authentication)
    {
        final ChannelAdapter adapter = adapter(authentication);
        final SplittableRandom random = new SplittableRandom(11);
        long polled = 0;
        for (int i = 0; i < 20_000; i++)
        {
            final int length = threeFrames(authentication != Authentication.NONE);
            final int damaged = 1 + random.nextInt(4);
            for (int d = 0; d < damaged; d++)
            {
                final int at = random.nextInt(length);
                batch.putByte(at, (byte)(batch.getByte(at) ^ (1 + random.nextInt(255))));
            }
            adapter.onFrame(false, SESSION, batch, 0, random.nextInt(4) == 0 ? random.nextInt(length + 1) : length);
            polled += adapter.takePolled();
        }
        if (authentication != Authentication.NONE)
        {
            // What is delivered is cut below a frame header, or names another cluster or no member: the protocol
            // counts those by its own reasons (ChannelAdapter). Nothing speaks for a member without a valid tag.
            assertEquals(0, deliveredForAMember, "every damaged batch failed its tag");
        }
        assertEquals(polled, counters.received(), "every frame taken off the stream counted once");
        assertTrue(polled >= 20_000);
    }

    @Test
    void unpackingABatchAllocatesNothingOnceWarm()
    {
        final ChannelAdapter adapter = adapter(Authentication.ALL);
        final long[] delivered = new long[1];
        adapter.handler((buffer, offset, length) -> delivered[0]++);
        final int length = threeFrames(true);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        // Two rounds of warm-up, then up to eight measured: a round that C2 compiles or deoptimises part way through
        // runs some of it in code without escape analysis, which allocates (248 bytes once, on a loaded machine), so
        // the steady state is the first measured round that allocates nothing; if none does, the path allocates.
        long allocated = -1;
        int rounds = 0;
        while (rounds < 10 && (rounds <= 2 || allocated != 0))
        {
            final long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 10_000; i++)
            {
                adapter.onFrame(false, SESSION, batch, 0, length);
            }
            allocated = threads.getThreadAllocatedBytes(thread) - before;
            rounds++;
        }
        assertEquals(30_000L * rounds, delivered[0]);
        assertEquals(0, allocated, "bytes allocated unpacking 10,000 tagged batches, in each of " + (rounds - 2) +
            " rounds after warm-up");
    }

    @Test
    void thePublisherSendsACyclesFramesAsOneMessageAndKeepsAnUnsentBatchWhole(@TempDir final Path dir)
    {
        final MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(dir.resolve("aeron").toString())
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        Subscription subscription = null;
        try
        {
            // A small term: the subscriber below, polling nothing, back-pressures the publisher within a few batches.
            final String channel = "aeron:ipc?term-length=65536";
            final ExclusivePublication shared = aeron.addExclusivePublication(channel, 7);
            final ClusterConfig three = ClusterConfig.ofSize(CLUSTER, 3);
            final TransportCounters sent = new TransportCounters();
            final ChannelPublisher publisher = new ChannelPublisher(three, 1, Authentication.ALL,
                new FrameAuthenticator(SECRET), sent, shared, new ExclusivePublication[3]);

            assertFalse(publisher.publish(frame, 0, FrameHeader.LENGTH - 1), "not a frame: refused, not batched");
            assertEquals(0, publisher.waiting());

            // Not connected: the batch waits, whole (dropped, it would be a silent gap in this member's stream).
            assertTrue(publisher.publish(frame, 0, promise(98)));
            assertTrue(publisher.publish(frame, 0, promise(99)));
            assertEquals(0, publisher.flush());
            assertEquals(2, publisher.waiting(), "held, counted as not connected");
            assertEquals(1, sent.notConnected());

            subscription = aeron.addSubscription(channel, 7);
            final Subscription sub = subscription;
            awaitTrue(() -> publisher.flush() == 1, "the waiting batch leaves once the publication connects");

            // Back-pressured: the batch cannot leave. It keeps what it took and refuses what no longer fits.
            long next = 100;
            int sentBatches = 0;
            while (sent.backPressured() == 0)
            {
                assertTrue(publisher.publish(frame, 0, promise(next++)));
                assertTrue(publisher.publish(frame, 0, promise(next++)));
                sentBatches += publisher.flush();
                assertTrue(sentBatches < 10_000, "never back-pressured");
            }
            final int heldBefore = publisher.waiting();
            int accepted = 0;
            while (publisher.publish(frame, 0, promise(next + accepted)))
            {
                accepted++;
                assertTrue(accepted < 10_000, "a batch that cannot leave takes at most a claim's worth");
            }
            final long lastCounter = next + accepted - 1;
            assertTrue(heldBefore + accepted > 10, "a batch holds a claim's worth of frames: " + accepted);
            assertEquals(0, publisher.flush());
            assertEquals(heldBefore + accepted, publisher.waiting(), "nothing lost, nothing sent");

            final ChannelAdapter adapter = adapter(Authentication.ALL);
            final FragmentAssembler assembler = new FragmentAssembler(
                (buffer, offset, length, header) -> adapter.onFrame(false, header.sessionId(), buffer, offset, length));
            // Drain what was sent, then the held batch leaves, whole, before what is published after it.
            final int sentFrames = 2 + 2 * sentBatches;
            final int expected = sentFrames + heldBefore + accepted + 4;
            awaitTrue(() ->
            {
                sub.poll(assembler, 10);
                return deliveredTypes.size() >= sentFrames;
            }, "the sent batches arrive");
            awaitTrue(() -> publisher.flush() == 1, "the waiting batch leaves once there is room");
            assertTrue(publisher.publish(frame, 0, event(1, 8)));
            assertTrue(publisher.publish(frame, 0, report(5)));
            assertTrue(publisher.publish(frame, 0, event(2, 3000)), "too large for a batch: sent after it");
            assertEquals(0, publisher.waiting());
            assertTrue(publisher.publish(frame, 0, promise(7)));
            assertEquals(1, publisher.flush(), "a single frame travels alone");
            awaitTrue(() ->
            {
                sub.poll(assembler, 10);
                return deliveredTypes.size() >= expected;
            }, "every frame arrives");
            final List<Integer> types = new ArrayList<>();
            final List<Long> counters = new ArrayList<>();
            for (long c = 98; c <= lastCounter; c++)
            {
                types.add(2);
                counters.add(c);
            }
            types.addAll(List.of(1, 3, 1, 2));
            assertEquals(expected, types.size());
            assertEquals(types, deliveredTypes, "in the order published");
            assertEquals(counters, deliveredWords.subList(0, counters.size()),
                "every batch, the held one whole, in order");
            assertEquals(sentBatches + 5, sent.messages(),
                "the first batch, the batches sent, the held one, the next one, the large event, the promise");
            assertEquals(sentBatches + 3, sent.batches());
            assertEquals(expected, sent.published());
            assertEquals(0, this.counters.droppedTotal());
        }
        finally
        {
            CloseHelper.quietCloseAll(subscription, aeron, driver);
        }
    }

    private static void awaitTrue(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out: " + what);
            }
            Thread.yield();
        }
    }
}
