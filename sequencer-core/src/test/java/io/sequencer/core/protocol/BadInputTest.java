package io.sequencer.core.protocol;

import io.sequencer.core.EntryType;
import io.sequencer.core.NodeMode;
import io.sequencer.core.SubmitStatus;
import io.sequencer.core.codec.DelNodeFrame;
import io.sequencer.core.codec.DropReason;
import io.sequencer.core.codec.MessageType;
import io.sequencer.core.codec.MyOrderCounterFrame;
import io.sequencer.core.codec.NewEventFrame;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input is dropped and counted, one counter per reason, and changes nothing; a bad submit is refused whole.
 */
class BadInputTest
{
    private final ProtocolHarness h = new ProtocolHarness(3, 0);
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[256]);

    private void assertNothingChanged()
    {
        assertEquals(0, h.protocol.clock());
        assertEquals(0, h.protocol.pendingCount());
        assertEquals(0, h.protocol.promise(1));
        assertEquals(0, h.protocol.promise(2));
        assertEquals(1, h.log.have());
    }

    private int newEvent(final int sender, final int clusterId, final long epoch, final long counter)
    {
        return new NewEventFrame().encode(frame, 0, sender, clusterId, epoch, 1, 1, counter, EntryType.EVENT, 0,
            h.event, 0, 8)
            .encodedLength();
    }

    @Test
    void wrongClusterIsDropped()
    {
        h.deliver(frame, newEvent(1, ProtocolHarness.CLUSTER_ID + 1, 1, 5));
        h.deliver(frame, newEvent(2, ProtocolHarness.CLUSTER_ID + 1, 1, 5));
        assertEquals(2, h.protocol.counters().dropped(DropReason.WRONG_CLUSTER));
        assertNothingChanged();
        assertEquals(java.util.List.of("member 0 of cluster " + ProtocolHarness.CLUSTER_ID + " hears frames of " +
            "cluster " + (ProtocolHarness.CLUSTER_ID + 1) + " (from member 1): another cluster shares this channel " +
            "and port, or a member's cluster.id differs from the others'; they are dropped (counter \"frames " +
            "dropped: wrong cluster\")"), h.errors.stream().map(Throwable::getMessage).toList(), "once a cluster");
    }

    /**
     * A member configured with another member list or durability: its frames are dropped whatever they say, before
     * its sender is checked (a member another list leaves out is named, not counted as a stranger), and the error log
     * names both configurations once. A frame that does not say (0, as the codecs write it) is taken as ever.
     */
    @Test
    void aSenderWithAnotherConfigurationIsDroppedAndNamedOnce()
    {
        for (final int sender : new int[] { 1, 7 })
        {
            for (int i = 0; i < 3; i++)
            {
                final int length = newEvent(sender, ProtocolHarness.CLUSTER_ID, 1, 5);
                io.sequencer.core.codec.FrameHeader.configuration(frame, 0,
                    new io.sequencer.core.ClusterConfig(ProtocolHarness.CLUSTER_ID, 0, sender).membersWord());
                h.deliver(frame, length);
            }
        }
        assertEquals(6, h.protocol.counters().dropped(DropReason.OTHER_CONFIGURATION), "three frames of each");
        assertEquals(0, h.protocol.counters().dropped(DropReason.UNKNOWN_SENDER));
        assertNothingChanged();
        // the same list under another durability: a batch member must not count this one's unforced reports
        final int batch = newEvent(1, ProtocolHarness.CLUSTER_ID, 1, 5);
        io.sequencer.core.codec.FrameHeader.configuration(frame, 0,
            h.protocol.cluster().configurationWord(io.sequencer.core.Durability.BATCH));
        h.deliver(frame, batch);
        assertEquals(7, h.protocol.counters().dropped(DropReason.OTHER_CONFIGURATION));
        assertEquals(java.util.List.of(
            "member 0 runs with members 0,1,2, durability none; member 1 with members 0,1, durability none: every " +
                "member's cluster.members and durability must be the same; its frames are dropped (counter " +
                "\"frames dropped: other configuration\")",
            "member 0 runs with members 0,1,2, durability none; member 7 with members 0,7, durability none: every " +
                "member's cluster.members and durability must be the same; its frames are dropped (counter " +
                "\"frames dropped: other configuration\")",
            "member 0 runs with members 0,1,2, durability none; member 1 with members 0,1,2, durability batch: " +
                "every member's cluster.members and durability must be the same; its frames are dropped (counter " +
                "\"frames dropped: other configuration\")"),
            h.errors.stream().map(Throwable::getMessage).toList());

        final int length = newEvent(1, ProtocolHarness.CLUSTER_ID, 1, 5);
        io.sequencer.core.codec.FrameHeader.configuration(frame, 0,
            h.protocol.cluster().configurationWord(io.sequencer.core.Durability.NONE));
        h.deliver(frame, length);
        assertEquals(1, h.protocol.pendingCount(), "the same frame with this member's configuration is taken");
    }

    /**
     * Forged lists (authentication off) only count: a list no configuration could hold, or one that leaves out its own
     * sender, is not reported, and after {@link FrameDispatch#MAX_OTHER_CONFIGURATION_REPORTS} reports nothing more
     * is, so the error log keeps room for the real errors.
     */
    @Test
    void forgedMemberListsFillNoErrorLog()
    {
        for (final int members : new int[] { 0x01FFFFFF, 0x02050500, 0x04000102,
            new io.sequencer.core.ClusterConfig(ProtocolHarness.CLUSTER_ID, 0, 2).membersWord() })
        {
            final int length = newEvent(1, ProtocolHarness.CLUSTER_ID, 1, 5);
            io.sequencer.core.codec.FrameHeader.configuration(frame, 0, members);
            h.deliver(frame, length);
        }
        assertEquals(4, h.protocol.counters().dropped(DropReason.OTHER_CONFIGURATION));
        assertEquals(0, h.errors.size(), h.errors.toString());
        for (int sender = 10; sender < 40; sender++)
        {
            final int length = newEvent(sender, ProtocolHarness.CLUSTER_ID, 1, 5);
            io.sequencer.core.codec.FrameHeader.configuration(frame, 0,
                new io.sequencer.core.ClusterConfig(ProtocolHarness.CLUSTER_ID, 0, sender).membersWord());
            h.deliver(frame, length);
        }
        assertEquals(34, h.protocol.counters().dropped(DropReason.OTHER_CONFIGURATION));
        assertEquals(FrameDispatch.MAX_OTHER_CONFIGURATION_REPORTS, h.errors.size());
        assertNothingChanged();
    }

    @Test
    void senderOutsideTheConfigurationIsDropped()
    {
        h.deliver(frame, newEvent(7, ProtocolHarness.CLUSTER_ID, 1, 5));
        assertEquals(1, h.protocol.counters().dropped(DropReason.UNKNOWN_SENDER));
        assertNothingChanged();
    }

    @Test
    void staleEpochIsDropped()
    {
        h.deliver(frame, newEvent(1, ProtocolHarness.CLUSTER_ID, 0, 5));
        assertEquals(1, h.protocol.counters().dropped(DropReason.STALE_EPOCH));
        assertNothingChanged();
    }

    @Test
    void higherEpochIsAdoptedExactly()
    {
        h.deliver(frame, newEvent(1, ProtocolHarness.CLUSTER_ID, 3, 5));
        assertEquals(1, h.protocol.counters().epochAdoptions());
        assertEquals(3, h.protocol.currentEpoch(), "the sender's epoch, not one above it");
        assertEquals(NodeMode.BOOT, h.protocol.mode());
        assertEquals(1, h.protocol.pendingCount(), "its traffic is kept until the decision");
        assertEquals(1, h.log.have());
    }

    @Test
    void implausibleEpochIsDroppedNotAdopted()
    {
        h.deliver(frame, newEvent(1, ProtocolHarness.CLUSTER_ID, Long.MAX_VALUE - 1, 5));
        h.deliver(frame, newEvent(1, ProtocolHarness.CLUSTER_ID, -3, 5));
        assertEquals(2, h.protocol.counters().dropped(DropReason.BAD_FIELD));
        assertEquals(1, h.protocol.currentEpoch());
        assertEquals(NodeMode.RUNNING, h.protocol.mode());
        h.protocol.onMemberUnavailable(2);
        assertEquals(NodeMode.BOOT, h.protocol.mode(), "and it still works: member 2 is active, so it goes");
    }

    @Test
    void truncatedAndGarbageFramesAreDroppedWithoutException()
    {
        final int length = newEvent(1, ProtocolHarness.CLUSTER_ID, 1, 5);
        for (int cut = 0; cut < length; cut++)
        {
            h.deliver(frame, cut);
        }
        final SplittableRandom random = new SplittableRandom(7);
        final UnsafeBuffer garbage = new UnsafeBuffer(new byte[200]);
        for (int i = 0; i < 10_000; i++)
        {
            for (int k = 0; k < garbage.capacity(); k++)
            {
                garbage.putByte(k, (byte)random.nextInt());
            }
            h.protocol.onFrame(garbage, random.nextInt(200), random.nextInt(220));
        }
        assertEquals(length + 10_000L, h.protocol.counters().droppedTotal(), "every bad frame counted once");
        assertTrue(h.protocol.counters().dropped(DropReason.TRUNCATED) > 0);
        assertNothingChanged();
    }

    @Test
    void brokenPromiseIsDropped()
    {
        final int promiseLength = new MyOrderCounterFrame()
            .encode(frame, 0, 1, ProtocolHarness.CLUSTER_ID, 1, 10).encodedLength();
        h.deliver(frame, promiseLength);
        h.deliver(frame, newEvent(1, ProtocolHarness.CLUSTER_ID, 1, 10));
        assertEquals(1, h.protocol.counters().dropped(DropReason.PROMISE_BROKEN));
        assertEquals(0, h.protocol.pendingCount());
    }

    @Test
    void delNodeMovesTheNodeToTheProposedEpoch()
    {
        final int length = new DelNodeFrame().encode(frame, 0, 1, ProtocolHarness.CLUSTER_ID, 2, 2, 2).encodedLength();
        h.deliver(frame, length);
        assertEquals(2, h.protocol.currentEpoch());
        assertEquals(NodeMode.BOOT, h.protocol.mode());
        assertEquals(1, h.protocol.counters().framesIn(MessageType.DEL_NODE));
        assertEquals(SubmitStatus.NOT_RUNNING, h.submit(1, 8), "no submits during the epoch change");
    }

    @Test
    void decisionFromAnyoneButTheCoordinatorIsIgnored()
    {
        h.deliver(frame, new DelNodeFrame().encode(frame, 0, 1, ProtocolHarness.CLUSTER_ID, 2, 2, 2).encodedLength());
        // coordinator(2) is member 2; member 1 pretends to decide
        h.clusterNodes(1, 2, 1, h.log.chkAt(1), h.cluster.allMask(), 1);
        assertEquals(NodeMode.BOOT, h.protocol.mode());
        assertEquals(BootPhase.COLLECTING, h.protocol.bootPhase());
        assertEquals(1, h.protocol.counters().dropped(DropReason.UNEXPECTED));
    }

    @Test
    void ownFramesLoopedBackAreIgnored()
    {
        h.deliver(frame, newEvent(0, ProtocolHarness.CLUSTER_ID, 1, 5));
        assertEquals(0, h.protocol.counters().droppedTotal());
        assertNothingChanged();
    }

    @Test
    void oversizeEventIsRefusedWhole()
    {
        assertEquals(SubmitStatus.TOO_LARGE, h.submit(1, 1025));
        assertEquals(SubmitStatus.ACCEPTED, h.submit(2, 1024), "the maximum itself is fine");
        assertEquals(1, h.protocol.clock());
        assertEquals(1, h.protocol.pendingCount());
        assertEquals(1, h.transport.ofType(MessageType.NEW_EVENT).size());
        assertEquals(1, h.protocol.counters().submitsRefused());
    }

    @Test
    void backPressuredChannelRefusesTheSubmitWhole()
    {
        h.transport.refuse = true;
        assertEquals(SubmitStatus.BACK_PRESSURED, h.submit(1, 8));
        assertNothingChanged();
        assertEquals(0, h.protocol.ownInFlight());

        h.transport.refuse = false;
        assertEquals(SubmitStatus.ACCEPTED, h.submit(1, 8));
        assertEquals(1, h.protocol.clock());
    }

    @Test
    void tooManyInFlightIsBackPressure()
    {
        for (int i = 0; i < 4; i++)
        {
            assertEquals(SubmitStatus.ACCEPTED, h.submit(i, 8));
        }
        assertEquals(SubmitStatus.BACK_PRESSURED, h.submit(5, 8), "maxInFlight is 4");
        assertEquals(4, h.protocol.ownInFlight());
    }

    @Test
    void promiseAndReportRetriedAfterBackPressure()
    {
        h.newEvent(1, 3, 1);
        h.promise(2, 3);
        h.transport.refuse = true;
        h.work();
        assertEquals(0, h.transport.published.size());
        assertTrue(h.protocol.counters().publishBackPressure() > 0);
        h.transport.refuse = false;
        h.work();
        assertEquals(1, h.transport.ofType(MessageType.MY_ORDER_COUNTER).size(), "the promise went out on retry");
        assertEquals(1, h.transport.ofType(MessageType.MY_SERIALIZE_COUNTER).size(), "and the report");
    }
}
