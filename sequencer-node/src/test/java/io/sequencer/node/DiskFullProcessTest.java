package io.sequencer.node;

import io.sequencer.storage.ScratchFileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three {@code node} processes under load; member 2's directory is a tmpfs of its own (root only; skipped elsewhere,
 * saying why), filled up while it runs. Member 2 stops and exits 1, its error log saying that it found no space for
 * an entry; the others go on acknowledging without it; restarted once its disk has room, member 2 catches up and
 * acknowledges, and every line of every {@code --ack-log} is in every log at its position. Before it stopped, a
 * member on a full disk stayed in the epochs, failed each catch-up and began a new epoch every 2-3 s: no member
 * acknowledged anything.
 */
@Tag("slow") // real processes: left out of the fast lane (README, "Tests")
class DiskFullProcessTest
{
    private static final long FREE_BYTES = 2L << 20;

    @TempDir
    Path dir;

    private NodeCluster cluster;
    private ScratchFileSystem disk;

    @AfterEach
    void cleanUp()
    {
        if (cluster != null)
        {
            cluster.close();
        }
        if (disk != null)
        {
            disk.close();
        }
    }

    @Test
    void aMemberWhoseDiskFillsStopsAndRestartedOnceItHasRoomCatchesUpLosingNothing() throws Exception
    {
        cluster = new NodeCluster(dir, 3).writeConfig(Map.of());
        disk = ScratchFileSystem.tmpfs(cluster.memberDir(2), 64);
        cluster.startAll("--bootstrap", "--load", "1000");
        cluster.awaitAllAcknowledging(100, "all three acknowledging");

        final Path filler = fill(disk.mountPoint());
        assertTrue(cluster.process(2).waitFor(NodeCluster.TIMEOUT_NS, TimeUnit.NANOSECONDS),
            "member 2 stopping on its full disk\n" + cluster.outputs());
        assertEquals(1, cluster.process(2).exitValue(), cluster.outputs());
        final String errors = cluster.errors(2);
        assertTrue(errors.contains("cannot make room for entry") && errors.contains("No space left on device") &&
            errors.contains("its event log cannot be written"), errors);
        cluster.awaitAcknowledging(0, 1_000, "member 0 acknowledging without member 2");

        Files.delete(filler);
        cluster.start(2, "--load", "1000");
        cluster.awaitAcknowledging(2, 200, "member 2 back once its disk has room, caught up and acknowledging");

        cluster.quiesceAndStop();
        System.out.println("DiskFullProcessTest: " + cluster.checkLogs());
    }

    /** Fill {@code disk} but for {@link #FREE_BYTES}: the log's next cycle file or the next megabyte finds it full. */
    private static Path fill(final Path disk) throws IOException
    {
        final Path filler = disk.resolve("filler");
        try (RandomAccessFile file = new RandomAccessFile(filler.toFile(), "rw"))
        {
            final byte[] chunk = new byte[1 << 16];
            while (Files.getFileStore(disk).getUsableSpace() > FREE_BYTES)
            {
                file.write(chunk); // written, not sized: a sparse filler would leave the space free
            }
        }
        return filler;
    }

}
