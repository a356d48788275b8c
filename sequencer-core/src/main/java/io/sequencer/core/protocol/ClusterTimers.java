package io.sequencer.core.protocol;

import io.sequencer.core.ClusterClock;
import io.sequencer.core.StateMachine;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import java.util.Arrays;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The cluster time and the state machine's timers (docs/protocol.md §12): replicated state, derived from the log
 * alone. The time is the largest origin time of the entries applied so far; before an entry is applied, every timer
 * whose deadline the time has reached fires, in order of deadline then id.
 * <p>
 * The timers are a binary min-heap on {@code (deadline, id)} with an index from id to heap slot, so scheduling,
 * replacing and cancelling are O(log n) and nothing is left behind to skip. Grows by doubling; no allocation once
 * warm. Single-threaded: the duty cycle's.
 */
final class ClusterTimers implements ClusterClock
{
    /** Checkpoint section: time, count, then {@code count} pairs of (deadline, id), sorted. */
    static final int SECTION_HEADER_LENGTH = 2 * Long.BYTES;
    static final int TIMER_LENGTH = 2 * Long.BYTES;

    private long time;
    private long[] deadline = new long[16];
    private long[] id = new long[16];
    private int size;
    private final Long2LongHashMap slotById = new Long2LongHashMap(-1);

    // The timers of one firing pass, taken off the heap before the first fires (a timer scheduled or replaced by a
    // callback waits for the next entry); one cancelled or replaced during the pass is marked dead here.
    private long[] dueDeadline = new long[16];
    private long[] dueId = new long[16];
    private boolean[] dueLive = new boolean[16];
    /** Slot of each timer in the current pass, so a callback's schedule or cancel finds it at once. */
    private final Long2LongHashMap dueSlotById = new Long2LongHashMap(-1);
    private int dueCount;
    private int dueCursor;

    private boolean inCallback;
    private long fired;

    public long time()
    {
        requireCallback("time");
        return time;
    }

    public void scheduleTimer(final long timerId, final long deadlineNs)
    {
        requireCallback("scheduleTimer");
        killDue(timerId);
        final long slot = slotById.get(timerId);
        if (slot >= 0)
        {
            removeAt((int)slot);
        }
        insert(deadlineNs, timerId);
    }

    public boolean cancelTimer(final long timerId)
    {
        requireCallback("cancelTimer");
        final boolean wasDue = killDue(timerId);
        final long slot = slotById.get(timerId);
        if (slot >= 0)
        {
            removeAt((int)slot);
            return true;
        }
        return wasDue;
    }

    /** The cluster time, outside a callback (the protocol's own view). */
    long currentTime()
    {
        return time;
    }

    /** @return the earliest deadline, or {@link Long#MAX_VALUE} when no timer is scheduled. */
    long earliestDeadline()
    {
        return size == 0 ? Long.MAX_VALUE : deadline[0];
    }

    int scheduled()
    {
        return size;
    }

    /** @return timers fired since this object was made (a counter, not replicated state). */
    long fired()
    {
        return fired;
    }

    /** Back to the state before position 1: time 0, no timers. */
    void reset()
    {
        time = 0;
        size = 0;
        slotById.clear();
        dueCount = 0;
        dueCursor = 0;
        dueSlotById.clear();
    }

    /**
     * The entry at {@code position} with origin time {@code timestamp} is about to be applied: move the time, fire the
     * due timers, and leave the clock open for the entry's {@link StateMachine#apply} (closed by {@link #endApply}).
     *
     * @return the number of timer callbacks that threw (each reported to {@code errorHandler}).
     */
    int beginApply(
        final long position, final long timestamp, final StateMachine stateMachine,
        final ErrorHandler errorHandler)
    {
        if (timestamp > time)
        {
            time = timestamp;
        }
        int failures = 0;
        inCallback = true;
        if (size > 0 && deadline[0] <= time)
        {
            dueCount = 0;
            while (size > 0 && deadline[0] <= time)
            {
                addDue(deadline[0], id[0]);
                removeAt(0);
            }
            for (dueCursor = 0; dueCursor < dueCount; dueCursor++)
            {
                if (!dueLive[dueCursor])
                {
                    continue;
                }
                fired++;
                try
                {
                    stateMachine.onTimer(position, dueId[dueCursor], dueDeadline[dueCursor]);
                }
                catch (final RuntimeException ex)
                {
                    failures++;
                    errorHandler.onError(ex);
                }
            }
            dueCount = 0;
            dueCursor = 0;
            dueSlotById.clear();
        }
        return failures;
    }

    /** The entry's apply is over: the clock is closed to calls until the next entry. */
    void endApply()
    {
        inCallback = false;
    }

    /**
     * Write the time and the timers, sorted by (deadline, id) so that equal states give equal bytes.
     *
     * @return the number of bytes written at {@code offset}.
     */
    int write(final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putLong(offset, time, LITTLE_ENDIAN);
        buffer.putLong(offset + Long.BYTES, size, LITTLE_ENDIAN);
        ensureDue(size);
        // heap order is not sorted order: sort a copy by (deadline, id) through the due arrays
        System.arraycopy(deadline, 0, dueDeadline, 0, size);
        System.arraycopy(id, 0, dueId, 0, size);
        sortDue(size);
        int at = offset + SECTION_HEADER_LENGTH;
        for (int i = 0; i < size; i++)
        {
            buffer.putLong(at, dueDeadline[i], LITTLE_ENDIAN);
            buffer.putLong(at + Long.BYTES, dueId[i], LITTLE_ENDIAN);
            at += TIMER_LENGTH;
        }
        return at - offset;
    }

    /**
     * Replace the time and the timers with a section written by {@link #write}.
     *
     * @return the section's length, or -1 when it does not fit in {@code length} bytes (nothing changed) or names a
     *         timer twice (the timers are then empty): no section {@link #write} wrote.
     */
    int read(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < SECTION_HEADER_LENGTH)
        {
            return -1;
        }
        final long count = buffer.getLong(offset + Long.BYTES, LITTLE_ENDIAN);
        if (count < 0 || count > (length - SECTION_HEADER_LENGTH) / TIMER_LENGTH)
        {
            return -1;
        }
        reset();
        time = buffer.getLong(offset, LITTLE_ENDIAN);
        int at = offset + SECTION_HEADER_LENGTH;
        for (long i = 0; i < count; i++)
        {
            final long timerId = buffer.getLong(at + Long.BYTES, LITTLE_ENDIAN);
            if (slotById.containsKey(timerId))
            {
                reset(); // an id twice: no section this class wrote
                return -1;
            }
            insert(buffer.getLong(at, LITTLE_ENDIAN), timerId);
            at += TIMER_LENGTH;
        }
        return at - offset;
    }

    private void requireCallback(final String call)
    {
        if (!inCallback)
        {
            throw new IllegalStateException(call + " outside apply and onTimer: the cluster time and timers are " +
                "replicated state, only an entry's apply may read or change them");
        }
    }

    /** Mark a timer of this id that is due later in the current firing pass as dead; @return whether one was. */
    private boolean killDue(final long timerId)
    {
        if (dueCount == 0)
        {
            return false;
        }
        final long slot = dueSlotById.get(timerId);
        if (slot > dueCursor && dueLive[(int)slot])
        {
            dueLive[(int)slot] = false;
            return true;
        }
        return false;
    }

    private void addDue(final long d, final long timerId)
    {
        ensureDue(dueCount + 1);
        dueDeadline[dueCount] = d;
        dueId[dueCount] = timerId;
        dueLive[dueCount] = true;
        dueSlotById.put(timerId, dueCount);
        dueCount++;
    }

    private void ensureDue(final int capacity)
    {
        if (capacity > dueDeadline.length)
        {
            final int n = Math.max(capacity, dueDeadline.length * 2);
            dueDeadline = Arrays.copyOf(dueDeadline, n);
            dueId = Arrays.copyOf(dueId, n);
            dueLive = Arrays.copyOf(dueLive, n);
        }
    }

    /** Heapsort of the first {@code n} due pairs, ascending by (deadline, id); in place, no allocation. */
    private void sortDue(final int n)
    {
        for (int i = n / 2 - 1; i >= 0; i--)
        {
            siftDownMax(i, n);
        }
        for (int end = n - 1; end > 0; end--)
        {
            swapDue(0, end);
            siftDownMax(0, end);
        }
    }

    private void siftDownMax(final int start, final int n)
    {
        int i = start;
        while (true)
        {
            final int left = 2 * i + 1;
            if (left >= n)
            {
                return;
            }
            int largest = left;
            if (left + 1 < n && before(dueDeadline[left], dueId[left], dueDeadline[left + 1], dueId[left + 1]))
            {
                largest = left + 1;
            }
            if (!before(dueDeadline[i], dueId[i], dueDeadline[largest], dueId[largest]))
            {
                return;
            }
            swapDue(i, largest);
            i = largest;
        }
    }

    private void swapDue(final int a, final int b)
    {
        final long d = dueDeadline[a];
        final long t = dueId[a];
        dueDeadline[a] = dueDeadline[b];
        dueId[a] = dueId[b];
        dueDeadline[b] = d;
        dueId[b] = t;
    }

    private static boolean before(final long d1, final long id1, final long d2, final long id2)
    {
        return d1 < d2 || (d1 == d2 && id1 < id2);
    }

    private void insert(final long d, final long timerId)
    {
        if (size == deadline.length)
        {
            deadline = Arrays.copyOf(deadline, size * 2);
            id = Arrays.copyOf(id, size * 2);
        }
        deadline[size] = d;
        id[size] = timerId;
        slotById.put(timerId, size);
        siftUp(size++);
    }

    private void removeAt(final int slot)
    {
        slotById.remove(id[slot]);
        final int last = --size;
        if (slot == last)
        {
            return;
        }
        deadline[slot] = deadline[last];
        id[slot] = id[last];
        slotById.put(id[slot], slot);
        siftDown(slot);
        siftUp(slot);
    }

    private void siftUp(final int start)
    {
        int i = start;
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (!before(deadline[i], id[i], deadline[parent], id[parent]))
            {
                return;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(final int start)
    {
        int i = start;
        while (true)
        {
            final int left = 2 * i + 1;
            if (left >= size)
            {
                return;
            }
            int least = left;
            if (left + 1 < size && before(deadline[left + 1], id[left + 1], deadline[left], id[left]))
            {
                least = left + 1;
            }
            if (!before(deadline[least], id[least], deadline[i], id[i]))
            {
                return;
            }
            swap(i, least);
            i = least;
        }
    }

    private void swap(final int a, final int b)
    {
        final long d = deadline[a];
        final long t = id[a];
        deadline[a] = deadline[b];
        id[a] = id[b];
        deadline[b] = d;
        id[b] = t;
        slotById.put(id[a], a);
        slotById.put(id[b], b);
    }
}
