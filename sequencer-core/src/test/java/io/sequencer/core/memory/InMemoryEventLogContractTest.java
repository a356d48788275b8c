package io.sequencer.core.memory;

import io.sequencer.core.EventLog;
import io.sequencer.core.EventLogContract;
import io.sequencer.core.LogEntry;

/**
 * {@link InMemoryEventLog} against the {@link EventLogContract}: the reference semantics pass their own suite.
 * "Reopening" runs the recovery an open runs on the same instance; damage is a checksum that does not chain.
 */
class InMemoryEventLogContractTest extends EventLogContract
{
    protected EventLog newLog()
    {
        return new InMemoryEventLog(16, 256);
    }

    protected EventLog reopen(final EventLog log)
    {
        ((InMemoryEventLog)log).recover();
        return log;
    }

    protected EventLog damageAndReopen(final EventLog log, final long position)
    {
        // rebuild the same history with the entry at position torn: the entries after it chain onto the torn checksum
        // as they would on a disk whose bytes at position were damaged after they were written
        final InMemoryEventLog damaged = new InMemoryEventLog(16, 256);
        final LogEntry entry = new LogEntry();
        for (long p = 1; p <= log.have(); p++)
        {
            log.read(p, entry);
            damaged.append(entry);
            if (p == position)
            {
                damaged.tearLastEntry();
            }
        }
        damaged.recover();
        return damaged;
    }

    protected int cycleLength()
    {
        return 8;
    }
}
