package io.sequencer.benchmarks.transport;

import io.sequencer.core.EntryType;
import io.sequencer.core.codec.ClusterNodesFrame;
import io.sequencer.core.codec.DelNodeFrame;
import io.sequencer.core.codec.EntriesFrame;
import io.sequencer.core.codec.FetchFrame;
import io.sequencer.core.codec.FrameValidator;
import io.sequencer.core.codec.MyOrderCounterFrame;
import io.sequencer.core.codec.MySerializeCounterFrame;
import io.sequencer.core.codec.NewEventFrame;
import io.sequencer.core.codec.NewNodeFrame;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Encode and decode of each frame of the shared channel and the catch-up stream, as the transport sees them: encode
 * into an off-heap buffer (as into an Aeron claim), validate with {@link FrameValidator} (as every received frame
 * is), wrap and read every field. Run with {@code -prof gc}: each is 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameCodecBenchmark
{
    private static final int SENDER = 1;
    private static final int CLUSTER = 42;
    private static final long EPOCH = 7;

    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(8192));
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
    private final int[] members = {0, 1, 2};
    private final FrameValidator validator = new FrameValidator(4096);
    private final NewEventFrame newEvent = new NewEventFrame();
    private final MyOrderCounterFrame orderCounter = new MyOrderCounterFrame();
    private final MySerializeCounterFrame serializeCounter = new MySerializeCounterFrame();
    private final NewNodeFrame newNode = new NewNodeFrame();
    private final DelNodeFrame delNode = new DelNodeFrame();
    private final ClusterNodesFrame clusterNodes = new ClusterNodesFrame();
    private final FetchFrame fetch = new FetchFrame();
    private final EntriesFrame entries = new EntriesFrame();
    private long counter;

    /** A 32-byte event: the size of a small order or transfer. */
    @Benchmark
    public long newEvent()
    {
        final int length = newEvent.encode(buffer, 0, SENDER, CLUSTER, EPOCH, 3, ++counter, counter, EntryType.EVENT,
            counter, payload, 0, 32)
            .encodedLength();
        if (validator.validate(buffer, 0, length) != FrameValidator.VALID)
        {
            throw new IllegalStateException();
        }
        newEvent.wrap(buffer, 0, length);
        return newEvent.senderId() + newEvent.clusterId() + newEvent.epoch() + newEvent.incarnation() +
            newEvent.localSeq() + newEvent.counter() + newEvent.payloadLength() +
            newEvent.buffer().getByte(newEvent.payloadOffset());
    }

    @Benchmark
    public long myOrderCounter()
    {
        final int length = orderCounter.encode(buffer, 0, SENDER, CLUSTER, EPOCH, ++counter).encodedLength();
        if (validator.validate(buffer, 0, length) != FrameValidator.VALID)
        {
            throw new IllegalStateException();
        }
        orderCounter.wrap(buffer, 0, length);
        return orderCounter.senderId() + orderCounter.clusterId() + orderCounter.epoch() + orderCounter.counter();
    }

    @Benchmark
    public long mySerializeCounter()
    {
        final int length = serializeCounter.encode(buffer, 0, SENDER, CLUSTER, EPOCH, ++counter, counter, 99,
            EPOCH, true, counter).encodedLength();
        if (validator.validate(buffer, 0, length) != FrameValidator.VALID)
        {
            throw new IllegalStateException();
        }
        serializeCounter.wrap(buffer, 0, length);
        return serializeCounter.senderId() + serializeCounter.epoch() + serializeCounter.guaranteed() +
            serializeCounter.have() + serializeCounter.chkAtHave() + serializeCounter.lastNormalEpoch() +
            serializeCounter.fetchProgress() + (serializeCounter.intact() ? 1 : 0);
    }

    @Benchmark
    public long newNode()
    {
        final int length = newNode.encode(buffer, 0, SENDER, CLUSTER, EPOCH, SENDER, EPOCH, EPOCH + 1, ++counter,
            EPOCH).encodedLength();
        if (validator.validate(buffer, 0, length) != FrameValidator.VALID)
        {
            throw new IllegalStateException();
        }
        newNode.wrap(buffer, 0, length);
        return newNode.senderId() + newNode.identity() + newNode.incarnation() + newNode.counter() + newNode.have() +
            newNode.lastNormalEpoch();
    }

    @Benchmark
    public long delNode()
    {
        final int length = delNode.encode(buffer, 0, SENDER, CLUSTER, EPOCH, 2, EPOCH + (++counter & 1))
            .encodedLength();
        if (validator.validate(buffer, 0, length) != FrameValidator.VALID)
        {
            throw new IllegalStateException();
        }
        delNode.wrap(buffer, 0, length);
        return delNode.senderId() + delNode.identity() + delNode.counter();
    }

    @Benchmark
    public long clusterNodes()
    {
        final int length = clusterNodes.encode(buffer, 0, SENDER, CLUSTER, EPOCH, EPOCH, ++counter, 99, members, 3,
            7, 1).encodedLength();
        if (validator.validate(buffer, 0, length) != FrameValidator.VALID)
        {
            throw new IllegalStateException();
        }
        clusterNodes.wrap(buffer, 0, length);
        return clusterNodes.newEpoch() + clusterNodes.n() + clusterNodes.chkAtN() + clusterNodes.memberCount() +
            clusterNodes.activeMask() + clusterNodes.memberId(2) + clusterNodes.baseOwner();
    }

    @Benchmark
    public long fetch()
    {
        final long from = ++counter;
        final int length = fetch.encode(buffer, 0, SENDER, CLUSTER, EPOCH, 2, from, from + 1000).encodedLength();
        if (validator.validate(buffer, 0, length) != FrameValidator.VALID)
        {
            throw new IllegalStateException();
        }
        fetch.wrap(buffer, 0, length);
        return fetch.target() + fetch.from() + fetch.to();
    }

    /** A batch of 16 entries with 32-byte payloads (1,448 bytes), every entry read back. */
    @Benchmark
    public long entries16()
    {
        entries.encode(buffer, 0, buffer.capacity(), SENDER, CLUSTER, EPOCH, 2, ++counter);
        for (int i = 0; i < 16; i++)
        {
            entries.appendEntry(EntryType.EVENT, i % 3, EPOCH, counter + i, 3, counter + i, counter + i,
                counter * 31 + i, payload, 0, 32);
        }
        final int length = entries.encodedLength();
        if (validator.validate(buffer, 0, length) != FrameValidator.VALID)
        {
            throw new IllegalStateException();
        }
        entries.wrap(buffer, 0, length);
        long sum = entries.target() + entries.count() + entries.firstPosition();
        entries.resetCursor();
        while (entries.nextEntry())
        {
            sum += entries.entryPosition() + entries.entryType() + entries.entryOrigin() + entries.entryEpoch() +
                entries.entryCounter() + entries.entryIncarnation() + entries.entryLocalSeq() + entries.entryChk() +
                entries.entryPayloadLength() + entries.buffer().getByte(entries.entryPayloadOffset());
        }
        return sum;
    }
}
