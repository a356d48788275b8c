package io.sequencer.storage;

import io.sequencer.core.CheckpointStore;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * A {@link CheckpointStore} of one file per checkpoint, named by its position ({@code checkpoint-<position>.ckpt},
 * zero-padded so names sort as positions do). Each file holds a header (magic, format version, position, the log's
 * {@code chk} there, the data length), the data and a CRC32C of all of it, and is written atomically: a crash leaves
 * the old file or the new one. A file whose checksum, header or name does not agree is damaged: {@link #read}
 * reports it as missing (-1) with a logged error and it is never loaded.
 * <p>
 * Checkpoints are taken every few thousand positions, off the per-event path: this class allocates freely.
 */
public final class FileCheckpointStore implements CheckpointStore
{
    /** The on-disk layout this build writes and reads. */
    public static final int FORMAT_VERSION = 1;

    private static final Logger LOGGER = LoggerFactory.getLogger(FileCheckpointStore.class);
    private static final String PREFIX = "checkpoint-";
    private static final String SUFFIX = ".ckpt";
    private static final int MAGIC = 0x4B435153; // "SQCK"
    private static final int HEADER_LENGTH = 4 + 4 + 8 + 8 + 4;
    private static final int TRAILER_LENGTH = 8;
    private static final long DAMAGED = Long.MIN_VALUE;

    private final Path directory;
    /** Position → recorded chk, or {@link #DAMAGED} when the header cannot be trusted. */
    private final TreeMap<Long, Long> checkpoints = new TreeMap<>();
    private MemberDirectoryLock directoryLock;

    /**
     * Open the store in {@code directory}, creating it if absent.
     */
    public FileCheckpointStore(final Path directory)
    {
        this.directory = directory;
        try
        {
            Files.createDirectories(directory);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, PREFIX + "*" + SUFFIX))
            {
                for (final Path file : files)
                {
                    final long position = positionOf(file.getFileName().toString());
                    if (position > 0)
                    {
                        checkpoints.put(position, recordedChk(file, position));
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open the checkpoint directory " + directory, ex);
        }
    }

    public void save(final long position, final long chk, final DirectBuffer data, final int offset, final int length)
    {
        if (position <= 0)
        {
            throw new IllegalArgumentException("checkpoint position " + position + " must be positive");
        }
        final ByteBuffer buffer = ByteBuffer.allocate(HEADER_LENGTH + length + TRAILER_LENGTH)
            .order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(MAGIC).putInt(FORMAT_VERSION).putLong(position).putLong(chk).putInt(length);
        data.getBytes(offset, buffer, HEADER_LENGTH, length);
        buffer.putLong(HEADER_LENGTH + length, crc(buffer.array(), HEADER_LENGTH + length));
        buffer.clear();
        DurableFiles.writeAtomically(fileOf(position), buffer);
        checkpoints.put(position, chk);
    }

    public long latestAtOrBelow(final long position)
    {
        final Long key = checkpoints.floorKey(position);
        return key == null ? 0 : key;
    }

    public long chkAt(final long position)
    {
        final Long chk = checkpoints.get(position);
        if (chk == null)
        {
            throw new IllegalArgumentException("no checkpoint at " + position);
        }
        return chk;
    }

    public int read(final long position, final ExpandableArrayBuffer into)
    {
        if (!checkpoints.containsKey(position))
        {
            return -1;
        }
        final Path file = fileOf(position);
        final byte[] bytes = DurableFiles.readIfExists(file);
        final String damage = bytes == null ? "is gone" : check(bytes, position);
        if (damage != null)
        {
            LOGGER.error("checkpoint {} {}: skipped, never loaded", file, damage);
            return -1;
        }
        final int length = bytes.length - HEADER_LENGTH - TRAILER_LENGTH;
        into.putBytes(0, bytes, HEADER_LENGTH, length);
        return length;
    }

    public void unrollUntil(final long position)
    {
        final Map<Long, Long> above = checkpoints.tailMap(position, false);
        if (above.isEmpty())
        {
            return;
        }
        try
        {
            // newest first: a crash part way leaves the older ones, which is what a redo then finishes
            for (final Long dropped : checkpoints.descendingKeySet().headSet(position, false))
            {
                Files.deleteIfExists(fileOf(dropped));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot drop checkpoints above " + position + " in " + directory, ex);
        }
        above.clear();
        DurableFiles.forceDirectory(directory);
    }

    public void close()
    {
        checkpoints.clear();
        if (directoryLock != null)
        {
            final MemberDirectoryLock lock = directoryLock;
            directoryLock = null;
            lock.release();
        }
    }

    /** Hold a reference to the member directory's lock until this store is closed. */
    void releaseOnClose(final MemberDirectoryLock lock)
    {
        lock.retain();
        directoryLock = lock;
    }

    private Path fileOf(final long position)
    {
        return directory.resolve(String.format("%s%020d%s", PREFIX, position, SUFFIX));
    }

    private static long positionOf(final String name)
    {
        if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX))
        {
            return -1;
        }
        try
        {
            return Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    private static long recordedChk(final Path file, final long position)
    {
        final byte[] bytes = DurableFiles.readIfExists(file);
        final String damage = bytes == null ? "is gone" : check(bytes, position);
        if (damage != null)
        {
            LOGGER.error("checkpoint {} {}: it will be skipped", file, damage);
            return DAMAGED;
        }
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(16);
    }

    /** @return null when the file is sound, else what is wrong with it. */
    private static String check(final byte[] bytes, final long position)
    {
        if (bytes.length < HEADER_LENGTH + TRAILER_LENGTH)
        {
            return "is truncated (" + bytes.length + " bytes)";
        }
        final ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        final int length = bytes.length - HEADER_LENGTH - TRAILER_LENGTH;
        if (buffer.getLong(HEADER_LENGTH + length) != crc(bytes, HEADER_LENGTH + length))
        {
            return "fails its checksum";
        }
        if (buffer.getInt(0) != MAGIC || buffer.getInt(4) != FORMAT_VERSION)
        {
            return "is not a checkpoint of format version " + FORMAT_VERSION;
        }
        if (buffer.getLong(8) != position || buffer.getInt(24) != length)
        {
            return "holds position " + buffer.getLong(8) + " and length " + buffer.getInt(24) + ", not what its " +
                "name and size say";
        }
        return null;
    }

    private static long crc(final byte[] bytes, final int length)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return crc.getValue();
    }
}
