package io.sequencer.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;

/**
 * The record, for the rest of this machine's boot, that a log's file system refused a write. Under durability
 * {@code none} a log's tail lives in the page cache until the kernel writes it back, and a file system that turns
 * read-only after an error (ext4's {@code errors=remount-ro}) never writes it: once unmounted, checked and mounted
 * again, it shows the log as of the last writeback, in the same boot, so the boot id alone does not tell the member
 * that its tail may be gone (docs/protocol.md §10.7).
 * <p>
 * The record is a file in a directory that a reboot empties ({@code /dev/shm}), beside nothing of the member's own,
 * since the member's file system is the one refusing writes. It holds a random token, and a member's boot id is the
 * machine's with that token folded in ({@link #bootId}): a member that recorded a boot id before the failure finds
 * another one at its next start, exactly as after a reboot, so it comes back not intact, and the seals of cycles it
 * wrote without forcing them are no longer trusted. The file is kept until the machine reboots, so that the member,
 * once it has caught up and recorded the new boot id, is intact again at its later starts.
 */
public final class WriteFailureMarker
{
    private static final String PREFIX = "sequencer-write-failure-";
    private static final SecureRandom RANDOM = new SecureRandom();

    private WriteFailureMarker()
    {
    }

    /**
     * The directory the records go to by default: {@code /dev/shm}, a tmpfs that a reboot empties, where there is one;
     * the JVM's temporary directory otherwise (a record that outlives a reboot there changes nothing: the boot id has
     * changed anyway).
     */
    public static Path defaultDirectory()
    {
        final Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /**
     * The boot id of the log in {@code logDirectory}: {@code machineBootId} (0: not known), changed by the token of
     * a record in {@code markerDirectory} that its file system refused a write in this boot. Never 0.
     */
    public static long bootId(final long machineBootId, final Path logDirectory, final Path markerDirectory)
    {
        final long token = token(fileFor(logDirectory, markerDirectory));
        final long bootId = (machineBootId != 0 ? machineBootId : 1) ^ token;
        return bootId != 0 ? bootId : 1;
    }

    /**
     * Record in {@code file} ({@link #fileFor}, named while the log's file system was sound) that the file system of
     * the log in {@code logDirectory} refused a write: a new token, so that a second failure in the same boot changes
     * the log's boot id again.
     *
     * @throws UncheckedIOException when the record cannot be written.
     */
    static void record(final Path file, final Path logDirectory, final String why)
    {
        long token = 0;
        while (token == 0)
        {
            token = RANDOM.nextLong();
        }
        final String text = Long.toHexString(token) + "\nevent log " + logDirectory + ": its file system refused a " +
            "write at " + Instant.now() + " (" + why + "); until this machine reboots, the member counts what the " +
            "log held before as written in another boot\n";
        try
        {
            Files.createDirectories(file.getParent());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot record in " + file + " that the file system of event log " +
                logDirectory + " refused a write", ex);
        }
        // not forced: the directory is one a reboot empties anyway
        DurableFiles.writeAtomically(file, java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), false);
    }

    /** The record of the log in {@code logDirectory}: one per log directory, named by a hash of its real path. */
    public static Path fileFor(final Path logDirectory, final Path markerDirectory)
    {
        try
        {
            final byte[] hash = MessageDigest.getInstance("SHA-256")
                .digest(canonical(logDirectory).getBytes(StandardCharsets.UTF_8));
            final StringBuilder name = new StringBuilder(PREFIX);
            for (int i = 0; i < 8; i++)
            {
                name.append(Character.forDigit((hash[i] >> 4) & 0xf, 16)).append(Character.forDigit(hash[i] & 0xf, 16));
            }
            return markerDirectory.resolve(name.toString());
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
        }
    }

    private static String canonical(final Path directory)
    {
        try
        {
            return directory.toRealPath().toString(); // one record whichever link the member was started through
        }
        catch (final IOException ex)
        {
            return directory.toAbsolutePath().normalize().toString(); // not there yet: a new log, never recorded
        }
    }

    private static long token(final Path file)
    {
        final byte[] bytes = DurableFiles.readIfExists(file);
        if (bytes == null)
        {
            return 0;
        }
        final String text = new String(bytes, StandardCharsets.UTF_8);
        final int end = text.indexOf('\n');
        try
        {
            return Long.parseUnsignedLong(end < 0 ? text.trim() : text.substring(0, end), 16);
        }
        catch (final NumberFormatException ex)
        {
            // damaged: the failure it records stays recorded, with a token of its own
            return 0x5752495445464c4cL ^ text.hashCode();
        }
    }
}
