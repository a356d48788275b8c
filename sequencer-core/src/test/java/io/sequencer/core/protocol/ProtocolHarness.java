package io.sequencer.core.protocol;

import io.sequencer.core.Checksum;
import io.sequencer.core.ClusterConfig;
import io.sequencer.core.Durability;
import io.sequencer.core.EntryType;
import io.sequencer.core.LogEntry;
import io.sequencer.core.NodeMode;
import io.sequencer.core.ProtocolContext;
import io.sequencer.core.SnapshotReader;
import io.sequencer.core.SnapshotWriter;
import io.sequencer.core.StateMachine;
import io.sequencer.core.memory.InMemoryCheckpointStore;
import io.sequencer.core.memory.InMemoryEventLog;
import io.sequencer.core.memory.InMemoryNodeStore;
import io.sequencer.core.codec.ClusterNodesFrame;
import io.sequencer.core.codec.MyOrderCounterFrame;
import io.sequencer.core.codec.MySerializeCounterFrame;
import io.sequencer.core.codec.NewEventFrame;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One protocol under test, fed hand-made frames from imaginary peers, with everything it emits recorded.
 */
final class ProtocolHarness
{
    static final int CLUSTER_ID = 42;

    record Completed(long correlationId, long position, int status, byte[] result)
    {
    }

    final ClusterConfig cluster;
    final InMemoryEventLog log = new InMemoryEventLog();
    final InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();
    final InMemoryNodeStore store = new InMemoryNodeStore();
    final RecordingTransport transport = new RecordingTransport();
    final List<Completed> completed = new ArrayList<>();
    final List<Throwable> errors = new ArrayList<>();
    final SequencerProtocol protocol;
    final UnsafeBuffer frame = new UnsafeBuffer(new byte[8192]);
    final UnsafeBuffer event = new UnsafeBuffer(new byte[8192]);
    /** Applies an event by returning its position; replaced by tests that need another behaviour. */
    Apply apply = (position, ev, offset, length, result, resultOffset) ->
    {
        result.putLong(resultOffset, position);
        return Long.BYTES;
    };

    @FunctionalInterface
    interface Apply
    {
        int apply(long position, DirectBuffer event, int offset, int length, MutableDirectBuffer result, int at);
    }

    /** A state machine whose state is the number of events applied. */
    final class CountingStateMachine implements StateMachine
    {
        long applied;

        public int apply(final long position, final DirectBuffer event, final int offset, final int length,
            final MutableDirectBuffer result, final int resultOffset)
        {
            applied++;
            return ProtocolHarness.this.apply.apply(position, event, offset, length, result, resultOffset);
        }

        public void reset()
        {
            applied = 0;
        }

        public void snapshot(final SnapshotWriter out)
        {
            out.writeLong(applied);
        }

        public void restore(final SnapshotReader in)
        {
            applied = in.readLong();
        }
    }

    final CountingStateMachine stateMachine = new CountingStateMachine();
    long nowNs;

    ProtocolHarness(final int members, final int self)
    {
        this(members, self, Durability.NONE);
    }

    ProtocolHarness(final int members, final int self, final Durability durability)
    {
        cluster = ClusterConfig.ofSize(CLUSTER_ID, members);
        final ProtocolContext context = new ProtocolContext()
            .cluster(cluster).memberId(self).durability(durability).maxEventLength(1024).maxInFlight(4)
            .bootstrap(true).errorHandler(errors::add);
        protocol = new SequencerProtocol(
            context, log, checkpoints, store, stateMachine, transport,
            (correlationId, position, status, result, offset, length) ->
            {
                final byte[] copy = new byte[length];
                result.getBytes(offset, copy);
                completed.add(new Completed(correlationId, position, status, copy));
            });
        bootstrapFirstEpoch();
    }

    /**
     * Take the new cluster through its first epoch change (B1–B6) with the imaginary peers' help: their reports to
     * a coordinating self, or the coordinator's decision, then one aligned peer's report.
     */
    private void bootstrapFirstEpoch()
    {
        protocol.start(nowNs);
        final int members = cluster.size();
        if (members > 1)
        {
            final int coordinator = cluster.memberId((int)(protocol.currentEpoch() % members));
            if (coordinator == protocol.memberId())
            {
                for (int j = 0; j < members; j++)
                {
                    if (cluster.memberId(j) != protocol.memberId())
                    {
                        report(cluster.memberId(j), 0, 0, Checksum.EMPTY, 0);
                    }
                }
            }
            else
            {
                clusterNodes(coordinator, protocol.currentEpoch(), 0, Checksum.EMPTY, cluster.allMask(), coordinator);
            }
        }
        work();
        if (members > 1)
        {
            final int peer = cluster.memberId(protocol.memberId() == cluster.memberId(0) ? 1 : 0);
            report(peer, 0, 1);
            work();
        }
        if (protocol.mode() != NodeMode.RUNNING)
        {
            throw new IllegalStateException("harness could not bring the node to running: " + protocol.mode() +
                "/" + protocol.bootPhase());
        }
        transport.published.clear();
    }

    void clusterNodes(final int from, final long epoch, final long n, final long chkAtN, final int activeMask,
        final int baseOwner)
    {
        final ClusterNodesFrame f = new ClusterNodesFrame().encode(
            frame, 0, from, CLUSTER_ID, epoch, epoch, n, chkAtN, cluster.memberIds(), cluster.size(), activeMask,
            baseOwner);
        deliver(frame, f.encodedLength());
    }

    int submit(final long correlationId, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            event.putByte(i, (byte)(correlationId + i));
        }
        return protocol.submit(correlationId, event, 0, length);
    }

    void work()
    {
        protocol.doWork(nowNs);
    }

    void advance(final long ns)
    {
        nowNs += ns;
        protocol.doWork(nowNs);
    }

    void newEvent(final int from, final long counter, final long localSeq)
    {
        final NewEventFrame f = new NewEventFrame().encode(
            frame, 0, from, CLUSTER_ID, protocol.currentEpoch(), 1, localSeq, counter, EntryType.EVENT,
            1_000 + counter, event, 0, 8);
        deliver(frame, f.encodedLength());
    }

    void promise(final int from, final long counter)
    {
        final MyOrderCounterFrame f = new MyOrderCounterFrame().encode(
            frame, 0, from, CLUSTER_ID, protocol.currentEpoch(), counter);
        deliver(frame, f.encodedLength());
    }

    /** A report from {@code from} claiming our own log's content up to {@code have}. */
    void report(final int from, final long guaranteed, final long have)
    {
        report(from, guaranteed, have, log.chkAt(have), protocol.currentEpoch());
    }

    void report(final int from, final long guaranteed, final long have, final long chk, final long lastNormalEpoch)
    {
        final MySerializeCounterFrame f = new MySerializeCounterFrame().encode(
            frame, 0, from, CLUSTER_ID, protocol.currentEpoch(), guaranteed, have, chk, lastNormalEpoch, true, 0);
        deliver(frame, f.encodedLength());
    }

    void deliver(final DirectBuffer buffer, final int length)
    {
        protocol.onFrame(buffer, 0, length);
    }

    /** The origin ids of the event entries in the log, in order. */
    List<Integer> logOrigins()
    {
        final List<Integer> origins = new ArrayList<>();
        final LogEntry entry = new LogEntry();
        for (long p = 1; p <= log.have(); p++)
        {
            log.read(p, entry);
            if (entry.type() == EntryType.EVENT)
            {
                origins.add(entry.originId());
            }
        }
        return origins;
    }

    /** The counters of the event entries in the log, in order. */
    List<Long> logCounters()
    {
        final List<Long> counters = new ArrayList<>();
        final LogEntry entry = new LogEntry();
        for (long p = 1; p <= log.have(); p++)
        {
            log.read(p, entry);
            if (entry.type() == EntryType.EVENT)
            {
                counters.add(entry.counter());
            }
        }
        return counters;
    }
}
