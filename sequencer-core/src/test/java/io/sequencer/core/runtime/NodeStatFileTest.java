package io.sequencer.core.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeStatFileTest
{
    @TempDir
    File directory;

    /**
     * A starting node replaces the file while tools (and the test harnesses) poll it: a reader that opened the file
     * read-write used to create it between the node's delete and its create, and the node failed to start.
     */
    @Test
    void readersPollingTheDirectoryNeverMakeAStartFail() throws Exception
    {
        NodeStatFile.create(directory, 1, 16, 4096, 1).close();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong opened = new AtomicLong();
        final Thread reader = new Thread(() ->
        {
            while (!stop.get())
            {
                try
                {
                    NodeStatFile.open(directory).close();
                    opened.incrementAndGet();
                }
                catch (final IllegalStateException ignore)
                {
                    // between the files: fine for a reader, it polls again
                }
            }
        });
        reader.start();
        try
        {
            for (int run = 2; run < 302; run++)
            {
                try (NodeStatFile file = NodeStatFile.create(directory, 1, 16, 4096, run))
                {
                    file.markClosed(run);
                }
            }
        }
        finally
        {
            stop.set(true);
            reader.join();
        }
        assertTrue(opened.get() > 0, "the reader opened the file");
        assertEquals(0, new File(directory, NodeStatFile.FILE_NAME + ".new").length());
    }

    @Test
    void theStartKeepsThePreviousRunsFile() throws Exception
    {
        try (NodeStatFile first = NodeStatFile.create(directory, 7, 16, 4096, 100))
        {
            first.markClosed(150);
        }
        NodeStatFile.create(directory, 7, 16, 4096, 200).close();
        try (NodeStatFile previous = NodeStatFile.openPrevious(directory);
            NodeStatFile current = NodeStatFile.open(directory))
        {
            assertEquals(100, previous.startTimeMs());
            assertEquals(150, previous.closedTimeMs());
            assertEquals(200, current.startTimeMs());
            assertEquals(0, current.closedTimeMs());
        }
    }
}
