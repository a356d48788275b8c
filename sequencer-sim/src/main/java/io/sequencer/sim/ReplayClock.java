package io.sequencer.sim;

import io.sequencer.core.ClusterClock;
import io.sequencer.core.StateMachine;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * docs/protocol.md §12 written again, plainly and apart from the protocol's timer heap: the cluster time is the largest
 * entry time so far, and before each entry the timers it reaches fire in (deadline, id) order, the set taken before
 * the first fires. For replaying a log through a state machine outside a protocol (the checker's reference ledger, a
 * test that replays a member's log), and so a check that the protocol's timers fire where this says they must.
 * Allocates; not for the steady-state path.
 */
public final class ReplayClock implements ClusterClock
{
    private final TreeMap<Long, Long> deadlineById = new TreeMap<>();
    private long time;

    /**
     * The entry at {@code position}, of origin time {@code timestamp}, is next: move the time and fire the timers it
     * reaches on {@code machine}. Apply the entry after this.
     */
    public void beforeEntry(final long position, final long timestamp, final StateMachine machine)
    {
        time = Math.max(time, timestamp);
        final List<long[]> due = new ArrayList<>();
        deadlineById.forEach((id, deadline) ->
        {
            if (deadline <= time)
            {
                due.add(new long[] { deadline, id });
            }
        });
        due.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        for (final long[] timer : due)
        {
            deadlineById.remove(timer[1]);
        }
        for (final long[] timer : due)
        {
            machine.onTimer(position, timer[1], timer[0]);
        }
    }

    public long time()
    {
        return time;
    }

    public void scheduleTimer(final long timerId, final long deadlineNs)
    {
        deadlineById.put(timerId, deadlineNs);
    }

    public boolean cancelTimer(final long timerId)
    {
        return deadlineById.remove(timerId) != null;
    }

    /** Timers scheduled and not yet fired. */
    public int scheduled()
    {
        return deadlineById.size();
    }

    /** The deadline of timer {@code timerId}, or null when none is scheduled. */
    public Long deadlineOf(final long timerId)
    {
        return deadlineById.get(timerId);
    }
}
