package io.sequencer.benchmarks;

import io.sequencer.core.ClusterConfig;
import io.sequencer.core.InMemoryNetwork;
import io.sequencer.core.ProtocolContext;
import io.sequencer.core.SnapshotReader;
import io.sequencer.core.SnapshotWriter;
import io.sequencer.core.StateMachine;
import io.sequencer.core.runtime.CompletionListener;
import io.sequencer.core.runtime.Sequencer;
import io.sequencer.core.runtime.SequencerClient;
import io.sequencer.storage.ChronicleLogContext;
import io.sequencer.storage.CommittedLogReader;
import io.sequencer.storage.NodeStorage;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Issue 12's third target: submit to durable acknowledgement on a one-member node (Chronicle log, in-memory transport)
 * whose state machine holds {@code stateMegabytes} of state, with checkpoints every {@code checkpointInterval}
 * positions written by the snapshot thread, beside the same node with no checkpoints ({@code checkpointInterval=0}),
 * in one run. Each checkpoint is the whole state: 16 MiB serialised and forced to disk, which on the duty cycle would
 * stall every caller for as long.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class SnapshotLatencyBenchmark
{
    private static final int EVENT_LENGTH = 64;

    /** Positions between checkpoints; 0: no snapshot thread, no checkpoints. */
    @Param({"0", "100000"})
    public long checkpointInterval;

    @Param({"16"})
    public int stateMegabytes;

    private Path directory;
    private NodeStorage storage;
    private Sequencer node;
    private SequencerClient client;
    private final UnsafeBuffer event = new UnsafeBuffer(new byte[EVENT_LENGTH]);
    private long lastCompleted;
    private final CompletionListener listener = new CompletionListener()
    {
        public void onCompleted(final long correlationId, final long position, final int status,
            final DirectBuffer result, final int offset, final int length)
        {
            lastCompleted = correlationId;
        }

        public void onRejected(final long correlationId, final int status)
        {
            throw new IllegalStateException("refused: " + status);
        }
    };

    /** A state of many cells, one of which each event adds to: a checkpoint writes them all. */
    public static final class CellsStateMachine implements StateMachine
    {
        private final UnsafeBuffer cells;
        private final int count;

        public CellsStateMachine(final int megabytes)
        {
            cells = new UnsafeBuffer(new byte[megabytes << 20]);
            count = cells.capacity() / Long.BYTES;
        }

        public int apply(final long position, final DirectBuffer event, final int offset, final int length,
            final MutableDirectBuffer result, final int resultOffset)
        {
            final int at = (int)((position * 0x9E3779B97F4A7C15L >>> 33) % count) * Long.BYTES;
            cells.putLong(at, cells.getLong(at, ByteOrder.LITTLE_ENDIAN) + event.getLong(offset, ByteOrder.LITTLE_ENDIAN),
                ByteOrder.LITTLE_ENDIAN);
            result.putLong(resultOffset, position, ByteOrder.LITTLE_ENDIAN);
            return Long.BYTES;
        }

        public void reset()
        {
            cells.setMemory(0, cells.capacity(), (byte)0);
        }

        public void snapshot(final SnapshotWriter out)
        {
            out.write(cells, 0, cells.capacity());
        }

        public void restore(final SnapshotReader in)
        {
            if (in.remaining() != cells.capacity())
            {
                throw new IllegalArgumentException("a snapshot of " + in.remaining() + " bytes; expected " +
                    cells.capacity());
            }
            in.read(cells, 0, cells.capacity());
        }
    }

    @Setup(Level.Trial)
    public void open()
    {
        directory = LogFixture.newDirectory("snapshot-latency");
        storage = NodeStorage.open(directory, new ChronicleLogContext().clusterId(1));
        final Sequencer.Context context = new Sequencer.Context()
            .protocol(new ProtocolContext().cluster(ClusterConfig.ofSize(1, 1)).memberId(0).bootstrap(true)
                .maxResultLength(Long.BYTES)
                .checkpointInterval(checkpointInterval > 0 ? checkpointInterval : Long.MAX_VALUE))
            .directory(directory.toFile())
            .log(storage.log()).checkpoints(storage.checkpoints()).store(storage.nodeStore())
            .transport(InMemoryNetwork.immediate(0).endpoint(0))
            .idleStrategy(new BackoffIdleStrategy());
        if (checkpointInterval > 0)
        {
            context.snapshots(new CellsStateMachine(stateMegabytes), from -> CommittedLogReader.open(directory, from));
        }
        node = Sequencer.launch(context, new CellsStateMachine(stateMegabytes));
        client = node.newClient();
        event.putLong(0, 1, ByteOrder.LITTLE_ENDIAN);
        if (!client.submitAndWait(event, 0, EVENT_LENGTH, TimeUnit.SECONDS.toNanos(30),
            new BackoffIdleStrategy()).completed())
        {
            throw new IllegalStateException("the node did not start");
        }
    }

    @TearDown(Level.Trial)
    public void close()
    {
        if (node.snapshotter() != null)
        {
            System.out.printf("%n[checkpoints taken %d, newest at %d, snapshot thread at %d, failures %d]%n",
                node.snapshotter().checkpointsTaken(), node.snapshotter().lastCheckpoint(),
                node.snapshotter().position(), node.snapshotter().failures());
        }
        CloseHelper.closeAll(client, node);
        LogFixture.delete(directory);
    }

    @Benchmark
    public long submitToDurableAck()
    {
        final long id = client.submit(event, 0, EVENT_LENGTH);
        while (lastCompleted != id)
        {
            client.poll(listener, 1);
        }
        return id;
    }
}
