package io.sequencer.core.protocol;

import io.sequencer.core.codec.ClusterNodesFrame;
import io.sequencer.core.codec.DelNodeFrame;
import io.sequencer.core.codec.FetchFrame;
import io.sequencer.core.codec.MessageType;
import io.sequencer.core.codec.MyOrderCounterFrame;
import io.sequencer.core.codec.MySerializeCounterFrame;
import io.sequencer.core.codec.NewEventFrame;
import io.sequencer.core.codec.NewNodeFrame;
import io.sequencer.core.codec.FrameHeader;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Encodes every frame this member originates into the protocol's send buffer and hands it to the transport, with
 * this member's header (its id, the cluster, the current epoch), the counters and the time of the last send. Its
 * encoders are its own: the parts decode with theirs. (The serving side's {@code Entries} and {@code Snapshot} frames
 * are encoded by {@link EntriesServing} and {@link SnapshotServing}, which fill their own buffers a window at a time.)
 * Duty cycle only; allocates nothing.
 */
final class FramePublisher
{
    private final NewEventFrame newEvent = new NewEventFrame();
    private final MyOrderCounterFrame orderCounter = new MyOrderCounterFrame();
    private final MySerializeCounterFrame serializeCounter = new MySerializeCounterFrame();
    private final DelNodeFrame delNode = new DelNodeFrame();
    private final NewNodeFrame newNode = new NewNodeFrame();
    private final ClusterNodesFrame clusterNodes = new ClusterNodesFrame();
    private final FetchFrame fetch = new FetchFrame();
    private final SequencerProtocol p;

    FramePublisher(final SequencerProtocol protocol)
    {
        this.p = protocol;
    }

    /**
     * R1: encode an own {@code NewEvent} (sent by {@link ProtocolRules#publishOwnEvent}, which decides when).
     *
     * @return its length at the start of the send buffer.
     */
    int encodeNewEvent(
        final long localSeq, final long counter, final int entryType, final long timestamp,
        final DirectBuffer event, final int offset, final int length)
    {
        newEvent.encode(p.sendBuffer, 0, p.selfId, p.clusterId, p.currentEpoch, p.incarnation, localSeq, counter,
            entryType, timestamp, event, offset, length);
        return newEvent.encodedLength();
    }

    /** R2/R4: the promise {@code MyOrderCounter(clock)}, with the hears mask. */
    boolean orderCounter(final long clock, final int hearsMask)
    {
        orderCounter.encode(p.sendBuffer, 0, p.selfId, p.clusterId, p.currentEpoch, clock).hearsMask(hearsMask);
        return publish(MessageType.MY_ORDER_COUNTER, orderCounter.encodedLength());
    }

    /** R7/B2: the report {@code MySerializeCounter}, with the hears mask and the flags that qualify it. */
    boolean serializeCounter(
        final long guaranteed, final long have, final long chkAtHave, final long lastNormalEpoch, final boolean intact,
        final long progress, final int hearsMask, final boolean fresh, final boolean holdsEvents,
        final boolean undecided)
    {
        serializeCounter.encode(p.sendBuffer, 0, p.selfId, p.clusterId, p.currentEpoch, guaranteed, have, chkAtHave,
            lastNormalEpoch, intact, progress).hearsMask(hearsMask);
        if (fresh)
        {
            serializeCounter.fresh();
        }
        if (holdsEvents)
        {
            serializeCounter.holdsEvents();
        }
        if (undecided)
        {
            serializeCounter.undecided();
        }
        return publish(MessageType.MY_SERIALIZE_COUNTER, serializeCounter.encodedLength());
    }

    /** R10: {@code DelNode} of the member at {@code index}, suspected: sent in {@code epoch}, the one it proposes. */
    boolean delNode(final int index, final long epoch)
    {
        delNode.encode(p.sendBuffer, 0, p.selfId, p.clusterId, epoch, p.memberIds[index], epoch);
        return publish(MessageType.DEL_NODE, delNode.encodedLength());
    }

    /** B6: {@code NewNode}, this member asking to be admitted, with what it holds. */
    boolean newNode(final long serSelf)
    {
        newNode.encode(p.sendBuffer, 0, p.selfId, p.clusterId, p.currentEpoch, p.selfId, p.incarnation,
            p.currentEpoch, serSelf, p.lastNormalEpoch);
        return publish(MessageType.NEW_NODE, newNode.encodedLength());
    }

    /** B4: this epoch's one decision, {@code ClusterNodes}. */
    boolean clusterNodes(final long n, final long chkAtN, final int activeMask, final int baseOwnerIndex)
    {
        clusterNodes.encode(p.sendBuffer, 0, p.selfId, p.clusterId, p.currentEpoch, p.currentEpoch, n, chkAtN,
            p.memberIds, p.memberCount, activeMask, p.memberIds[baseOwnerIndex]);
        return publish(MessageType.CLUSTER_NODES, clusterNodes.encodedLength());
    }

    /**
     * B5: {@code Fetch} of the entries {@code from..to} from the member at {@code sourceIndex}: of the base owner
     * ({@link FetchFrame#ENTRIES}), or of a member that serves them only if aligned to the epoch
     * ({@link FetchFrame#ENTRIES_OF_EPOCH}).
     */
    boolean fetchEntries(final int sourceIndex, final long from, final long to)
    {
        fetch.encode(p.sendBuffer, 0, p.selfId, p.clusterId, p.currentEpoch, p.memberIds[sourceIndex],
            sourceIndex == p.baseOwner ? FetchFrame.ENTRIES : FetchFrame.ENTRIES_OF_EPOCH, from, to);
        return publish(MessageType.FETCH, fetch.encodedLength());
    }

    /**
     * §13: {@code Fetch} of a snapshot from the member at {@code ownerIndex}: {@code kind} is
     * {@link FetchFrame#SNAPSHOT} (a window from byte {@code from} of the snapshot at {@code position}, or an offer
     * when both are 0) or {@link FetchFrame#SNAPSHOT_DAMAGED}.
     */
    boolean fetchSnapshot(final int ownerIndex, final int kind, final long position, final long from)
    {
        fetch.encode(p.sendBuffer, 0, p.selfId, p.clusterId, p.currentEpoch, p.memberIds[ownerIndex], kind,
            position, from);
        return publish(MessageType.FETCH, fetch.encodedLength());
    }

    /**
     * Hand the frame of {@code type} at the start of the send buffer to the transport, stamped with this member's
     * configuration ({@code FrameHeader.CONFIGURATION_OFFSET}), counting it, or the back pressure that refused it.
     */
    boolean publish(final int type, final int length)
    {
        return publish(type, p.sendBuffer, 0, length);
    }

    /** {@link #publish(int, int)} for a frame at {@code offset} of {@code buffer}. */
    boolean publish(final int type, final MutableDirectBuffer buffer, final int offset, final int length)
    {
        FrameHeader.configuration(buffer, offset, p.configurationWord);
        if (p.transport.publish(buffer, offset, length))
        {
            p.counters.frameOut(type);
            p.lastSentNs = p.nowNs;
            return true;
        }
        p.counters.publishBackPressure++;
        return false;
    }
}
