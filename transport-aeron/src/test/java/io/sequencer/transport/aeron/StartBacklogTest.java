package io.sequencer.transport.aeron;

import io.aeron.Aeron;
import io.aeron.AeronCounters;
import io.sequencer.core.ClusterConfig;
import io.sequencer.core.codec.MyOrderCounterFrame;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a member's driver received before its first poll (its storage's open, at a restart) is skipped unread and
 * counted; what arrives after is delivered, every frame of it.
 */
class StartBacklogTest
{
    private static final int BEFORE = 100;
    private static final int AFTER = 10;
    private static final io.sequencer.core.FrameHandler IGNORED = (buffer, offset, length) ->
    {
    };

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close()
    {
        CloseHelper.quietCloseAll(closeables);
    }

    @Test
    void framesReceivedBeforeTheFirstPollAreSkippedAndCountedAndLaterOnesDelivered()
    {
        final ClusterConfig cluster = ClusterConfig.ofSize(TestNetwork.clusterId(), 2);
        final String channel = TestNetwork.multicastChannel();
        final int streamId = TestNetwork.streamId();
        final int[] ports = {TestNetwork.freeUdpPort(), TestNetwork.freeUdpPort()};
        final AeronTransport sender = AeronTransport.launch(TestNode.transportContext(cluster, 0, channel, streamId,
            ports));
        closeables.add(sender);
        final AeronTransportContext receiverContext = TestNode.transportContext(cluster, 1, channel, streamId, ports);
        final AeronTransport receiver = AeronTransport.launch(receiverContext);
        closeables.add(receiver);
        // an observer of the receiver's driver (which runs on a thread of its own): how far its image has received
        final Aeron observer = Aeron.connect(new Aeron.Context().aeronDirectoryName(
            receiverContext.aeronDirectoryName()));
        closeables.add(observer);

        final UnsafeBuffer frame = new UnsafeBuffer(new byte[64]);
        final MyOrderCounterFrame promise = new MyOrderCounterFrame();
        final long deadlineNs = System.nanoTime() + 10_000_000_000L;
        while (!sender.isConnected()) // the receiver's driver has the stream's image: it gets every message from here
        {
            sender.poll(IGNORED, 16);
            assertTrue(System.nanoTime() < deadlineNs, "the sender's stream connected");
            Thread.onSpinWait();
        }
        int sent = 0;
        while (sent < BEFORE)
        {
            sender.poll(IGNORED, 16);
            sent += sendPromise(sender, promise, frame, cluster, sent + 1);
            assertTrue(System.nanoTime() < deadlineNs, "sent " + sent);
        }
        // every message sent so far is in the receiver's driver: its receiver's high-water mark counts the bytes
        final long sentBytes = sender.sharedPosition();
        while (receivedBytes(observer) < sentBytes)
        {
            sender.poll(IGNORED, 16);
            assertTrue(System.nanoTime() < deadlineNs, "the receiver's driver received " + receivedBytes(observer) +
                " of " + sentBytes + " bytes");
            Thread.onSpinWait();
        }

        final List<Long> delivered = new ArrayList<>();
        final MyOrderCounterFrame decoded = new MyOrderCounterFrame();
        receiver.poll((buffer, offset, length) -> delivered.add(counterOf(decoded, buffer, offset, length)), 64);
        assertEquals(List.of(), delivered, "nothing received before the first poll is delivered");
        assertEquals(BEFORE, receiver.counters().skippedAtStart(), "skipped, one message each");

        while (sent < BEFORE + AFTER || delivered.size() < AFTER)
        {
            sender.poll(IGNORED, 16);
            if (sent < BEFORE + AFTER)
            {
                sent += sendPromise(sender, promise, frame, cluster, sent + 1);
            }
            receiver.poll((buffer, offset, length) -> delivered.add(counterOf(decoded, buffer, offset, length)),
                64);
            assertTrue(System.nanoTime() < deadlineNs, "delivered after the first poll: " + delivered);
        }
        final List<Long> expected = new ArrayList<>();
        for (long k = BEFORE + 1; k <= BEFORE + AFTER; k++)
        {
            expected.add(k);
        }
        assertEquals(expected, delivered, "everything after the first poll, in order");
        assertEquals(AFTER, receiver.counters().delivered());
    }

    /** Member 0's promise with counter {@code counter}, as one message of its own. @return 1 if sent, else 0. */
    private static int sendPromise(
        final AeronTransport sender,
        final MyOrderCounterFrame promise,
        final UnsafeBuffer frame,
        final ClusterConfig cluster,
        final long counter)
    {
        final int length = promise.encode(frame, 0, 0, cluster.clusterId(), 1, counter).encodedLength();
        final boolean sent = sender.publish(frame, 0, length);
        sender.flush();
        return sent ? 1 : 0;
    }

    private static long counterOf(
        final MyOrderCounterFrame frame, final org.agrona.DirectBuffer buffer, final int offset, final int length)
    {
        frame.wrap(buffer, offset, length);
        return frame.counter();
    }

    /** The highest receiver high-water mark among the receiver driver's images. */
    private static long receivedBytes(final Aeron observer)
    {
        final long[] highest = {0};
        observer.countersReader().forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (typeId == AeronCounters.DRIVER_RECEIVER_HWM_TYPE_ID)
            {
                highest[0] = Math.max(highest[0], observer.countersReader().getCounterValue(counterId));
            }
        });
        return highest[0];
    }
}
