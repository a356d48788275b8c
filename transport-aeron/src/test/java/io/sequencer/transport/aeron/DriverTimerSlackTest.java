package io.sequencer.transport.aeron;

import io.aeron.driver.ThreadingMode;
import io.sequencer.core.ClusterConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The embedded driver's threads take the transport's timer slack ({@link AeronTransportContext#timerSlackNs}). */
class DriverTimerSlackTest
{
    @Test
    void theEmbeddedDriversThreadsTakeTheConfiguredSlackOrKeepTheirStartersWithZero() throws Exception
    {
        assumeTrue(Files.isSymbolicLink(Path.of("/proc/thread-self")), "skipped: not Linux");
        // configured: each of the driver's threads sets its own, whatever the slack of the thread that started it
        final AeronTransport dedicated = launchFrom(4_322, context(ThreadingMode.DEDICATED).timerSlackNs(4_321));
        try
        {
            assertTrue(threadsWithSlack(4_321) >= 3, "conductor, sender and receiver: " + threadsWithSlack(4_321));
        }
        finally
        {
            dedicated.close();
        }
        // 0: they keep the slack of the thread that started the transport, as any thread does
        final AeronTransport shared = launchFrom(4_323, context(ThreadingMode.SHARED).timerSlackNs(0));
        try
        {
            assertTrue(threadsWithSlack(4_323) >= 1, "the shared driver thread: " + threadsWithSlack(4_323));
        }
        finally
        {
            shared.close();
        }
    }

    /** Launch the transport from a thread of its own whose timer slack is {@code slackNs}. */
    private static AeronTransport launchFrom(final long slackNs, final AeronTransportContext context)
        throws InterruptedException
    {
        final AeronTransport[] launched = new AeronTransport[1];
        final Thread starter = new Thread(() ->
        {
            assertTrue(io.sequencer.core.runtime.TimerSlack.set(slackNs), "the starter's slack");
            launched[0] = AeronTransport.launch(context);
        });
        starter.start();
        starter.join();
        assertTrue(launched[0] != null, "launched");
        return launched[0];
    }

    private static AeronTransportContext context(final ThreadingMode threading)
    {
        final ClusterConfig cluster = ClusterConfig.ofSize(TestNetwork.clusterId(), 1);
        return TestNode.transportContext(cluster, 0, TestNetwork.multicastChannel(), TestNetwork.streamId(),
            new int[] {TestNetwork.freeUdpPort()}).threadingMode(threading);
    }

    /** This process's threads whose timer slack is {@code nanos}. */
    private static long threadsWithSlack(final long nanos)
    {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task")))
        {
            return tasks.filter(task -> slackOf(task.getFileName().toString()) == nanos).count();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static long slackOf(final String tid)
    {
        try
        {
            return Long.parseLong(Files.readString(Path.of("/proc", tid, "timerslack_ns")).trim());
        }
        catch (final IOException | NumberFormatException ex)
        {
            return -1; // a thread that ended meanwhile
        }
    }
}
