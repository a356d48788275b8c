package io.sequencer.core;

import io.sequencer.core.codec.DelNodeFrame;
import io.sequencer.core.codec.MessageType;
import io.sequencer.core.codec.MySerializeCounterFrame;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * R4 heartbeats and R10 suspicion.
 */
class LivenessSignalsTest
{
    @Test
    void idleNodeHeartbeatsEveryHeartbeatInterval()
    {
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        final long interval = ProtocolContext.DEFAULT_HEARTBEAT_INTERVAL_NS;
        for (int i = 0; i < 10; i++)
        {
            h.promise(1, 0);
            h.promise(2, 0);
            h.advance(interval / 5);
        }
        assertEquals(2, h.transport.ofType(MessageType.MY_ORDER_COUNTER).size(), "two intervals, two heartbeats");
        assertEquals(NodeMode.RUNNING, h.protocol.mode());
    }

    @Test
    void aCoordinatorFarBehindTheBaseHandsTheDecisionOn()
    {
        // B4: the coordinator is always in the set it decides, and a member of the set that still has to fetch holds
        // everyone's ordering; so a coordinator far behind hands the decision on instead (CatchUpFigures on real
        // processes: a restarted member 300,000 entries behind coordinated its own admission and stalled the others 4 s).
        final ProtocolHarness h = enterEpochCoordinatedBySelf(ProtocolContext.DEFAULT_ADMISSION_LAG + 100);
        final long epoch = h.protocol.currentEpoch();
        h.work();
        assertEquals(1, h.protocol.counters().farBehindHandOvers());
        assertEquals(epoch + 1, h.protocol.currentEpoch(), "handed on to the next epoch's coordinator");
        assertTrue(h.transport.ofType(MessageType.CLUSTER_NODES).isEmpty(), "no decision of its own");
    }

    @Test
    void aCoordinatorCloseToTheBaseDecides()
    {
        final ProtocolHarness h = enterEpochCoordinatedBySelf(ProtocolContext.DEFAULT_ADMISSION_LAG - 100);
        final long epoch = h.protocol.currentEpoch();
        h.work();
        assertEquals(0, h.protocol.counters().farBehindHandOvers());
        assertEquals(epoch, h.protocol.currentEpoch());
        assertEquals(1, h.transport.ofType(MessageType.CLUSTER_NODES).size(), "it decides, with itself in the set");
    }

    /** Member 0, running, adopts the next epoch it coordinates from reports of peers {@code ahead} entries ahead. */
    private static ProtocolHarness enterEpochCoordinatedBySelf(final long ahead)
    {
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        final long lastNormalEpoch = h.protocol.currentEpoch();
        final long epoch = (lastNormalEpoch / 3 + 1) * 3; // coordinator index 0: this member
        final long have = h.log.have() + ahead;
        for (int peer = 1; peer <= 2; peer++)
        {
            final MySerializeCounterFrame report = new MySerializeCounterFrame().encode(
                h.frame, 0, peer, ProtocolHarness.CLUSTER_ID, epoch, 0, have, 42, lastNormalEpoch, true, 0)
                .hearsMask(0b111);
            h.deliver(h.frame, report.encodedLength());
        }
        assertEquals(epoch, h.protocol.currentEpoch(), "adopted the peers' epoch");
        h.transport.published.clear();
        return h;
    }

    @Test
    void silentMemberIsRemovedThroughAnEpochChangeThatSkipsItsCoordinatorTurn()
    {
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        final long timeout = ProtocolContext.DEFAULT_FAILURE_TIMEOUT_NS;
        for (long t = 0; t < timeout; t += timeout / 10)
        {
            h.promise(1, 0);
            h.advance(timeout / 10);
        }
        assertEquals(NodeMode.RUNNING, h.protocol.mode(), "not yet: silence of exactly T_fd");
        h.promise(1, 0);
        h.advance(timeout / 10);

        assertTrue(h.protocol.isSuspected(2), "member 2 never spoke");
        assertFalse(h.protocol.isSuspected(1));
        assertEquals(1, h.protocol.counters().suspicions());
        assertEquals(NodeMode.BOOT, h.protocol.mode());
        final long epoch = h.protocol.currentEpoch();
        assertTrue(epoch > 1);
        assertNotEquals(2, (int)(epoch % 3), "an epoch whose coordinator is the silent member would stall");

        final List<UnsafeBuffer> delNodes = h.transport.ofType(MessageType.DEL_NODE);
        assertEquals(1, delNodes.size());
        final DelNodeFrame delNode = new DelNodeFrame();
        delNode.wrap(delNodes.get(0), 0, delNodes.get(0).capacity());
        assertEquals(2, delNode.identity());
        assertEquals(epoch, delNode.counter());
        assertEquals(epoch, delNode.epoch(), "sent in the new epoch, so receivers adopt it");
    }

    @Test
    void transportSignalOfALostStreamStartsAnEpochChangeAtOnce()
    {
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        h.protocol.onMemberUnavailable(1);
        assertEquals(NodeMode.BOOT, h.protocol.mode());
        assertTrue(h.protocol.isSuspected(1));
        assertEquals(1, h.protocol.counters().streamsLost());
    }
}
