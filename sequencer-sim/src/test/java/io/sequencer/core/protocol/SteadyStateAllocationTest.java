package io.sequencer.core.protocol;

import io.sequencer.core.ClusterClock;
import io.sequencer.core.ClusterConfig;
import io.sequencer.core.CompletionHandler;
import io.sequencer.core.FrameHandler;
import io.sequencer.core.ProtocolContext;
import io.sequencer.core.SnapshotReader;
import io.sequencer.core.SnapshotWriter;
import io.sequencer.core.StateMachine;
import io.sequencer.core.SubmitStatus;
import io.sequencer.core.Transport;
import io.sequencer.core.memory.InMemoryCheckpointStore;
import io.sequencer.core.memory.InMemoryEventLog;
import io.sequencer.core.memory.InMemoryNodeStore;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The steady-state path — submit, publish, decode, order, serialize, apply, report, complete — allocates nothing
 * once warm. Three protocols on this thread exchange frames through preallocated Agrona ring buffers (so the test
 * harness itself allocates nothing) and the thread's allocated bytes are read before and after a measured run.
 */
class SteadyStateAllocationTest
{
    private static final int MEMBERS = 3;
    private static final int WARM_UP_EVENTS = 60_000;
    private static final int MEASURED_EVENTS = 30_000;
    private static final int MEASURED_WINDOWS = 3;

    /** A transport over one ring buffer per receiver: publish writes to every peer's ring. */
    private static final class RingTransport implements Transport
    {
        private final ManyToOneRingBuffer[] rings;
        private final int self;
        private FrameHandler handler;
        private final MessageHandler adapter = (msgTypeId, buffer, index, length) ->
            handler.onFrame(buffer, index, length);

        RingTransport(final ManyToOneRingBuffer[] rings, final int self)
        {
            this.rings = rings;
            this.self = self;
        }

        public boolean publish(final DirectBuffer buffer, final int offset, final int length)
        {
            for (int i = 0; i < rings.length; i++)
            {
                if (i != self && !rings[i].write(1, buffer, offset, length))
                {
                    throw new IllegalStateException("test ring full");
                }
            }
            return true;
        }

        public int poll(final FrameHandler handler, final int limit)
        {
            this.handler = handler;
            return rings[self].read(adapter, limit);
        }

        public void close()
        {
        }
    }

    private long completed;

    /** The synthetic time of the run, which the members' clocks read too (docs/protocol.md §12). */
    private long nowNs;

    /**
     * Sums the first long of every event; the result is the running sum. Each event re-arms one of 64 timers 20 µs of
     * cluster time ahead, and a timer that fires adds its id: timers are on the steady-state path too.
     */
    private static final class SumStateMachine implements StateMachine
    {
        private long sum;
        private ClusterClock clock;

        public void onStart(final ClusterClock clock)
        {
            this.clock = clock;
        }

        public int apply(final long position, final DirectBuffer event, final int offset, final int length,
            final MutableDirectBuffer result, final int resultOffset)
        {
            sum += event.getLong(offset);
            clock.scheduleTimer(sum & 63, clock.time() + 20_000);
            result.putLong(resultOffset, sum);
            return Long.BYTES;
        }

        public void onTimer(final long position, final long timerId, final long deadlineNs)
        {
            sum += timerId;
        }

        public void reset()
        {
            sum = 0;
        }

        public void snapshot(final SnapshotWriter out)
        {
            out.writeLong(sum);
        }

        public void restore(final SnapshotReader in)
        {
            sum = in.readLong();
        }
    }

    @Test
    void steadyStatePathAllocatesNothing()
    {
        final ClusterConfig cluster = ClusterConfig.ofSize(9, MEMBERS);
        final ManyToOneRingBuffer[] rings = new ManyToOneRingBuffer[MEMBERS];
        for (int i = 0; i < MEMBERS; i++)
        {
            rings[i] = new ManyToOneRingBuffer(new UnsafeBuffer(
                ByteBuffer.allocateDirect((1 << 22) + RingBufferDescriptor.TRAILER_LENGTH)));
        }
        final SequencerProtocol[] nodes = new SequencerProtocol[MEMBERS];
        final Transport[] transports = new Transport[MEMBERS];
        final FrameHandler[] handlers = new FrameHandler[MEMBERS];
        final StateMachine[] stateMachines = new StateMachine[MEMBERS];
        final CompletionHandler completions = (correlationId, position, status, result, offset, length) -> completed++;
        for (int i = 0; i < MEMBERS; i++)
        {
            transports[i] = new RingTransport(rings, i);
            stateMachines[i] = new SumStateMachine();
            // Checkpoints are not part of the steady state: none falls inside this run.
            nodes[i] = new SequencerProtocol(
                new ProtocolContext().cluster(cluster).memberId(i).maxInFlight(1024).bootstrap(true)
                    .checkpointInterval(1_000_000).epochClock(() -> nowNs),
                new InMemoryEventLog(400_000, 16 * 1024 * 1024), new InMemoryCheckpointStore(),
                new InMemoryNodeStore(), stateMachines[i], transports[i], completions);
            handlers[i] = nodes[i]::onFrame;
            nodes[i].start(0);
        }
        // member 0's snapshot thread follows its committed entries, stepped on this thread after the duty cycles
        final SequencerProtocol first = nodes[0];
        snapshotter = new Snapshotter(
            new ProtocolContext().cluster(cluster).memberId(0).checkpointInterval(1_000_000), new SumStateMachine(),
            new InMemoryCheckpointStore(),
            from -> new io.sequencer.sim.SimCommittedEntries(first.log(), first::guaranteed, from),
            () -> true, first::retainUpTo, first::checkpointNeeded, Throwable::printStackTrace);
        final UnsafeBuffer event = new UnsafeBuffer(new byte[64]);

        run(nodes, transports, handlers, event, WARM_UP_EVENTS, 0);
        final long probeCost = -allocatedBytes() + allocatedBytes(); // what reading the counter itself allocates
        // "Once warm": on a loaded machine the JIT may finish compiling a method (whose temporaries escape analysis
        // removes) only inside the first measured window, so up to MEASURED_WINDOWS windows are measured and one must
        // allocate nothing. An allocation on the path itself shows in every window and fails.
        final StringBuilder windows = new StringBuilder();
        long allocated = -1;
        for (int window = 0; window < MEASURED_WINDOWS && allocated != 0; window++)
        {
            final long allocatedBefore = allocatedBytes();
            final long completedBefore = completed;
            run(nodes, transports, handlers, event, MEASURED_EVENTS, WARM_UP_EVENTS + (long)window * MEASURED_EVENTS);
            allocated = allocatedBytes() - allocatedBefore - probeCost;
            assertEquals(MEASURED_EVENTS, completed - completedBefore, "every measured event completed");
            windows.append(windows.length() == 0 ? "" : ", ").append(allocated);
        }

        assertEquals(0, allocated, "bytes allocated on the steady-state path over each window of " + MEASURED_EVENTS +
            " events: " + windows);
        for (final SequencerProtocol node : nodes)
        {
            assertEquals(nodes[0].log().chkAt(nodes[0].log().have()), node.log().chkAt(node.log().have()));
        }
        assertTrue(nodes[0].counters().timersFired() > MEASURED_EVENTS / 64, "timers fired on the measured path: " +
            nodes[0].counters().timersFired());
        assertTrue(snapshotter.position() > WARM_UP_EVENTS, "the snapshot thread's path was measured too: at " +
            snapshotter.position());
        assertEquals(0, snapshotter.failures());
    }

    private Snapshotter snapshotter;

    private void run(
        final SequencerProtocol[] nodes,
        final Transport[] transports,
        final FrameHandler[] handlers,
        final UnsafeBuffer event,
        final int events,
        final long firstCorrelationId)
    {
        final long target = completed + events;
        int submitted = 0;
        long guard = 0;
        while (completed < target)
        {
            nowNs += 1_000;
            for (int i = 0; i < nodes.length; i++)
            {
                if (submitted < events && nodes[i].ownInFlight() < 64)
                {
                    event.putLong(0, submitted);
                    if (nodes[i].submit(firstCorrelationId + submitted, event, 0, event.capacity()) ==
                        SubmitStatus.ACCEPTED)
                    {
                        submitted++;
                    }
                }
                transports[i].poll(handlers[i], 64);
                nodes[i].doWork(nowNs);
            }
            snapshotter.doWork(nowNs);
            assertTrue(++guard < 10L * events + 100_000, "the cluster stopped making progress");
        }
    }

    private static long allocatedBytes()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        return threads.getThreadAllocatedBytes(Thread.currentThread().getId());
    }
}
