package io.sequencer.sim;

import io.sequencer.core.EventLog;
import io.sequencer.core.LogEntry;

/**
 * A view of a simulated disk's log that a process is given: every call goes to the log underneath, and a subclass
 * overrides the calls it intercepts (a crash trap inside one). {@link #appendChained} is the interface's, so it goes
 * through {@link #append} and whatever that intercepts. Closing the view leaves the log: the disk outlives the process.
 */
public class ForwardingEventLog implements EventLog
{
    protected final EventLog log;

    public ForwardingEventLog(final EventLog log)
    {
        this.log = log;
    }

    public long logId()
    {
        return log.logId();
    }

    public long have()
    {
        return log.have();
    }

    public long base()
    {
        return log.base();
    }

    public long baseEpoch()
    {
        return log.baseEpoch();
    }

    public long chkAt(final long position)
    {
        return log.chkAt(position);
    }

    public long append(final LogEntry entry)
    {
        return log.append(entry);
    }

    public boolean read(final long position, final LogEntry entry)
    {
        return log.read(position, entry);
    }

    public void unrollTo(final long position, final long floor)
    {
        log.unrollTo(position, floor);
    }

    public void discardUpTo(final long position)
    {
        log.discardUpTo(position);
    }

    public void resetTo(final long base, final long chk, final long baseEpoch)
    {
        log.resetTo(base, chk, baseEpoch);
    }

    public boolean canResetTo(final long base)
    {
        return log.canResetTo(base);
    }

    public long lastEpochStartPosition()
    {
        return log.lastEpochStartPosition();
    }

    public boolean damagedAtOpen()
    {
        return log.damagedAtOpen();
    }

    public void force()
    {
        log.force();
    }

    public void requestForce()
    {
        log.requestForce();
    }

    public long forcedPosition()
    {
        return log.forcedPosition();
    }

    public void close()
    {
    }
}
