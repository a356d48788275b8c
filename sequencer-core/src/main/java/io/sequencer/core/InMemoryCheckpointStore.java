package io.sequencer.core;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.util.TreeMap;

/**
 * A {@link CheckpointStore} on the heap, for tests and the simulator. {@link #damage(long)} models a corrupted
 * checkpoint file, which must be skipped.
 */
public final class InMemoryCheckpointStore implements CheckpointStore
{
    private record Checkpoint(long chk, byte[] data, boolean damaged)
    {
    }

    private final TreeMap<Long, Checkpoint> checkpoints = new TreeMap<>();

    public void save(final long position, final long chk, final DirectBuffer data, final int offset, final int length)
    {
        final byte[] copy = new byte[length];
        data.getBytes(offset, copy);
        checkpoints.put(position, new Checkpoint(chk, copy, false));
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

    public int read(final long position, final ExpandableArrayBuffer into)
    {
        final Checkpoint checkpoint = checkpoints.get(position);
        if (checkpoint == null || checkpoint.damaged)
        {
            return -1;
        }
        into.putBytes(0, checkpoint.data);
        return checkpoint.data.length;
    }

    public void unrollUntil(final long position)
    {
        checkpoints.tailMap(position, false).clear();
    }

    /** Corrupt the checkpoint at {@code position}. */
    public void damage(final long position)
    {
        final Checkpoint checkpoint = checkpoints.get(position);
        if (checkpoint != null)
        {
            checkpoints.put(position, new Checkpoint(checkpoint.chk, checkpoint.data, true));
        }
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
        copy.checkpoints.putAll(checkpoints); // records of immutable arrays: sharing them is a copy
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
