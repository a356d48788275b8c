package io.sequencer.storage;

import io.sequencer.core.CheckpointStore;
import io.sequencer.core.CheckpointStoreContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@link FileCheckpointStore} against the {@link CheckpointStoreContract}; damage is a flipped byte in the file.
 * {@link Unforced} runs the same contract on a store that does not force its writes (durability {@code none}).
 */
class FileCheckpointStoreContractTest extends CheckpointStoreContract
{
    static final class Unforced extends FileCheckpointStoreContractTest
    {
        @Override
        boolean force()
        {
            return false;
        }
    }

    boolean force()
    {
        return true;
    }

    @TempDir
    Path root;

    private int stores;
    private Path lastDirectory;

    protected CheckpointStore newStore()
    {
        lastDirectory = root.resolve("checkpoints-" + stores++);
        return new FileCheckpointStore(lastDirectory, force());
    }

    protected CheckpointStore reopen(final CheckpointStore store)
    {
        store.close();
        return new FileCheckpointStore(lastDirectory, force());
    }

    protected void damage(final CheckpointStore store, final long position)
    {
        final Path file = lastDirectory.resolve(String.format("checkpoint-%020d.ckpt", position));
        try
        {
            final byte[] bytes = Files.readAllBytes(file);
            bytes[bytes.length / 2] ^= 0x01;
            Files.write(file, bytes);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Test
    void aSnapshotThatThrowsLeavesNoFileBehind() throws IOException
    {
        final CheckpointStore store = track(newStore());
        for (int i = 1; i <= 3; i++)
        {
            final long position = i * 10L;
            org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> store.save(position, 1,
                out ->
                {
                    out.write(new org.agrona.concurrent.UnsafeBuffer(new byte[200_000]), 0, 200_000);
                    throw new IllegalStateException("the state machine failed half way");
                }));
        }
        try (Stream<Path> files = Files.list(lastDirectory))
        {
            assertEquals(0, files.count(), "no temporary file of the failed writes stays");
        }
    }

    @Test
    void truncatedFileIsDamagedAndTemporaryFilesAreRemoved() throws IOException
    {
        final CheckpointStore store = track(newStore());
        store.save(10, 5, out -> out.write(new org.agrona.concurrent.UnsafeBuffer(new byte[32]), 0, 32));
        final Path file = lastDirectory.resolve(String.format("checkpoint-%020d.ckpt", 10));
        Files.write(file, java.util.Arrays.copyOf(Files.readAllBytes(file), 20));
        Files.write(lastDirectory.resolve(String.format("checkpoint-%020d.ckpt.tmp", 30)), new byte[3]);

        final CheckpointStore reopened = track(reopen(store));

        assertNull(reopened.open(10));
        assertEquals(10, reopened.latestAtOrBelow(100), "a half-written temporary file is not a checkpoint");
        try (Stream<Path> files = Files.list(lastDirectory))
        {
            assertEquals(1, files.count(), "and it is removed at open");
        }
    }
}
