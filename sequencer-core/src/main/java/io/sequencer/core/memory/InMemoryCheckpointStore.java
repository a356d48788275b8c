package io.sequencer.core.memory;

import io.sequencer.core.CheckpointFile;
import io.sequencer.core.CheckpointStore;
import io.sequencer.core.SnapshotWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;

/**
 * A {@link CheckpointStore} on the heap, for tests and the simulator, holding each checkpoint in the
 * {@link CheckpointFile} layout. {@link #damage(long)} models a corrupted checkpoint file, which must be skipped.
 */
public final class InMemoryCheckpointStore implements CheckpointStore
{
    /** {@code damaged}: its bytes were spoiled by {@link #damage} (a fault a test makes), so it does not load. */
    private record Checkpoint(long chk, byte[] image, boolean damaged)
    {
    }

    private final ConcurrentSkipListMap<Long, Checkpoint> checkpoints = new ConcurrentSkipListMap<>();

    public void save(final long position, final long chk, final Consumer<SnapshotWriter> content)
    {
        final ByteArrayOutputStream image = new ByteArrayOutputStream();
        final CheckpointFile.Writer writer = new CheckpointFile.Writer(Channels.newChannel(image), position, chk);
        content.accept(writer);
        writer.finish();
        checkpoints.put(position, new Checkpoint(chk, image.toByteArray(), false));
    }

    public long latestAtOrBelow(final long position)
    {
        final Long key = checkpoints.floorKey(position);
        return key == null ? 0 : key;
    }

    public long chkAt(final long position)
    {
        final Checkpoint checkpoint = checkpoints.get(position);
        if (checkpoint == null)
        {
            throw new IllegalArgumentException("no checkpoint at " + position);
        }
        return checkpoint.chk;
    }

    public boolean recordedWith(final long position, final long chk)
    {
        final Checkpoint checkpoint = checkpoints.get(position);
        return checkpoint != null && checkpoint.chk == chk;
    }

    public CheckpointFile.Reader open(final long position)
    {
        final Checkpoint checkpoint = checkpoints.get(position);
        if (checkpoint == null)
        {
            return null;
        }
        try
        {
            return CheckpointFile.openChecked(
                () -> Channels.newChannel(new ByteArrayInputStream(checkpoint.image)), position);
        }
        catch (final IllegalStateException | java.io.IOException ex)
        {
            return null;
        }
    }

    public void retainFrom(final long position)
    {
        checkpoints.headMap(position, false).clear();
    }

    public void unrollUntil(final long position)
    {
        checkpoints.tailMap(position, false).clear();
    }

    public long fileLength(final long position)
    {
        final Checkpoint checkpoint = checkpoints.get(position);
        return checkpoint == null ? -1 : checkpoint.image.length;
    }

    public int readFile(
        final long position, final long fileOffset, final org.agrona.MutableDirectBuffer destination, final int offset,
        final int length)
    {
        final Checkpoint checkpoint = checkpoints.get(position);
        if (checkpoint == null)
        {
            return -1;
        }
        final int n = (int)Math.max(0, Math.min(length, checkpoint.image.length - fileOffset));
        destination.putBytes(offset, checkpoint.image, (int)fileOffset, n);
        return n;
    }

    public Incoming receive(final long position, final long chk)
    {
        return new Incoming()
        {
            private final ByteArrayOutputStream image = new ByteArrayOutputStream();
            private final byte[] copy = new byte[4096];

            public long received()
            {
                return image.size();
            }

            public void write(final org.agrona.DirectBuffer source, final int offset, final int length)
            {
                for (int done = 0; done < length; )
                {
                    final int n = Math.min(copy.length, length - done);
                    source.getBytes(offset + done, copy, 0, n);
                    image.write(copy, 0, n);
                    done += n;
                }
            }

            public void complete()
            {
                final byte[] bytes = image.toByteArray();
                try (CheckpointFile.Reader reader = CheckpointFile.openChecked(
                    () -> Channels.newChannel(new ByteArrayInputStream(bytes)), position))
                {
                    if (reader.chk() != chk)
                    {
                        throw new IllegalStateException("it records chk " + reader.chk() + ", not " + chk);
                    }
                }
                catch (final java.io.IOException ex)
                {
                    throw new IllegalStateException(ex.getMessage(), ex);
                }
                checkpoints.put(position, new Checkpoint(chk, bytes, false));
            }

            public void close()
            {
            }
        };
    }

    /** Corrupt the checkpoint at {@code position}: one byte of its data, or of its header when it holds none. */
    public void damage(final long position)
    {
        final Checkpoint checkpoint = checkpoints.get(position);
        if (checkpoint != null)
        {
            final byte[] image = Arrays.copyOf(checkpoint.image, checkpoint.image.length);
            final int at = image.length > CheckpointFile.HEADER_LENGTH + CheckpointFile.CHUNK_HEADER_LENGTH +
                CheckpointFile.END_LENGTH ?
                (CheckpointFile.HEADER_LENGTH + image.length - CheckpointFile.END_LENGTH) / 2 : 8;
            image[at] ^= 0x5A;
            checkpoints.put(position, new Checkpoint(checkpoint.chk, image, true));
        }
    }

    /** How many checkpoints at or above {@code position} were not damaged by {@link #damage}: those that load. */
    public int undamagedAtOrAbove(final long position)
    {
        int count = 0;
        for (final Map.Entry<Long, Checkpoint> entry : checkpoints.tailMap(position, true).entrySet())
        {
            count += entry.getValue().damaged() ? 0 : 1;
        }
        return count;
    }

    /** Whether the checkpoint at {@code position} exists and was not damaged by {@link #damage}. */
    public boolean undamaged(final long position)
    {
        final Checkpoint checkpoint = checkpoints.get(position);
        return checkpoint != null && !checkpoint.damaged();
    }

    /** The positions of the stored checkpoints, oldest first. */
    public long[] positions()
    {
        final long[] positions = new long[checkpoints.size()];
        int i = 0;
        for (final long position : checkpoints.keySet())
        {
            positions[i++] = position;
        }
        return positions;
    }

    /** A copy of this store as it is now (a backup of the disk). */
    public InMemoryCheckpointStore copy()
    {
        final InMemoryCheckpointStore copy = new InMemoryCheckpointStore();
        copy.checkpoints.putAll(checkpoints); // records of arrays never changed in place: sharing them is a copy
        return copy;
    }

    /** Become an exact copy of {@code other} (a disk restored from a backup). */
    public void restore(final InMemoryCheckpointStore other)
    {
        checkpoints.clear();
        checkpoints.putAll(other.checkpoints);
    }

    /** Drop every checkpoint: a wiped disk. */
    public void wipe()
    {
        checkpoints.clear();
    }

    public int size()
    {
        return checkpoints.size();
    }

    public void close()
    {
    }
}
