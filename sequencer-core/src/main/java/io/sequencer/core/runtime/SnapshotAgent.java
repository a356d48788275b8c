package io.sequencer.core.runtime;

import io.sequencer.core.protocol.Snapshotter;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The snapshot thread's duty cycle: the {@link Snapshotter}'s work, and every 100 ms a look for an operator's request:
 * {@link #REQUEST_FILE} in the member's directory, holding a token ({@code sequencer snapshot} writes a new one). The
 * checkpoint is taken at the next committed entry, or at once when every committed entry is applied; then
 * {@link #DONE_FILE} is written with the token and the checkpoint's position, and the request removed if it still
 * holds that token (a newer request is served next).
 */
public final class SnapshotAgent implements Agent
{
    /** The file an operator's {@code sequencer snapshot} writes into the member's directory: one line, a token. */
    public static final String REQUEST_FILE = "snapshot.request";
    /** The answer: the token of the request served and the position of its checkpoint, on one line. */
    public static final String DONE_FILE = "snapshot.done";
    private static final long LOOK_INTERVAL_NS = 100_000_000L;

    private final Snapshotter snapshotter;
    private final Path request;
    private final Path done;
    private final NanoClock clock;
    private final String roleName;
    private long lastLookNs;
    /** The token of the request being served, and the count of requests that serves it; null when none. */
    private String pendingToken;
    private long pendingTarget;
    private String lastServedToken;

    SnapshotAgent(final Snapshotter snapshotter, final Path memberDirectory, final NanoClock clock, final int memberId)
    {
        this.snapshotter = snapshotter;
        this.request = memberDirectory.resolve(REQUEST_FILE);
        this.done = memberDirectory.resolve(DONE_FILE);
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
        if (pendingToken == null)
        {
            final String token = read(request);
            if (token == null || token.equals(lastServedToken))
            {
                return 0;
            }
            pendingToken = token;
            pendingTarget = snapshotter.requestSnapshot();
            return 1;
        }
        if (snapshotter.requestsServed() < pendingTarget)
        {
            return 0;
        }
        final String token = pendingToken;
        pendingToken = null;
        lastServedToken = token;
        try
        {
            final Path temporary = done.resolveSibling(DONE_FILE + ".tmp");
            Files.writeString(temporary, token + " " + snapshotter.servedAt() + "\n", StandardCharsets.US_ASCII);
            Files.move(temporary, done, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            if (token.equals(read(request)))
            {
                Files.deleteIfExists(request);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot answer the snapshot request in " + request, ex);
        }
        return 1;
    }

    /** @return a request or answer file's line, trimmed, or null when it is absent or empty. */
    public static String read(final Path file)
    {
        if (!Files.exists(file))
        {
            // the usual answer, every 100 ms on each snapshot thread: without an exception (its stack trace and
            // garbage), which the read below would raise
            return null;
        }
        try
        {
            final String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            return text.isEmpty() ? null : text;
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
}
