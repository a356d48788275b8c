package io.sequencer.transport.aeron;

import io.sequencer.core.ClusterConfig;
import org.agrona.concurrent.AgentTerminationException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A transport whose Aeron client closed under it (a media driver that timed the client out: a process paused past
 * Aeron's timeouts came back so) stops its member's duty cycle with a reason, instead of running on deaf and mute; and
 * an embedded driver and its client wait for each other as long as the process may be paused.
 */
class ClientClosedTest
{
    private static AeronTransport launchOneMember()
    {
        final ClusterConfig cluster = ClusterConfig.ofSize(TestNetwork.clusterId(), 1);
        return AeronTransport.launch(TestNode.transportContext(
            cluster, 0, TestNetwork.multicastChannel(), TestNetwork.streamId(), new int[] {TestNetwork.freeUdpPort()}));
    }

    @Test
    void aClosedClientEndsTheDutyCycleWithItsReason()
    {
        final AeronTransport transport = launchOneMember();
        try
        {
            final io.sequencer.core.FrameHandler ignore = (buffer, offset, length) ->
            {
            };
            transport.poll(ignore, 16); // open, it polls
            transport.client().close();
            final AgentTerminationException stopped = assertThrows(AgentTerminationException.class,
                () -> transport.poll(ignore, 16));
            assertTrue(stopped.getMessage().contains("Aeron client is closed"), stopped.getMessage());
        }
        finally
        {
            transport.close();
        }
    }

    @Test
    void anEmbeddedDriverAndItsClientWaitForEachOtherThroughALongPause()
    {
        final AeronTransport transport = launchOneMember();
        try
        {
            // the client's service interval limit is the driver's client liveness timeout, read from the CnC file
            assertEquals(AeronTransport.EMBEDDED_PAUSE_TOLERANCE_NS, transport.client().context().driverTimeoutMs() *
                TimeUnit.MILLISECONDS.toNanos(1));
            assertTrue(AeronTransport.EMBEDDED_PAUSE_TOLERANCE_NS >= TimeUnit.HOURS.toNanos(1));
        }
        finally
        {
            transport.close();
        }
    }
}
