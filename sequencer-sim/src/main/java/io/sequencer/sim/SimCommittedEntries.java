package io.sequencer.sim;

import io.sequencer.core.CommittedEntries;
import io.sequencer.core.EventLog;
import io.sequencer.core.LogEntry;

import java.util.function.LongSupplier;

/**
 * A simulated member's committed entries for its {@link io.sequencer.core.protocol.Snapshotter}: read from its log
 * up to the protocol's {@code g}, as the runtime's reader follows the published counter, on the caller's thread.
 * Allocates nothing per entry.
 */
public final class SimCommittedEntries implements CommittedEntries
{
    private final EventLog log;
    private final LongSupplier committed;
    private final LogEntry entry = new LogEntry();
    private long next;

    public SimCommittedEntries(final EventLog log, final LongSupplier committed, final long from)
    {
        this.log = log;
        this.committed = committed;
        this.next = from;
    }

    public int poll(final Handler handler, final int limit)
    {
        final long bound = Math.min(committed.getAsLong(), log.have());
        if (next <= log.base())
        {
            // reset under an installed snapshot, or discarded: the snapshot thread starts again from a checkpoint
            throw new io.sequencer.core.RecoveredFault("entry " + next + " is no longer in the log: it starts above " +
                log.base());
        }
        int count = 0;
        while (count < limit && next <= bound && log.read(next, entry))
        {
            next++;
            count++;
            handler.onEntry(entry);
        }
        return count;
    }

    public void close()
    {
    }
}
