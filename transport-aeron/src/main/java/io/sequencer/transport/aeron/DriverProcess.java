package io.sequencer.transport.aeron;

import io.aeron.CncFileDescriptor;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.time.Instant;

/**
 * The process a media driver's CnC file names (Aeron writes its pid and its start time there), and whether that
 * process is gone: the question a driver heartbeat younger than the activity timeout leaves open when the driver was
 * killed a moment ago. Pids are those of this process's pid namespace: a driver directory seen from two namespaces
 * (containers sharing {@code /dev/shm}) would be two nodes on one directory, which the directory's name per cluster and
 * member is there to prevent.
 */
final class DriverProcess
{
    /**
     * How much later than its driver a process may seem to have started and still be taken for the driver's: its
     * start time ({@code /proc}, in clock ticks) and the driver's (the wall clock, in ms) come from different clocks.
     * A process that clearly started after the driver is another process under a reused pid.
     */
    static final long START_TOLERANCE_MS = 1_000;

    private DriverProcess()
    {
    }

    /**
     * @return the pid the CnC file in {@code directory} names when no such process runs any more (or the pid now
     * belongs to a process started after the driver), else 0: the owner lives, or the file does not say (no file,
     * too short, no pid), and the driver must be taken for active.
     */
    static long goneOwner(final File directory)
    {
        final File cncFile = new File(directory, CncFileDescriptor.CNC_FILE);
        if (!cncFile.isFile() || cncFile.length() < CncFileDescriptor.META_DATA_LENGTH)
        {
            return 0;
        }
        final long pid;
        final long driverStartMs;
        MappedByteBuffer mapped = null;
        try
        {
            mapped = IoUtil.mapExistingFile(cncFile, "cnc");
            final UnsafeBuffer metaData = CncFileDescriptor.createMetaDataBuffer(mapped);
            pid = metaData.getLongVolatile(CncFileDescriptor.PID_FIELD_OFFSET);
            driverStartMs = metaData.getLongVolatile(CncFileDescriptor.START_TIMESTAMP_FIELD_OFFSET);
        }
        catch (final RuntimeException ex)
        {
            return 0; // unreadable: not known to be gone
        }
        finally
        {
            if (mapped != null)
            {
                IoUtil.unmap(mapped);
            }
        }
        return pid > 0 && !owns(pid, driverStartMs) ? pid : 0;
    }

    /** Whether process {@code pid} runs and may be the one that started a driver at {@code driverStartMs}. */
    static boolean owns(final long pid, final long driverStartMs)
    {
        if (pid == ProcessHandle.current().pid())
        {
            return true; // a driver of this very process
        }
        final java.util.Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive() || zombie(pid))
        {
            return false;
        }
        final java.util.Optional<Instant> started = process.get().info().startInstant();
        return started.isEmpty() || driverStartMs <= 0 ||
            started.get().toEpochMilli() <= driverStartMs + START_TOLERANCE_MS;
    }

    /**
     * Whether {@code pid} is a process that has exited and not been reaped by its parent (Linux: state Z or X in
     * {@code /proc/<pid>/stat}), which {@link ProcessHandle#isAlive} counts as alive: a member killed by a supervisor
     * that has not waited for it yet.
     */
    static boolean zombie(final long pid)
    {
        try
        {
            return exited(java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat")));
        }
        catch (final java.io.IOException | RuntimeException ex)
        {
            return false; // no /proc (not Linux), or the process went meanwhile: isAlive has answered
        }
    }

    /** Whether a {@code /proc/<pid>/stat} line is that of a process that has exited (state Z or X). */
    static boolean exited(final String stat)
    {
        final int end = stat.lastIndexOf(')'); // the command name, in parentheses, may hold anything
        final char state = end >= 0 && end + 2 < stat.length() ? stat.charAt(end + 2) : '?';
        return state == 'Z' || state == 'X';
    }
}
