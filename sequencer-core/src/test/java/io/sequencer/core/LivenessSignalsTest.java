package io.sequencer.core;

import io.sequencer.core.codec.MessageType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        h.work();
        h.transport.published.clear();
        final long interval = ProtocolContext.DEFAULT_HEARTBEAT_INTERVAL_NS;
        for (int i = 0; i < 10; i++)
        {
            h.advance(interval / 5);
        }
        assertEquals(2, h.transport.ofType(MessageType.MY_ORDER_COUNTER).size(), "two intervals, two heartbeats");
    }

    @Test
    void silentMemberIsSuspectedAfterTheFailureTimeoutAndClearedWhenHeard()
    {
        final ProtocolHarness h = new ProtocolHarness(3, 0);
        final long timeout = ProtocolContext.DEFAULT_FAILURE_TIMEOUT_NS;
        for (long t = 0; t <= timeout; t += timeout / 10)
        {
            h.promise(1, 0);
            h.advance(timeout / 10);
        }
        assertFalse(h.protocol.isSuspected(1));
        assertTrue(h.protocol.isSuspected(2), "member 2 never spoke");
        assertEquals(1, h.protocol.counters().suspicions());

        h.advance(timeout);
        assertEquals(2, h.protocol.counters().suspicions(), "member 1 now silent too; member 2 counted once");

        h.promise(2, 0);
        assertFalse(h.protocol.isSuspected(2), "heard again");
    }
}
