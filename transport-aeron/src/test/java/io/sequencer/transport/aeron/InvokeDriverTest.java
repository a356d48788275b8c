package io.sequencer.transport.aeron;

import io.aeron.driver.ThreadingMode;
import io.sequencer.core.ClusterConfig;
import io.sequencer.core.FrameHandler;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Under {@code INVOKER} a transport's driver runs only when someone runs it: {@link AeronTransport#invokeDriver} lets
 * the thread that holds a transport between its start and its first duty cycle answer the peers meanwhile (a member's
 * start: DurableMember). Without it a peer's stream to the member stays unanswered.
 */
class InvokeDriverTest
{
    private static final FrameHandler IGNORED = (buffer, offset, length) ->
    {
    };

    @Test
    void aPeerStreamIsAnsweredOnceTheDriverIsInvokedAndNotBefore()
    {
        final ClusterConfig cluster = ClusterConfig.ofSize(TestNetwork.clusterId(), 2);
        final String channel = TestNetwork.multicastChannel();
        final int streamId = TestNetwork.streamId();
        final int[] ports = {TestNetwork.freeUdpPort(), TestNetwork.freeUdpPort()};
        try (AeronTransport idle = AeronTransport.launch(TestNode.transportContext(cluster, cluster.memberId(0),
                channel, streamId, ports).threadingMode(ThreadingMode.INVOKER));
            AeronTransport running = AeronTransport.launch(TestNode.transportContext(cluster, cluster.memberId(1),
                channel, streamId, ports).threadingMode(ThreadingMode.INVOKER)))
        {
            final int idleId = cluster.memberId(0);
            // Only the running member's driver runs: its catch-up stream to the other gets no status message back.
            final long quietUntilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            while (System.nanoTime() - quietUntilNs < 0)
            {
                running.poll(IGNORED, 16);
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
            }
            assertFalse(running.isCatchUpConnected(idleId), "a driver nobody runs answers nothing");

            // The other's driver run on its own, as a member's start thread runs it until its duty cycle takes over.
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!running.isCatchUpConnected(idleId) && System.nanoTime() - deadlineNs < 0)
            {
                idle.invokeDriver();
                running.poll(IGNORED, 16);
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
            }
            assertTrue(running.isCatchUpConnected(idleId), "answered once its driver is invoked");
        }
    }

    @Test
    void underTheOtherThreadingModesItDoesNothing()
    {
        final ClusterConfig cluster = ClusterConfig.ofSize(TestNetwork.clusterId(), 1);
        try (AeronTransport transport = AeronTransport.launch(TestNode.transportContext(cluster, cluster.memberId(0),
            TestNetwork.multicastChannel(), TestNetwork.streamId(), new int[] {TestNetwork.freeUdpPort()})
            .threadingMode(ThreadingMode.SHARED)))
        {
            assertTrue(transport.invokeDriver() == 0, "the driver runs on its own thread");
        }
    }
}
