package io.sequencer.transport.aeron;

import io.sequencer.core.ClusterConfig;
import io.sequencer.core.RecoveredFault;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded driver's directory as a killed process leaves it: a process killed in its driver's first milliseconds
 * leaves a CnC file that was created and never initialised. Aeron's activity check throws on it ("created but not
 * initialised"), and every later start of the member failed that way until an operator deleted the file.
 */
class DriverDirectoryTest
{
    @Test
    void aCncFileThatWasNeverInitialisedIsReplacedAndReported() throws IOException
    {
        final AeronTransportContext context = context();
        final File directory = new File(context.aeronDirectoryName());
        assertTrue(directory.mkdirs());
        try (RandomAccessFile cnc = new RandomAccessFile(new File(directory, "cnc.dat"), "rw"))
        {
            cnc.setLength(1024 * 1024); // created and sized, its version still 0: the driver died before writing it
        }
        assertTakenOverAndReported(context, "never finished starting");
    }

    @Test
    void aDriverKilledAMomentAgoIsReplacedAndReported() throws Exception
    {
        final Process exited = new ProcessBuilder("true").start();
        assertTrue(exited.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        final AeronTransportContext context = context();
        final long nowMs = System.currentTimeMillis();
        writeCnc(new File(context.aeronDirectoryName()), exited.pid(), nowMs - 200, nowMs); // alive, its process gone
        assertTakenOverAndReported(context, "process " + exited.pid() + " is gone");
    }

    /** The launch takes the directory over (its driver starts there) and reports it once, naming it and {@code why}. */
    private static void assertTakenOverAndReported(final AeronTransportContext context, final String why)
    {
        final File directory = new File(context.aeronDirectoryName());
        final List<Throwable> errors = new ArrayList<>();
        context.errorHandler(errors::add);
        try
        {
            final AeronTransport transport = AeronTransport.launch(context);
            transport.close();
            assertEquals(1, errors.size(), errors.toString());
            assertTrue(errors.get(0) instanceof RecoveredFault, errors.toString());
            assertTrue(errors.get(0).getMessage().contains(why) &&
                errors.get(0).getMessage().contains(directory.getPath()), errors.get(0).getMessage());
        }
        finally
        {
            org.agrona.IoUtil.delete(directory, true); // gone with the driver, unless the launch failed
        }
    }

    @Test
    void aDriverWhoseProcessRunsIsNotTakenOver() throws Exception
    {
        final Process running = new ProcessBuilder("sleep", "60").start();
        final AeronTransportContext context = context();
        final File directory = new File(context.aeronDirectoryName());
        try
        {
            final long nowMs = System.currentTimeMillis();
            writeCnc(directory, running.pid(), nowMs, nowMs); // another process's driver, alive
            final IllegalStateException refused =
                assertThrows(IllegalStateException.class, () -> AeronTransport.launch(context).close());
            assertTrue(refused.getMessage().contains("another media driver is active"), refused.getMessage());
            assertTrue(new File(directory, io.aeron.CncFileDescriptor.CNC_FILE).isFile(), "its CnC file is left alone");
        }
        finally
        {
            running.destroyForcibly();
            org.agrona.IoUtil.delete(directory, true);
        }
    }

    @Test
    void aPidTakenByAProcessStartedAfterTheDriverIsNotItsOwner() throws Exception
    {
        final Process running = new ProcessBuilder("sleep", "60").start();
        try
        {
            final long startedMs = running.info().startInstant().orElseThrow().toEpochMilli();
            assertTrue(DriverProcess.owns(running.pid(), startedMs));
            assertFalse(DriverProcess.owns(running.pid(), startedMs - DriverProcess.START_TOLERANCE_MS - 60_000),
                "a driver that started a minute before its process: the pid was reused");
            assertTrue(DriverProcess.owns(ProcessHandle.current().pid(), System.currentTimeMillis()));
        }
        finally
        {
            running.destroyForcibly();
        }
    }

    @Test
    void aProcessThatExitedAndWasNotReapedIsGone()
    {
        assertTrue(DriverProcess.exited("4242 (java) Z 1 4242 4242 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0"));
        assertTrue(DriverProcess.exited("4242 (a (b) c) X 1"));
        assertFalse(DriverProcess.exited("4242 (java) S 1 4242 4242 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0"));
        assertFalse(DriverProcess.exited("4242 (a) Z) R 1"), "the name ends at the last parenthesis");
    }

    private static AeronTransportContext context()
    {
        final ClusterConfig cluster = ClusterConfig.ofSize(TestNetwork.clusterId(), 1);
        return TestNode.transportContext(
            cluster, 0, TestNetwork.multicastChannel(), TestNetwork.streamId(), new int[] {TestNetwork.freeUdpPort()});
    }

    /** A driver's CnC file as Aeron writes it, naming {@code pid} and started at {@code startMs}, last alive then. */
    private static void writeCnc(final File directory, final long pid, final long startMs, final long heartbeatMs)
        throws IOException
    {
        assertTrue(directory.mkdirs());
        final int toDriver = 64 * 1024 + org.agrona.concurrent.ringbuffer.RingBufferDescriptor.TRAILER_LENGTH;
        final int toClients = 64 * 1024 + org.agrona.concurrent.broadcast.BroadcastBufferDescriptor.TRAILER_LENGTH;
        final int countersValues = 64 * 1024;
        final int countersMetaData = 4 * countersValues;
        final int errorLog = 64 * 1024;
        final int pageSize = 4096;
        final int length = io.aeron.CncFileDescriptor.computeCncFileLength(
            toDriver + toClients + countersMetaData + countersValues + errorLog, pageSize);
        final java.nio.MappedByteBuffer mapped =
            org.agrona.IoUtil.mapNewFile(new File(directory, io.aeron.CncFileDescriptor.CNC_FILE), length);
        try
        {
            final org.agrona.concurrent.UnsafeBuffer metaData = io.aeron.CncFileDescriptor.createMetaDataBuffer(mapped);
            io.aeron.CncFileDescriptor.fillMetaData(metaData, toDriver, toClients, countersMetaData, countersValues,
                java.util.concurrent.TimeUnit.SECONDS.toNanos(10), errorLog, startMs, pid, pageSize);
            new org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer(
                io.aeron.CncFileDescriptor.createToDriverBuffer(mapped, metaData)).consumerHeartbeatTime(heartbeatMs);
            io.aeron.CncFileDescriptor.signalCncReady(metaData);
        }
        finally
        {
            org.agrona.IoUtil.unmap(mapped);
        }
    }
}
