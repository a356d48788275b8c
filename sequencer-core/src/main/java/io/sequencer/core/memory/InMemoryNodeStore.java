package io.sequencer.core.memory;

import io.sequencer.core.NodeStore;

/**
 * A {@link NodeStore} on the heap, for tests and the simulator. It outlives the protocol objects that use it, as a
 * file outlives a process. {@link #wipe()} models a lost disk, or a damaged file (which reads as a new store);
 * {@link #copy()} and {@link #restore} an old backup put back.
 */
public final class InMemoryNodeStore implements NodeStore
{
    private boolean initialized;
    private long logId;
    private long highWater;
    private long currentEpoch;
    private long guaranteed;
    private boolean amnesia;
    private long bootId;
    private long unrollIntent = -1;

    public boolean initialized()
    {
        return initialized;
    }

    public void initialize()
    {
        initialized = true;
    }

    public long logId()
    {
        return logId;
    }

    public void logId(final long logId)
    {
        this.logId = logId;
    }

    public long highWater()
    {
        return highWater;
    }

    public void highWater(final long position)
    {
        highWater = position;
    }

    public long currentEpoch()
    {
        return currentEpoch;
    }

    public void currentEpoch(final long epoch)
    {
        currentEpoch = epoch;
    }

    public long guaranteed()
    {
        return guaranteed;
    }

    public void guaranteed(final long guaranteed)
    {
        this.guaranteed = guaranteed;
    }

    public boolean amnesia()
    {
        return amnesia;
    }

    public void amnesia(final boolean amnesia)
    {
        this.amnesia = amnesia;
    }

    public long bootId()
    {
        return bootId;
    }

    public void bootId(final long bootId)
    {
        this.bootId = bootId;
    }

    public long unrollIntent()
    {
        return unrollIntent;
    }

    public void unrollIntent(final long position)
    {
        unrollIntent = position;
    }

    /** The disk is gone: everything returns to a new store's values. */
    public void wipe()
    {
        initialized = false;
        logId = 0;
        highWater = 0;
        currentEpoch = 0;
        guaranteed = 0;
        amnesia = false;
        bootId = 0;
        unrollIntent = -1;
    }

    /** A copy of this store as it is now (a backup of the disk). */
    public InMemoryNodeStore copy()
    {
        final InMemoryNodeStore copy = new InMemoryNodeStore();
        copy.restore(this);
        return copy;
    }

    /** Become an exact copy of {@code other} (a disk restored from a backup). */
    public void restore(final InMemoryNodeStore other)
    {
        initialized = other.initialized;
        logId = other.logId;
        highWater = other.highWater;
        currentEpoch = other.currentEpoch;
        guaranteed = other.guaranteed;
        amnesia = other.amnesia;
        bootId = other.bootId;
        unrollIntent = other.unrollIntent;
    }

    public void close()
    {
    }
}
