package io.sequencer.core.protocol;

import io.sequencer.core.CheckpointFile;
import io.sequencer.core.CheckpointStore;
import io.sequencer.core.Checksum;
import io.sequencer.core.ClusterConfig;
import io.sequencer.core.CommittedEntries;
import io.sequencer.core.LogEntry;
import io.sequencer.core.ProtocolContext;
import io.sequencer.core.RecoveredFault;
import io.sequencer.core.SnapshotWriter;
import io.sequencer.core.StateMachine;
import org.agrona.ErrorHandler;

import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * Checkpoints taken off the duty cycle (docs/protocol.md §5): a second {@link Replica}, with its own instance of the
 * state machine, follows the member's committed entries on its own thread and writes a checkpoint every
 * {@link ProtocolContext#checkpointInterval()} positions, and when {@link #requestSnapshot() asked}. The duty cycle
 * never serialises state nor waits for a disk to take a checkpoint; it only loads one when it rebuilds.
 * <p>
 * It starts from the newest checkpoint it can load and checks that every entry it applies chains onto the one before
 * ({@link Checksum#chain}), starting from the checkpoint's recorded {@code chk}: a checkpoint whose next entry does
 * not chain on is from another history, and it starts again below it. Committed entries are never cut (§6), so what
 * it writes describes this member's log; the duty cycle loads a checkpoint only if its {@code chk} is the log's.
 * <p>
 * Nothing escapes {@link #doWork}: a failure (a full disk, a log that changed underneath) is counted, reported and
 * retried, never thrown. Single-threaded: its own thread, or the simulator's.
 */
public final class Snapshotter implements AutoCloseable
{
    /** Entries applied per {@link #doWork} at most. */
    public static final int BATCH = 256;
    /** After a failure to start (no log yet, a disk error), the wait before starting again. */
    public static final long RETRY_NS = 1_000_000_000L;

    private final ClusterConfig cluster;
    private final Replica replica;
    private final CheckpointStore checkpoints;
    private final LongFunction<CommittedEntries> entries;
    private final java.util.function.BooleanSupplier mayWork;
    private final ErrorHandler errorHandler;
    private final long interval;
    private final int kept;
    private final long retainedEntries;
    private final java.util.function.LongConsumer retention;
    private final Runnable noCheckpoint;
    private final CommittedEntries.Handler onEntry = this::onEntry;
    private final Consumer<SnapshotWriter> content;
    private CommittedEntries source;
    /** The {@code chk} of the entry at {@code replica.appliedUpTo()}. */
    private long lastChk;
    /** The checkpoint the current source started after; 0 when from position 1. */
    private long startedFrom;
    /** Start from a checkpoint at or below this; lowered past one the log does not continue. */
    private long ceiling = Long.MAX_VALUE;
    private boolean chainBroken;
    private long retryAtNs = Long.MIN_VALUE;
    /** After a failed save (a full disk), the next is not tried before this: each serialises the whole state. */
    private long saveRetryAtNs = Long.MIN_VALUE;
    private long nowNs;
    /** Operators' requests, from any thread; those served, by this one. */
    private final java.util.concurrent.atomic.AtomicLong requestsMade = new java.util.concurrent.atomic.AtomicLong();
    private volatile long requestsServed;
    private volatile long servedAt;
    private volatile long checkpointsTaken;
    private volatile long failures;
    private volatile long position;
    private volatile long lastCheckpoint;

    /**
     * @param stateMachine a second instance of the member's state machine, for this thread alone.
     * @param entries      opens the member's committed entries from a position.
     * @param mayWork      whether to spend CPU on it now: the runtime says so while the member runs in an epoch, and
     *                     not while it boots or catches up, when its duty cycle needs the core (on a small machine a
     *                     snapshot thread replaying a catch-up's entries beside it slowed the catch-up by a fifth).
     * @param retention    told, from this thread, up to where the log may be discarded once a checkpoint is written:
     *                     {@link ProtocolContext#retainedEntries()} below the oldest checkpoint kept
     *                     ({@link SequencerProtocol#retainUpTo}).
     * @param noCheckpoint told, from this thread, that it cannot start: the log starts above position 1 and no
     *                     checkpoint at or above its base loads (they were lost or damaged); the duty cycle then
     *                     writes one of its live state ({@link SequencerProtocol#checkpointNeeded}).
     */
    public Snapshotter(
        final ProtocolContext context,
        final StateMachine stateMachine,
        final CheckpointStore checkpoints,
        final LongFunction<CommittedEntries> entries,
        final java.util.function.BooleanSupplier mayWork,
        final java.util.function.LongConsumer retention,
        final Runnable noCheckpoint,
        final ErrorHandler errorHandler)
    {
        context.conclude();
        this.cluster = context.cluster();
        this.checkpoints = checkpoints;
        this.entries = entries;
        this.mayWork = mayWork;
        this.errorHandler = errorHandler;
        this.interval = context.checkpointInterval();
        this.kept = context.checkpointsKept();
        this.retainedEntries = context.retainedEntries();
        this.retention = retention;
        this.noCheckpoint = noCheckpoint;
        // the duty cycle's replica reports the state machine's failures: the same ones here are only counted
        replica = new Replica(stateMachine, cluster.size(), context.maxResultLength(), ex -> {});
        content = replica::writeCheckpoint;
    }

    /**
     * Apply the committed entries that came, at most {@link #BATCH}, and write the checkpoints they reach.
     *
     * @return the work done: 0 when there was nothing to do.
     */
    public int doWork(final long nowNs)
    {
        this.nowNs = nowNs;
        if (!mayWork.getAsBoolean())
        {
            return 0;
        }
        if (source == null)
        {
            if (nowNs < retryAtNs)
            {
                return 0;
            }
            try
            {
                start();
            }
            catch (final RuntimeException ex)
            {
                failed(ex, nowNs);
            }
            return 1;
        }
        final int count;
        try
        {
            count = source.poll(onEntry, BATCH);
        }
        catch (final RuntimeException ex)
        {
            if (startedFrom == 0 && replica.appliedUpTo() == 0 && ex instanceof RecoveredFault)
            {
                noCheckpoint.run(); // nothing to start from below the log's base: the duty cycle writes one
            }
            ceiling = Long.MAX_VALUE;
            failed(ex, nowNs);
            return 1;
        }
        if (chainBroken)
        {
            final boolean atStart = replica.appliedUpTo() == startedFrom;
            ceiling = atStart && startedFrom > 0 ? startedFrom - 1 : Long.MAX_VALUE;
            failed(new RecoveredFault("snapshot thread: the entry after " + replica.appliedUpTo() + " does not " +
                "chain onto " + (atStart && startedFrom > 0 ? "the checkpoint there; starting below it" :
                "the one before; starting again")), nowNs);
            retryAtNs = nowNs; // at once: nothing is wrong with the disk
            return 1;
        }
        if (count == 0 && snapshotRequested() && replica.appliedUpTo() > 0)
        {
            takeCheckpoint(replica.appliedUpTo()); // asked for, and nothing more is committed
        }
        return count;
    }

    /**
     * Write a checkpoint at the next committed entry, or at once when every committed entry is applied (or find one
     * there already). Any thread may ask.
     *
     * @return the number of requests made so far, this one included: it is served once {@link #requestsServed()}
     *         reaches it.
     */
    public long requestSnapshot()
    {
        return requestsMade.incrementAndGet();
    }

    /** Whether a {@link #requestSnapshot() requested} checkpoint is still to be written. */
    public boolean snapshotRequested()
    {
        return requestsServed < requestsMade.get();
    }

    /** How many requests the checkpoints written (or found) so far served. */
    public long requestsServed()
    {
        return requestsServed;
    }

    /** The position of the checkpoint that served the latest requests. */
    public long servedAt()
    {
        return servedAt;
    }

    /** The checkpoints this snapshotter wrote. */
    public long checkpointsTaken()
    {
        return checkpointsTaken;
    }

    /** Its failures: starts, reads and writes that failed and were retried. */
    public long failures()
    {
        return failures;
    }

    /** The position of the last entry applied. */
    public long position()
    {
        return position;
    }

    /** The position of the last checkpoint it wrote; 0 before the first. */
    public long lastCheckpoint()
    {
        return lastCheckpoint;
    }

    public void close()
    {
        closeSource();
    }

    private void start()
    {
        long checkpoint = checkpoints.latestAtOrBelow(ceiling);
        while (checkpoint > 0)
        {
            final String damage;
            try (CheckpointFile.Reader reader = checkpoints.open(checkpoint))
            {
                damage = reader == null ? "is damaged" : replica.restore(reader, checkpoint);
                if (damage == null)
                {
                    lastChk = reader.chk();
                    break;
                }
            }
            checkpoint = checkpoints.latestAtOrBelow(checkpoint - 1); // the duty cycle reports it if it needs it
        }
        if (checkpoint == 0)
        {
            replica.reset();
            lastChk = Checksum.EMPTY;
        }
        startedFrom = checkpoint;
        position = checkpoint;
        chainBroken = false;
        source = entries.apply(checkpoint + 1);
    }

    private void onEntry(final LogEntry entry)
    {
        if (chainBroken)
        {
            return;
        }
        final long chk = entry.expectedChk(lastChk);
        if (entry.position() != replica.appliedUpTo() + 1 || chk != entry.chk())
        {
            chainBroken = true;
            return;
        }
        replica.apply(entry, cluster.indexOf(entry.originId()));
        lastChk = chk;
        position = entry.position();
        if (entry.position() % interval == 0 || snapshotRequested())
        {
            takeCheckpoint(entry.position());
        }
    }

    private void takeCheckpoint(final long at)
    {
        if (nowNs < saveRetryAtNs)
        {
            return;
        }
        final long made = requestsMade.get(); // a request made while this one is written waits for the next
        if (checkpoints.recordedWith(at, lastChk))
        {
            served(made, at);
            return;
        }
        try
        {
            checkpoints.save(at, lastChk, content); // over one of another history or found damaged, if there is one
            checkpointsTaken++;
            lastCheckpoint = at;
            served(made, at);
            ceiling = Long.MAX_VALUE;
            // retention: the newest `kept`, all at or below g; a rebuild needs the newest at or below its cut, and the
            // duty cycle never cuts below g (§5)
            long oldestKept = at;
            for (int i = 1; i < kept && oldestKept > 0; i++)
            {
                oldestKept = checkpoints.latestAtOrBelow(oldestKept - 1);
            }
            if (oldestKept > 0)
            {
                checkpoints.retainFrom(oldestKept);
                if (oldestKept > retainedEntries)
                {
                    retention.accept(oldestKept - retainedEntries); // the log below it: no rebuild needs it (§13)
                }
            }
        }
        catch (final RuntimeException ex)
        {
            failures++; // a full or failing disk: the next interval, or request, after a pause, tries again
            saveRetryAtNs = nowNs + RETRY_NS;
            errorHandler.onError(ex);
        }
    }

    private void served(final long made, final long at)
    {
        if (requestsServed < made)
        {
            servedAt = at;
            requestsServed = made;
        }
    }

    private void failed(final RuntimeException ex, final long nowNs)
    {
        failures++;
        errorHandler.onError(ex);
        closeSource();
        retryAtNs = nowNs + RETRY_NS;
    }

    private void closeSource()
    {
        final CommittedEntries closing = source;
        source = null;
        if (closing != null)
        {
            try
            {
                closing.close();
            }
            catch (final RuntimeException ex)
            {
                errorHandler.onError(ex);
            }
        }
    }
}
