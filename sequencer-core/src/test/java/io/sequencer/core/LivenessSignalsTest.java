package io.sequencer.core;

import io.sequencer.core.codec.DelNodeFrame;
import io.sequencer.core.codec.MessageType;
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
