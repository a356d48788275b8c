package io.sequencer.benchmarks;

import io.sequencer.core.ClusterConfig;
import io.sequencer.core.memory.InMemoryNetwork;
import io.sequencer.core.ProtocolContext;
import io.sequencer.core.runtime.CompletionListener;
import io.sequencer.core.runtime.Sequencer;
import io.sequencer.core.runtime.SequencerClient;
import io.sequencer.sim.AccountLedger;
import io.sequencer.storage.ChronicleLogContext;
import io.sequencer.storage.NodeStorage;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Issue 6's latency target, in one run: a one-member node (Chronicle log, its own busy-spinning duty cycle) from
 * {@code submit} to the durable acknowledgement polled by the same caller, beside the baseline that the target is
 * measured against — an Agrona ring-buffer round trip to a busy-spinning thread that appends the same event to a raw
 * Chronicle queue before it answers.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SingleNodeLatencyBenchmark
{
    private static final int EVENT_LENGTH = 64;

    /** The node under test. */
    @State(Scope.Benchmark)
    public static class NodeState
    {
        Path directory;
        Sequencer node;
        SequencerClient client;
        final UnsafeBuffer event = new UnsafeBuffer(new byte[EVENT_LENGTH]);
        long lastCompleted;
        final CompletionListener listener = new CompletionListener()
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

        @Setup(Level.Trial)
        public void open()
        {
            directory = LogFixture.newDirectory("single-node");
            final ClusterConfig cluster = ClusterConfig.ofSize(1, 1);
            final NodeStorage storage = NodeStorage.open(directory, new ChronicleLogContext().clusterId(1));
            node = Sequencer.launch(new Sequencer.Context()
                .protocol(new ProtocolContext().cluster(cluster).memberId(0).bootstrap(true)
                    .maxResultLength(AccountLedger.RESULT_LENGTH))
                .directory(directory.toFile())
                .log(storage.log()).checkpoints(storage.checkpoints()).store(storage.nodeStore())
                .transport(InMemoryNetwork.immediate(0).endpoint(0))
                .idleStrategy(new BusySpinIdleStrategy()), new AccountLedger());
            client = node.newClient();
            AccountLedger.encodeTransfer(event, 0, 1, 2, 1, EVENT_LENGTH - AccountLedger.TRANSFER_LENGTH);
            if (!client.submitAndWait(event, 0, EVENT_LENGTH, TimeUnit.SECONDS.toNanos(30),
                new BusySpinIdleStrategy()).completed())
            {
                throw new IllegalStateException("the node did not start");
            }
        }

        @TearDown(Level.Trial)
        public void close()
        {
            CloseHelper.closeAll(client, node);
            LogFixture.delete(directory);
        }
    }

    /** The baseline: a ring-buffer round trip through a thread that appends to a raw queue before answering. */
    @State(Scope.Benchmark)
    public static class BaselineState
    {
        Path directory;
        ChronicleQueue queue;
        ManyToOneRingBuffer requests;
        OneToOneRingBuffer responses;
        AgentRunner runner;
        final UnsafeBuffer event = new UnsafeBuffer(new byte[EVENT_LENGTH]);
        final UnsafeBuffer answer = new UnsafeBuffer(new byte[AccountLedger.RESULT_LENGTH]);
        long received;
        final MessageHandler onResponse = (type, buffer, index, length) -> received++;

        @Setup(Level.Trial)
        public void open()
        {
            directory = LogFixture.newDirectory("baseline");
            queue = LogFixture.openRawQueue(directory, null);
            requests = new ManyToOneRingBuffer(new UnsafeBuffer(
                ByteBuffer.allocateDirect((1 << 20) + RingBufferDescriptor.TRAILER_LENGTH)));
            responses = new OneToOneRingBuffer(new UnsafeBuffer(
                ByteBuffer.allocateDirect((1 << 20) + RingBufferDescriptor.TRAILER_LENGTH)));
            final ExcerptAppender appender = queue.createAppender();
            final LogFixture fixture = new LogFixture();
            final MessageHandler onRequest = (type, buffer, index, length) ->
            {
                fixture.appendRaw(appender); // the same bytes as the log's entry for a 64-byte event
                responses.write(1, answer, 0, answer.capacity());
            };
            runner = new AgentRunner(new BusySpinIdleStrategy(), Throwable::printStackTrace, null, new Agent()
            {
                public int doWork()
                {
                    return requests.read(onRequest);
                }

                public String roleName()
                {
                    return "baseline-echo";
                }
            });
            AgentRunner.startOnThread(runner);
        }

        @TearDown(Level.Trial)
        public void close()
        {
            CloseHelper.closeAll(runner, queue);
            LogFixture.delete(directory);
        }
    }

    @Benchmark
    public long submitToDurableAck(final NodeState state)
    {
        final long id = state.client.submit(state.event, 0, EVENT_LENGTH);
        while (state.lastCompleted != id)
        {
            state.client.poll(state.listener, 1);
        }
        return id;
    }

    @Benchmark
    public long ringRoundTripPlusRawAppend(final BaselineState state)
    {
        final long expected = state.received + 1;
        while (!state.requests.write(1, state.event, 0, EVENT_LENGTH))
        {
            Thread.onSpinWait();
        }
        while (state.received != expected)
        {
            state.responses.read(state.onResponse, 1);
        }
        return expected;
    }
}
