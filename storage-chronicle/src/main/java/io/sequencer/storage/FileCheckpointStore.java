package io.sequencer.storage;

import io.sequencer.core.CheckpointFile;
import io.sequencer.core.CheckpointStore;
import io.sequencer.core.SnapshotWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;

/**
 * A {@link CheckpointStore} of one file per checkpoint, named by its position ({@code checkpoint-<position>.ckpt},
 * zero-padded so names sort as positions do), in the {@link CheckpointFile} layout: a header, the snapshot in
 * checksummed chunks, an end record. Each is written a chunk at a time under a temporary name, forced and renamed:
 * a crash leaves the whole file or none. Opening the store reads only each file's header; {@link #open} checks the
 * whole file before it hands out a reader, and a file that fails a check is reported as missing (null) with a logged
 * error and never loaded.
 * <p>
 * {@link #save} runs on the snapshot thread and the rest on the duty cycle: the index is a concurrent map. Neither
 * is on the per-event path: this class allocates freely.
 */
public final class FileCheckpointStore implements CheckpointStore
{
    private static final Logger LOGGER = LoggerFactory.getLogger(FileCheckpointStore.class);
    private static final String PREFIX = "checkpoint-";
    private static final String SUFFIX = ".ckpt";
    private static final long DAMAGED = Long.MIN_VALUE;

    private final Path directory;
    private final boolean force;
    /** Position → recorded chk, or {@link #DAMAGED} when the header cannot be trusted. */
    private final ConcurrentSkipListMap<Long, Long> checkpoints = new ConcurrentSkipListMap<>();
    /** {@link #save}'s, on the snapshot thread only: its 64 KiB chunk is not allocated again for every checkpoint. */
    private final CheckpointFile.Writer writer = new CheckpointFile.Writer();
    private MemberDirectoryLock directoryLock;

    /**
     * Open the store in {@code directory}, creating it if absent, and remove what an interrupted write left; every
     * checkpoint is forced before it is visible.
     */
    public FileCheckpointStore(final Path directory)
    {
        this(directory, true);
    }

    /**
     * @param force false under durability {@code none}: a checkpoint is then visible once whole but not forced (its
     *              fsync of megabytes stalled the log's appends on the duty cycle for milliseconds). A power loss may
     *              take it; every load checks the whole file first, and the log holds what it summarised.
     */
    public FileCheckpointStore(final Path directory, final boolean force)
    {
        this.directory = directory;
        this.force = force;
        try
        {
            Files.createDirectories(directory);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, PREFIX + "*"))
            {
                for (final Path file : files)
                {
                    final long position = positionOf(file.getFileName().toString());
                    if (position > 0)
                    {
                        checkpoints.put(position, recordedChk(file, position));
                    }
                    else if (DurableFiles.isTemporary(file))
                    {
                        Files.deleteIfExists(file);
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open the checkpoint directory " + directory, ex);
        }
    }

    public void save(final long position, final long chk, final Consumer<SnapshotWriter> content)
    {
        if (position <= 0)
        {
            throw new IllegalArgumentException("checkpoint position " + position + " must be positive");
        }
        DurableFiles.writeAtomically(fileOf(position), channel ->
        {
            writer.begin(channel, position, chk);
            content.accept(writer);
            writer.finish();
        }, force);
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

    public boolean recordedWith(final long position, final long chk)
    {
        final Long recorded = checkpoints.get(position);
        return recorded != null && recorded == chk && chk != DAMAGED;
    }

    public CheckpointFile.Reader open(final long position)
    {
        if (!checkpoints.containsKey(position))
        {
            return null;
        }
        final Path file = fileOf(position);
        try
        {
            return CheckpointFile.openChecked(() -> FileChannel.open(file, StandardOpenOption.READ), position);
        }
        catch (final NoSuchFileException ex)
        {
            LOGGER.error("checkpoint {} is gone: skipped, never loaded", file);
            return null;
        }
        catch (final IOException | RuntimeException ex)
        {
            LOGGER.error("checkpoint {} {}: skipped, never loaded", file, ex.getMessage());
            return null;
        }
    }

    public void retainFrom(final long position)
    {
        if (!force && checkpoints.containsKey(position) && !checkpoints.headMap(position, false).isEmpty())
        {
            try
            {
                // unforced, the newest may all be gone after a power loss: the oldest kept is made durable before
                // those older go (written intervals ago, it is clean by now: a cheap fsync)
                DurableFiles.forceFile(fileOf(position));
                DurableFiles.forceDirectory(directory);
            }
            catch (final RuntimeException ex)
            {
                LOGGER.error("cannot force checkpoint {}: the older ones are kept ({})", fileOf(position),
                    ex.getMessage());
                return;
            }
        }
        for (final Long dropped : checkpoints.headMap(position, false).keySet())
        {
            checkpoints.remove(dropped); // out of the index first: never handed out once its deletion began
            try
            {
                Files.deleteIfExists(fileOf(dropped));
            }
            catch (final IOException ex)
            {
                LOGGER.error("cannot delete checkpoint {}: {}", fileOf(dropped), ex.getMessage());
            }
        }
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

    public long fileLength(final long position)
    {
        if (!checkpoints.containsKey(position))
        {
            return -1;
        }
        try
        {
            return Files.size(fileOf(position));
        }
        catch (final IOException ex)
        {
            return -1; // deleted by retention meanwhile
        }
    }

    public int readFile(
        final long position, final long fileOffset, final org.agrona.MutableDirectBuffer destination, final int offset,
        final int length)
    {
        if (!checkpoints.containsKey(position))
        {
            return -1;
        }
        // a transfer is rare and its frames are few per duty cycle: a file opened per frame costs nothing that matters
        try (FileChannel channel = FileChannel.open(fileOf(position), StandardOpenOption.READ))
        {
            final java.nio.ByteBuffer target = java.nio.ByteBuffer.allocate(length);
            int done = 0;
            while (target.hasRemaining())
            {
                final int n = channel.read(target, fileOffset + done);
                if (n < 0)
                {
                    break;
                }
                done += n;
            }
            destination.putBytes(offset, target, 0, done);
            return done;
        }
        catch (final NoSuchFileException ex)
        {
            return -1;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read checkpoint " + fileOf(position) + ": " + ex.getMessage(), ex);
        }
    }

    public Incoming receive(final long position, final long chk)
    {
        if (position <= 0)
        {
            throw new IllegalArgumentException("checkpoint position " + position + " must be positive");
        }
        final Path file = fileOf(position);
        final Path temp = file.resolveSibling(file.getFileName() + ".receiving" + DurableFiles.TEMP_SUFFIX);
        final FileChannel channel;
        try
        {
            channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot receive checkpoint " + file + ": " + ex.getMessage(), ex);
        }
        return new Incoming()
        {
            private long received;
            private boolean open = true;

            public long received()
            {
                return received;
            }

            public void write(final org.agrona.DirectBuffer source, final int offset, final int length)
            {
                final byte[] bytes = new byte[length];
                source.getBytes(offset, bytes);
                final java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
                try
                {
                    while (buffer.hasRemaining())
                    {
                        // at its offset: a write that failed part way is written over by the next attempt
                        channel.write(buffer, received + buffer.position());
                    }
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException("cannot write " + temp + ": " + ex.getMessage(), ex);
                }
                received += length;
            }

            public void complete()
            {
                try
                {
                    if (force)
                    {
                        channel.force(true);
                    }
                    channel.close();
                    open = false;
                    try (CheckpointFile.Reader reader = CheckpointFile.openChecked(
                        () -> FileChannel.open(temp, StandardOpenOption.READ), position))
                    {
                        if (reader.chk() != chk)
                        {
                            throw new IllegalStateException("it records chk " + reader.chk() + ", not " + chk);
                        }
                    }
                    DurableFiles.move(temp, file);
                    if (force)
                    {
                        DurableFiles.forceDirectory(directory);
                    }
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException("cannot store the checkpoint received at " + file + ": " +
                        ex.getMessage(), ex);
                }
                checkpoints.put(position, chk);
            }

            public void close()
            {
                try
                {
                    if (open)
                    {
                        channel.close();
                        open = false;
                    }
                    Files.deleteIfExists(temp);
                }
                catch (final IOException ex)
                {
                    LOGGER.error("cannot remove {}: {} (removed at the next open)", temp, ex.getMessage());
                }
            }
        };
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

    /** The chk a checkpoint's header records, having checked the header alone: the rest is checked at {@link #open}. */
    private static long recordedChk(final Path file, final long position)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final CheckpointFile.Reader reader = new CheckpointFile.Reader(channel);
            if (reader.position() != position)
            {
                throw new IllegalStateException("holds position " + reader.position());
            }
            return reader.chk();
        }
        catch (final IOException | RuntimeException ex)
        {
            LOGGER.error("checkpoint {} {}: it will be skipped", file, ex.getMessage());
            return DAMAGED;
        }
    }
}
