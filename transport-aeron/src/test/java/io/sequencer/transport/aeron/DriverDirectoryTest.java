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
        final ClusterConfig cluster = ClusterConfig.ofSize(TestNetwork.clusterId(), 1);
        final AeronTransportContext context = TestNode.transportContext(
            cluster, 0, TestNetwork.multicastChannel(), TestNetwork.streamId(), new int[] {TestNetwork.freeUdpPort()});
        final File directory = new File(context.aeronDirectoryName());
        assertTrue(directory.mkdirs());
        try (RandomAccessFile cnc = new RandomAccessFile(new File(directory, "cnc.dat"), "rw"))
        {
            cnc.setLength(1024 * 1024); // created and sized, its version still 0: the driver died before writing it
        }
        final List<Throwable> errors = new ArrayList<>();
        context.errorHandler(errors::add);

        try
        {
            final AeronTransport transport = AeronTransport.launch(context);
            transport.close();
            assertEquals(1, errors.size(), errors.toString());
            assertTrue(errors.get(0) instanceof RecoveredFault, errors.toString());
            assertTrue(errors.get(0).getMessage().contains("never finished starting") &&
                errors.get(0).getMessage().contains(directory.getPath()), errors.get(0).getMessage());
        }
        finally
        {
            org.agrona.IoUtil.delete(directory, true); // gone with the driver, unless the launch failed
        }
    }
}
