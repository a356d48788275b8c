package io.sequencer.core.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The calling thread's timer slack on Linux: how much later than asked the kernel may end a timed wait, 50 µs unless
 * set. Every park of a back-off idle strategy is such a wait, so the default stretches the short parks a duty cycle
 * takes between frames: on the 2-core development machine {@code LockSupport.parkNanos(1_000)} returned after 76 µs
 * at the median, and after 15 µs with a slack of 1 µs. Set through {@code /proc/<tid>/timerslack_ns}, which a thread
 * may write for itself without privileges (Linux 4.6 and later); threads it starts afterwards inherit its slack.
 * Elsewhere (another OS, no {@code /proc}) nothing changes. Not free: a thread whose parks end sooner wakes more often,
 * and three nodes at 200 events/s under the {@code backoff} idle strategy used 4 to 11 points more of a core each at
 * 1 µs; members leave it at the OS's unless configured ({@code timer.slack.ns}).
 */
public final class TimerSlack
{
    private static final Path THREAD_SELF = Path.of("/proc/thread-self");

    private TimerSlack()
    {
    }

    /**
     * Set the calling thread's timer slack to {@code nanos}. Best effort: what the OS refuses, the result reports.
     *
     * @return whether it was set; false where the OS offers no way (not Linux, an old kernel, no {@code /proc}).
     * @throws IllegalArgumentException if {@code nanos} is not positive.
     */
    public static boolean set(final long nanos)
    {
        if (nanos <= 0)
        {
            throw new IllegalArgumentException("timer slack " + nanos + " ns: must be positive");
        }
        final Path file = file();
        if (file == null)
        {
            return false;
        }
        try
        {
            Files.writeString(file, Long.toString(nanos));
            return true;
        }
        catch (final IOException | RuntimeException ex)
        {
            return false;
        }
    }

    /** The calling thread's timer slack in nanoseconds, or -1 where it cannot be read. */
    public static long get()
    {
        final Path file = file();
        try
        {
            return file == null ? -1 : Long.parseLong(Files.readString(file).trim());
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }

    /**
     * {@code /proc/<tid>/timerslack_ns} of the calling thread ({@code /proc/thread-self} names it), or null without
     * {@code /proc}; a kernel without the file fails the read or write that uses it.
     */
    private static Path file()
    {
        try
        {
            final String link = Files.readSymbolicLink(THREAD_SELF).toString(); // "<pid>/task/<tid>"
            return Path.of("/proc", link.substring(link.lastIndexOf('/') + 1), "timerslack_ns");
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
    }
}
