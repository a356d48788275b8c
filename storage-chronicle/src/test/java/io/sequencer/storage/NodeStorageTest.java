package io.sequencer.storage;

import io.sequencer.core.LogEntry;
import io.sequencer.core.EntryType;
import io.sequencer.core.EventLogContract;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class NodeStorageTest
{
    static final int CLUSTER_ID = 5;
    private static final long CHILD_DEADLINE_NS = TimeUnit.SECONDS.toNanos(60);

    @TempDir
    Path directory;

    @TempDir
    Path scratch;

    private NodeStorage open()
    {
        return NodeStorage.open(directory, new ChronicleLogContext().clusterId(CLUSTER_ID));
    }

    @Test
    void laysOutTheNodeDirectoryAndReopensIt()
    {
        final UnsafeBuffer data = new UnsafeBuffer(new byte[16]);
        try (NodeStorage storage = open())
        {
            storage.nodeStore().currentEpoch(4);
            storage.log().append(new LogEntry().header(EntryType.EPOCH_START, 4, 0, 1, 0, 0, 0).payload(data, 0, 16));
            storage.checkpoints().save(1, storage.log().chkAt(1), out -> out.write(data, 0, 16));
        }

        assertTrue(Files.isRegularFile(directory.resolve(NodeStorage.NODE_STATE_FILE)));
        assertTrue(Files.isRegularFile(directory.resolve(MemberDirectoryLock.LOCK_FILE)));
        assertTrue(Files.isRegularFile(
            directory.resolve(NodeStorage.LOG_DIRECTORY).resolve(ChronicleEventLog.HEADER_FILE)));
        assertTrue(Files.isDirectory(directory.resolve(NodeStorage.CHECKPOINT_DIRECTORY)));

        try (NodeStorage storage = open())
        {
            assertEquals(4, storage.nodeStore().currentEpoch());
            assertEquals(1, storage.log().have());
            assertEquals(1, storage.log().lastEpochStartPosition());
            assertEquals(storage.log().chkAt(1), storage.checkpoints().chkAt(1));
            try (io.sequencer.core.CheckpointFile.Reader reader = storage.checkpoints().open(1))
            {
                assertEquals(16, reader.remaining());
            }
        }
    }

    @Test
    void aLostLogDirectoryComesBackAsAnotherLogBesideTheNodeStateThatSurvived() throws IOException
    {
        final long logId;
        try (NodeStorage storage = open())
        {
            logId = storage.log().logId();
            storage.nodeStore().initialize();
            storage.nodeStore().logId(logId);
            EventLogContract.appendMany(storage.log(), 5, 1);
            storage.nodeStore().highWater(5);
        }

        DurableFiles.deleteTree(directory.resolve(NodeStorage.LOG_DIRECTORY));
        final long recreated;
        try (NodeStorage storage = open())
        {
            assertEquals(logId, storage.nodeStore().logId(), "node.state survived and names the old log");
            assertEquals(5, storage.nodeStore().highWater());
            recreated = storage.log().logId();
            assertNotEquals(0, recreated);
            assertNotEquals(logId, recreated, "the log is not the one the node state belongs to");
            assertEquals(0, storage.log().have());
        }

        // replaced by an empty directory: the same, a log created anew
        DurableFiles.deleteTree(directory.resolve(NodeStorage.LOG_DIRECTORY));
        Files.createDirectories(directory.resolve(NodeStorage.LOG_DIRECTORY));
        try (NodeStorage storage = open())
        {
            assertNotEquals(logId, storage.log().logId());
            assertNotEquals(recreated, storage.log().logId());
        }
    }

    @Test
    void aSecondOpenInTheSameProcessIsRefusedNamingThePidAndChangesNothing() throws IOException
    {
        try (NodeStorage storage = open())
        {
            writeSomething(storage);
            final Map<String, String> before = DirectorySnapshot.of(directory);

            final MemberDirectoryLockedException ex = assertThrows(MemberDirectoryLockedException.class, this::open);
            final long pid = ProcessHandle.current().pid();
            assertEquals(pid, ex.holderPid());
            assertTrue(ex.getMessage().contains(directory.toString()), ex.getMessage());
            assertTrue(ex.getMessage().contains("pid " + pid), ex.getMessage());
            assertTrue(ex.getMessage().contains("nothing in it was changed"), ex.getMessage());
            assertThrows(MemberDirectoryLockedException.class, () -> NodeStorage.openExistingLog(directory),
                "a tool is refused too");
            assertThrows(MemberDirectoryLockedException.class,
                () -> NodeStorage.openExistingLog(directory.resolve(NodeStorage.LOG_DIRECTORY)),
                "given the log directory, a tool finds the member's lock");
            assertThrows(MemberDirectoryLockedException.class, () -> NodeStorage.openExistingLogReadOnly(directory),
                "a tool that only reads is refused too");
            assertThrows(MemberDirectoryLockedException.class,
                () -> NodeStorage.openExistingLogReadOnly(directory.resolve(NodeStorage.LOG_DIRECTORY)),
                "given the log directory, a tool that only reads finds the member's lock");

            assertEquals(before, DirectorySnapshot.of(directory),
                "the refused opens changed no byte and no modification time");
            assertEquals(3, storage.log().have(), "the storage that holds the directory works on");
            storage.log().append(new LogEntry().header(EntryType.EVENT, 1, 4, 1, 1, 4, 4)
                    .payload(new UnsafeBuffer(new byte[4]), 0, 4));
        }
        try (NodeStorage storage = open())
        {
            assertEquals(4, storage.log().have(), "closed, the directory opens again");
        }
    }

    @Test
    void theDirectoryStaysLockedUntilTheLastOfItsPartsIsClosed()
    {
        final NodeStorage storage = open();
        // the runtime is handed the parts and closes each (log, checkpoints, node state), never the NodeStorage
        storage.log().close();
        storage.checkpoints().close();
        assertThrows(MemberDirectoryLockedException.class, this::open, "the node state is still open");
        storage.nodeStore().close();
        storage.close(); // closing again releases nothing twice

        try (NodeStorage again = open())
        {
            assertNotNull(again.log());
            assertThrows(MemberDirectoryLockedException.class, this::open);
        }
        try (ChronicleEventLog log = NodeStorage.openExistingLogReadOnly(directory))
        {
            assertThrows(MemberDirectoryLockedException.class, this::open, "a tool holds the member's directory");
            assertEquals(0, log.have());
        }
        open().close();
    }

    @Test
    void aSecondProcessIsRefusedWhileTheMemberRunsAndChangesNothing() throws Exception
    {
        try (NodeStorage storage = open())
        {
            writeSomething(storage);
            final Map<String, String> before = DirectorySnapshot.of(directory);
            final long pid = ProcessHandle.current().pid();
            for (final String mode : new String[]{"storage", "tool"})
            {
                final Child started = startChild(mode);
                final Process child = started.process();
                final String line = firstLine(started, mode);
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), mode + ": the refused child did not exit");
                assertEquals(3, child.exitValue(), mode + ": " + line);
                assertTrue(line.startsWith("REFUSED " + pid + " "), mode + ": " + line);
                assertTrue(line.contains("pid " + pid + " started "), mode + ": " + line);
                assertTrue(line.contains(directory.toString()), mode + ": " + line);
            }
            assertEquals(before, DirectorySnapshot.of(directory),
                "the refused processes changed no byte and no modification time");
        }

        // and the other way round: a child holds the member directory, this process is refused, naming its pid
        final Child started = startChild("storage");
        final Process holder = started.process();
        try
        {
            final String line = firstLine(started, "holder");
            assertEquals("OPENED " + holder.pid(), line);
            final MemberDirectoryLockedException ex = assertThrows(MemberDirectoryLockedException.class, this::open);
            assertEquals(holder.pid(), ex.holderPid(), ex.getMessage());
            assertTrue(ex.getMessage().contains("process pid " + holder.pid() + " started "), ex.getMessage());
            holder.getOutputStream().close(); // the child lets go
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS), "the holder did not exit");
            assertEquals(0, holder.exitValue());
        }
        finally
        {
            holder.destroyForcibly();
        }
        try (NodeStorage storage = open())
        {
            assertEquals(3, storage.log().have(), "released by the child that held it");
        }
    }

    private static void writeSomething(final NodeStorage storage)
    {
        storage.nodeStore().initialize();
        storage.nodeStore().currentEpoch(2);
        EventLogContract.appendMany(storage.log(), 3, 9);
        storage.log().force();
        final UnsafeBuffer data = new UnsafeBuffer(new byte[8]);
        storage.checkpoints().save(2, storage.log().chkAt(2), out -> out.write(data, 0, 8));
    }

    /** A child JVM and the file its stdout goes to (a file keeps every line, however the child ends). */
    private record Child(Process process, Path output)
    {
    }

    private Child startChild(final String mode) throws IOException
    {
        final String flags = System.getProperty("sequencer.jvm.flags");
        assertNotNull(flags, "the Chronicle JVM flags come from the parent POM through Surefire");
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(flags.trim().split("\\s+")));
        command.add("-Xmx128m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(LockChild.class.getName());
        command.add(directory.toString());
        command.add(mode);
        final Path output = Files.createTempFile(scratch, mode + "-", ".out");
        final Process process = new ProcessBuilder(command)
            .redirectOutput(output.toFile())
            .redirectError(Files.createTempFile(scratch, mode + "-", ".err").toFile())
            .start();
        return new Child(process, output);
    }

    /** Poll the child's output file, with a deadline, for its first line. */
    private String firstLine(final Child child, final String mode) throws IOException
    {
        final long deadline = System.nanoTime() + CHILD_DEADLINE_NS;
        while (true)
        {
            final boolean exited = !child.process().isAlive();
            final String text = Files.readString(child.output(), StandardCharsets.UTF_8);
            final int newline = text.indexOf('\n');
            if (newline >= 0)
            {
                return text.substring(0, newline);
            }
            if (exited)
            {
                fail(mode + ": the child exited with " + child.process().exitValue() + " without a line; its stderr " +
                    "is in " + scratch);
            }
            if (System.nanoTime() - deadline > 0)
            {
                fail(mode + ": no line from the child within " + TimeUnit.NANOSECONDS.toSeconds(CHILD_DEADLINE_NS) +
                    " s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }
}
