package io.sequencer.transport.aeron;

import io.aeron.driver.ThreadingMode;
import io.sequencer.core.ClusterConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The embedded driver's threads take the transport's timer slack ({@link AeronTransportContext#timerSlackNs}). */
class DriverTimerSlackTest
{
    @Test
    void theEmbeddedDriversThreadsTakeTheConfiguredSlackAndNoneWithZero()
    {
        assumeTrue(Files.isSymbolicLink(Path.of("/proc/thread-self")), "skipped: not Linux");
        assertTrue(threadsWithSlack(4_321) + threadsWithSlack(4_322) == 0, "no thread has either slack yet");
        final AeronTransport dedicated = AeronTransport.launch(context(ThreadingMode.DEDICATED).timerSlackNs(4_321));
        try
        {
            // conductor, sender and receiver, each on a thread of its own
            assertEquals(3, threadsWithSlack(4_321), "the driver's threads");
        }
        finally
        {
            dedicated.close();
        }
        assertEquals(0, threadsWithSlack(4_321), "closed: its threads are gone");
        final AeronTransport shared = AeronTransport.launch(context(ThreadingMode.SHARED).timerSlackNs(0));
        try
        {
            assertEquals(0, threadsWithSlack(4_321) + threadsWithSlack(4_322), "0 leaves the slack alone");
        }
        finally
        {
            shared.close();
        }
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
