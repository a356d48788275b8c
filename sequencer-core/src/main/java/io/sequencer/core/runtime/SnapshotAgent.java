package io.sequencer.core.runtime;

import io.sequencer.core.Snapshotter;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The snapshot thread's duty cycle: the {@link Snapshotter}'s work, and now and then a look for an operator's request
 * ({@link #REQUEST_FILE} in the member's directory, which {@code sequencer snapshot} writes): the checkpoint is taken
 * at the next committed entry, or at once when every committed entry is applied, and the request file is then
 * removed, which tells the command it is done.
 */
public final class SnapshotAgent implements Agent
{
    /** The file an operator's {@code sequencer snapshot} writes into the member's directory. */
    public static final String REQUEST_FILE = "snapshot.request";
    private static final long LOOK_INTERVAL_NS = 100_000_000L;

    private final Snapshotter snapshotter;
    private final Path request;
    private final NanoClock clock;
    private final String roleName;
    private long lastLookNs;
    private boolean requestPending;

    SnapshotAgent(final Snapshotter snapshotter, final Path memberDirectory, final NanoClock clock, final int memberId)
    {
        this.snapshotter = snapshotter;
        this.request = memberDirectory.resolve(REQUEST_FILE);
        this.clock = clock;
        this.roleName = "sequencer-snapshot-" + memberId;
        this.lastLookNs = clock.nanoTime() - LOOK_INTERVAL_NS;
    }

    public int doWork()
    {
        final long nowNs = clock.nanoTime();
        int work = snapshotter.doWork(nowNs);
        if (nowNs - lastLookNs >= LOOK_INTERVAL_NS)
        {
            lastLookNs = nowNs;
            work += lookForRequest();
        }
        return work;
    }

    public String roleName()
    {
        return roleName;
    }

    private int lookForRequest()
    {
        if (!requestPending)
        {
            if (Files.exists(request))
            {
                snapshotter.requestSnapshot();
                requestPending = true;
                return 1;
            }
            return 0;
        }
        if (snapshotter.snapshotRequested())
        {
            return 0;
        }
        requestPending = false;
        try
        {
            Files.deleteIfExists(request);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot remove " + request + " after the checkpoint it asked for", ex);
        }
        return 1;
    }
}
