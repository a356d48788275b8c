package io.sequencer.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One process per member directory: an exclusive lock on {@code <member directory>/member.lock}, taken before
 * anything else in the directory is opened or created, so that a second process (or a second open in this one) is
 * refused with {@link MemberDirectoryLockedException} instead of appending to the live log and replacing the node's
 * files. The file holds the holder's pid and start time as text, rewritten by each holder, emptied when it lets go;
 * the lock itself ({@link FileChannel#tryLock()}, an OS lock) goes with the process, however it ends.
 * <p>
 * <b>Within one JVM</b> the lock is a POSIX record lock, owned by the process: closing <em>any</em> channel or
 * stream of the file releases it, whatever channel took it. So a second open in this process must not open the file
 * at all: the locks this JVM holds are kept in a registry by the file's identity and a second open is refused from
 * there. If code outside this class holds a lock on the file ({@link OverlappingFileLockException}), the channel
 * opened to find out is kept open rather than closed, for the same reason. Nothing else in the holding process may
 * open the file, not even to read it (another process may: that is what the pid in it is for).
 * <p>
 * Held by reference count: {@link NodeStorage} hands one reference to each of the log, the checkpoints and the node
 * state, and the directory is unlocked once all of them are closed, in whatever order their user closes them.
 * <p>
 * The file is never deleted: a holder deleting it could let one process lock the old file while another creates
 * and locks a new one.
 */
public final class MemberDirectoryLock implements AutoCloseable
{
    /** The lock file in a member directory. */
    public static final String LOCK_FILE = "member.lock";

    private static final Pattern PID = Pattern.compile("pid (\\d+)");
    /** The locks this JVM holds, by the lock file's identity; also the monitor of every lock's state. */
    private static final Map<Object, MemberDirectoryLock> HELD = new HashMap<>();
    /** Channels that must not be closed while this process lives (see the class comment). */
    private static final List<FileChannel> KEPT_OPEN = new ArrayList<>();

    private final Path directory;
    private final Object key;
    private final FileChannel channel;
    private final String holder;
    private int references = 1;
    private boolean closed;

    private MemberDirectoryLock(
        final Path directory, final Object key, final FileChannel channel, final String holder)
    {
        this.directory = directory;
        this.key = key;
        this.channel = channel;
        this.holder = holder;
    }

    /**
     * Lock {@code directory} (created if absent) for this process.
     *
     * @throws MemberDirectoryLockedException when another process, or another open in this one, holds it; nothing
     *                                        in the directory was changed.
     */
    public static MemberDirectoryLock acquire(final Path directory)
    {
        final Path file = directory.resolve(LOCK_FILE);
        synchronized (HELD)
        {
            try
            {
                if (Files.exists(file))
                {
                    final MemberDirectoryLock held = HELD.get(keyOf(file));
                    if (held != null)
                    {
                        throw new MemberDirectoryLockedException(directory, ProcessHandle.current().pid(),
                            "this process (" + held.holder + ")");
                    }
                }
                else
                {
                    Files.createDirectories(directory);
                }
                final FileChannel channel = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                final Object key = keyOf(file);
                final FileLock lock;
                try
                {
                    lock = channel.tryLock();
                }
                catch (final OverlappingFileLockException ex)
                {
                    KEPT_OPEN.add(channel);
                    throw new MemberDirectoryLockedException(directory, ProcessHandle.current().pid(),
                        "this process (pid " + ProcessHandle.current().pid() + ", outside the member's storage)");
                }
                if (lock == null)
                {
                    final String text = contentOf(channel);
                    channel.close(); // this process holds no lock on the file: closing the channel releases nothing
                    final Matcher pid = PID.matcher(text);
                    throw new MemberDirectoryLockedException(directory,
                        pid.find() ? Long.parseLong(pid.group(1)) : -1,
                        text.isEmpty() ? "another process (it has not written its pid yet)" : "process " + text);
                }
                final String holder = describeThisProcess();
                try
                {
                    channel.truncate(0);
                    channel.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
                }
                catch (final IOException ex)
                {
                    channel.close();
                    throw ex;
                }
                final MemberDirectoryLock acquired = new MemberDirectoryLock(directory, key, channel, holder);
                HELD.put(key, acquired);
                return acquired;
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot lock the member directory " + directory, ex);
            }
        }
    }

    /** @return the directory this lock holds. */
    public Path directory()
    {
        return directory;
    }

    /** Release the reference {@link #acquire} returned; the directory is unlocked when no reference is left. */
    public void close()
    {
        synchronized (HELD)
        {
            if (!closed)
            {
                closed = true;
                release();
            }
        }
    }

    /** Take one more reference, for a part of the member's storage that releases it when it is closed. */
    void retain()
    {
        synchronized (HELD)
        {
            if (references == 0)
            {
                throw new IllegalStateException("the lock of " + directory + " was already released");
            }
            references++;
        }
    }

    /** Give back one reference. */
    void release()
    {
        synchronized (HELD)
        {
            if (references > 0 && --references == 0)
            {
                HELD.remove(key);
                try
                {
                    try
                    {
                        channel.truncate(0); // no holder: the pid of one that left would only mislead
                    }
                    finally
                    {
                        channel.close(); // releases the lock, whatever the truncation did
                    }
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException("cannot unlock the member directory " + directory, ex);
                }
            }
        }
    }

    private static Object keyOf(final Path file) throws IOException
    {
        final Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        // the device and inode where the platform has them; the resolved path elsewhere
        return key != null ? key : file.toRealPath();
    }

    private static String contentOf(final FileChannel channel) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(256);
        while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0)
        {
            // read on until the file or the buffer ends
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
    }

    private static String describeThisProcess()
    {
        final ProcessHandle self = ProcessHandle.current();
        return "pid " + self.pid() + " started " + self.info().startInstant().map(Instant::toString).orElse("unknown");
    }
}
