package io.sequencer.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Small files that survive power loss: written to a temporary name, forced, renamed over the real one, and the
 * directory forced, so that a reader finds either the old content or the new one, never a torn mix.
 * <p>
 * Used off the hot path only (node state, checkpoints, the log's header and unroll intent): it allocates freely.
 */
public final class DurableFiles
{
    static final String TEMP_SUFFIX = ".tmp";

    private DurableFiles()
    {
    }

    /**
     * Replace {@code file} with {@code content} atomically and durably.
     *
     * @param file    the file to write.
     * @param content its new content, from position to limit.
     */
    public static void writeAtomically(final Path file, final ByteBuffer content)
    {
        writeAtomically(file, content, true);
    }

    /** {@link #writeAtomically(Path, ByteBuffer)}, forced only when {@code force} (see the writer's variant). */
    public static void writeAtomically(final Path file, final ByteBuffer content, final boolean force)
    {
        writeAtomically(file, channel ->
        {
            try
            {
                while (content.hasRemaining())
                {
                    channel.write(content);
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }, force);
    }

    /**
     * Replace {@code file} atomically and durably with what {@code writer} writes into the channel it is given: a file
     * of any size, written a piece at a time. If the writer throws, {@code file} is unchanged.
     */
    public static void writeAtomically(final Path file, final java.util.function.Consumer<FileChannel> writer)
    {
        writeAtomically(file, writer, true);
    }

    /**
     * {@link #writeAtomically(Path, java.util.function.Consumer)}, forced only when {@code force}: without, the rename
     * still makes the file appear whole or not at all to every process, but a power loss may leave it short (its
     * reader must check it).
     */
    public static void writeAtomically(
        final Path file, final java.util.function.Consumer<FileChannel> writer, final boolean force)
    {
        final Path temp = file.resolveSibling(file.getFileName() + TEMP_SUFFIX);
        try
        {
            try (FileChannel channel = FileChannel.open(
                temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING))
            {
                writer.accept(channel);
                if (force)
                {
                    channel.force(true);
                }
            }
            move(temp, file);
            if (force)
            {
                forceDirectory(file.toAbsolutePath().getParent());
            }
        }
        catch (final IOException | UncheckedIOException ex)
        {
            deleteQuietly(temp);
            throw new UncheckedIOException("cannot write " + file + ": " + ex.getMessage(),
                ex instanceof IOException ? (IOException)ex : ((UncheckedIOException)ex).getCause());
        }
        catch (final RuntimeException | Error ex)
        {
            deleteQuietly(temp); // the writer failed (a state machine's snapshot threw): nothing of it stays
            throw ex;
        }
    }

    private static void deleteQuietly(final Path temp)
    {
        try
        {
            Files.deleteIfExists(temp);
        }
        catch (final IOException ignored)
        {
            // the temporary name is written over by the next attempt and removed at open
        }
    }

    /** Whether {@code file} is a temporary one {@link #writeAtomically} left behind when it was interrupted. */
    public static boolean isTemporary(final Path file)
    {
        return file.getFileName().toString().endsWith(TEMP_SUFFIX);
    }

    /**
     * Rename {@code from} over {@code to} in one step: a crash leaves one or the other, never neither.
     */
    public static void move(final Path from, final Path to) throws IOException
    {
        try
        {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final AtomicMoveNotSupportedException ex)
        {
            throw new IOException("the file system of " + to + " cannot rename atomically; the log needs one that can",
                ex);
        }
    }

    /**
     * @return the whole content of {@code file}, or null when it does not exist.
     */
    public static byte[] readIfExists(final Path file)
    {
        try
        {
            return Files.readAllBytes(file);
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + file, ex);
        }
    }

    /**
     * Delete a file, if present, and make the deletion durable.
     */
    public static void deleteDurably(final Path file)
    {
        try
        {
            if (Files.deleteIfExists(file))
            {
                forceDirectory(file.toAbsolutePath().getParent());
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete " + file, ex);
        }
    }

    /**
     * Force the contents of a file to the device.
     */
    public static void forceFile(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.force(true);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot force " + file, ex);
        }
    }

    /**
     * Force a directory, so that the files created, renamed or deleted in it survive power loss.
     */
    public static void forceDirectory(final Path directory)
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot force directory " + directory, ex);
        }
    }

    /**
     * Delete a directory and everything in it, if present.
     */
    public static void deleteTree(final Path root)
    {
        if (!Files.exists(root))
        {
            return;
        }
        try
        {
            if (Files.isDirectory(root))
            {
                try (DirectoryStream<Path> children = Files.newDirectoryStream(root))
                {
                    for (final Path child : children)
                    {
                        deleteTree(child);
                    }
                }
            }
            Files.deleteIfExists(root);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete " + root, ex);
        }
    }
}
