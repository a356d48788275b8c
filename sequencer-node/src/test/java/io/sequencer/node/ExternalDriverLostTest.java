package io.sequencer.node;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node whose transport is gone for good exits with code 1 and says why, instead of running on as a member that
 * neither orders nor reaches its peers: a one-member cluster on an external media driver, whose driver is SIGKILLed.
 * The node's Aeron client takes the driver for dead after {@code driver.timeout.ms} (5 s here) and closes, and the
 * node's duty cycle stops on it (AeronTransport.poll, SequencerAgent.stoppedBy).
 */
@Tag("slow") // more than about 8 s, or real processes: left out of the fast lane (README, "Tests")
class ExternalDriverLostTest
{
    @TempDir
    Path dir;

    private NodeCluster cluster;
    private Process driver;

    @AfterEach
    void killAll()
    {
        if (driver != null)
        {
            driver.destroyForcibly();
        }
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void aNodeWhoseDriverDiesExitsOneNamingWhy() throws Exception
    {
        final Path aeronDir = Path.of("/dev/shm").toFile().isDirectory() ?
            Files.createTempDirectory(Path.of("/dev/shm"), "sequencer-external-") : dir.resolve("aeron");
        try
        {
            driver = startDriver(aeronDir);
            cluster = new NodeCluster(dir, 1).writeConfig(Map.of(
                // not 1000: a driver JVM just started on a loaded machine stalled past 1 s once, and the node (rightly)
                // took it for dead before the test had seen it acknowledge
                "driver", "external", "aeron.dir", aeronDir.toString(), "driver.timeout.ms", "5000"));
            cluster.start(0, "--bootstrap", "--load", "50");
            cluster.awaitAcknowledging(0, 20, "the member acknowledging on the external driver");

            driver.destroyForcibly(); // SIGKILL: the driver's heartbeat stops
            final Process node = cluster.process(0);
            assertTrue(node.waitFor(30, TimeUnit.SECONDS), "the node exited once its driver was gone");
            final String err = Files.readString(dir.resolve("out-0.txt")); // standard error with standard output
            assertEquals(1, node.exitValue(), err);
            assertTrue(err.contains("duty cycle stopped") && err.contains("Aeron client is closed"), err);
        }
        finally
        {
            org.agrona.IoUtil.delete(aeronDir.toFile(), true);
        }
    }

    /** Aeron's own media driver in a JVM of its own, on {@code aeronDir}. */
    private Process startDriver(final Path aeronDir) throws Exception
    {
        final List<String> driverFlags = List.of("-Daeron.dir=" + aeronDir, "-Daeron.dir.delete.on.start=true",
            "-Daeron.threading.mode=SHARED", "-Daeron.shared.idle.strategy=sleep-ns");
        final List<String> command = ClassDataArchive.javaCommand(driverFlags, System.getProperty("java.class.path"),
            "io.aeron.driver.MediaDriver");
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(dir.resolve("driver.txt").toFile()).start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(aeronDir.resolve("cnc.dat")) || Files.size(aeronDir.resolve("cnc.dat")) == 0)
        {
            assertTrue(process.isAlive() && System.nanoTime() < deadline, "the media driver starting: " +
                (Files.exists(dir.resolve("driver.txt")) ? Files.readString(dir.resolve("driver.txt")) : ""));
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // polled to a deadline
        }
        return process;
    }
}
