package io.sequencer.core.memory;

import io.sequencer.core.Checksum;
import io.sequencer.core.EntryType;
import io.sequencer.core.EventLog;
import io.sequencer.core.LogEntry;
import io.sequencer.core.LogUnwritableException;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import java.util.Arrays;

/**
 * An {@link EventLog} on the heap, for tests and the simulator. Storage grows by doubling, so a warm log appends
 * without allocating. {@link #forcedPosition()} is tracked so that a simulated power loss can drop the unforced
 * tail.
 */
public final class InMemoryEventLog implements EventLog
{
    private long[] epoch;
    private long[] counter;
    private long[] incarnation;
    private long[] localSeq;
    private long[] timestamp;
    private long[] chk;
    private int[] typeAndOrigin;
    private int[] payloadOffset;
    private int[] payloadLength;
    private final ExpandableArrayBuffer payloads;
    private int payloadTail;
    private int have;
    private int base;
    private long baseEpoch;
    private long forced;
    /** With {@link #deferRequestedForces}: what {@link #requestForce()} last asked for, not forced yet. */
    private long forceRequested;
    private boolean deferRequestedForces;
    /** The entries the log has room for above its base (a disk's size); appends beyond throw. */
    private long room = Long.MAX_VALUE;
    /** With {@link #failForces}: every force fails, as after a failed fdatasync. */
    private boolean forcesFail;
    private int[] epochStarts = new int[16];
    private int epochStartCount;
    private boolean damagedAtOpen;
    private boolean damageSinceOpen;
    private long lowMark;
    private long resets;
    private long logId = 1;

    public InMemoryEventLog()
    {
        this(1024, 64 * 1024);
    }

    public InMemoryEventLog(final int initialEntries, final int initialPayloadBytes)
    {
        final int n = Math.max(2, initialEntries + 1);
        epoch = new long[n];
        counter = new long[n];
        incarnation = new long[n];
        localSeq = new long[n];
        timestamp = new long[n];
        chk = new long[n];
        typeAndOrigin = new int[n];
        payloadOffset = new int[n];
        payloadLength = new int[n];
        payloads = new ExpandableArrayBuffer(Math.max(64, initialPayloadBytes));
        chk[0] = Checksum.EMPTY;
        lowMark = Long.MAX_VALUE;
    }

    public long logId()
    {
        return logId;
    }

    public long have()
    {
        return have;
    }

    public long base()
    {
        return base;
    }

    public long baseEpoch()
    {
        return baseEpoch;
    }

    public long chkAt(final long position)
    {
        if (position < base || position > have)
        {
            throw new IllegalArgumentException("position " + position + " outside " + base + ".." + have);
        }
        return chk[(int)position];
    }

    public long append(final LogEntry entry)
    {
        final int type = entry.type();
        final int originId = entry.originId();
        final DirectBuffer payload = entry.payload();
        final int payloadOffset = entry.payloadOffset();
        final int payloadLength = entry.payloadLength();
        final int position = have + 1;
        if (position - base > room)
        {
            throw new LogUnwritableException("in-memory event log: no room for entry " + position + ", not appended",
                new java.io.IOException("No space left on device"));
        }
        if (position >= this.epoch.length)
        {
            grow();
        }
        payloads.putBytes(payloadTail, payload, payloadOffset, payloadLength);
        this.epoch[position] = entry.epoch();
        this.counter[position] = entry.counter();
        this.incarnation[position] = entry.incarnation();
        this.localSeq[position] = entry.localSeq();
        this.timestamp[position] = entry.timestamp();
        this.typeAndOrigin[position] = (type << 16) | (originId & 0xFFFF);
        this.payloadOffset[position] = payloadTail;
        this.payloadLength[position] = payloadLength;
        this.chk[position] = entry.expectedChk(chk[position - 1]);
        entry.at(position, chk[position]);
        payloadTail += payloadLength;
        have = position;
        if (type == EntryType.EPOCH_START)
        {
            if (epochStartCount == epochStarts.length)
            {
                epochStarts = Arrays.copyOf(epochStarts, epochStarts.length * 2);
            }
            epochStarts[epochStartCount++] = position;
        }
        return position;
    }

    public boolean read(final long position, final LogEntry entry)
    {
        if (position <= base || position > have)
        {
            return false;
        }
        final int p = (int)position;
        entry.set(
            position, typeAndOrigin[p] >>> 16, epoch[p], counter[p], (short)typeAndOrigin[p], incarnation[p],
            localSeq[p], timestamp[p], chk[p], payloads, payloadOffset[p], payloadLength[p]);
        return true;
    }

    public void force()
    {
        throwIfForcesFail();
        forced = have;
    }

    /** Forces at once, unless {@link #deferRequestedForces} made it wait for {@link #completeRequestedForce()}. */
    public void requestForce()
    {
        throwIfForcesFail();
        if (deferRequestedForces)
        {
            forceRequested = have;
        }
        else
        {
            force();
        }
    }

    /**
     * Leave room for {@code entries} above the base, as a disk of that size would: an append beyond throws
     * {@link LogUnwritableException} and changes nothing. {@code Long.MAX_VALUE} (the default): no limit.
     */
    public InMemoryEventLog room(final long entries)
    {
        room = entries;
        return this;
    }

    /** The entries the log has room for above its base ({@link #room(long)}). */
    public long room()
    {
        return room;
    }

    /**
     * Have {@link #requestForce()} only note the request, as a log that forces on a thread of its own does until that
     * thread is done: {@link #completeRequestedForce()} is that moment.
     */
    public InMemoryEventLog deferRequestedForces(final boolean defer)
    {
        deferRequestedForces = defer;
        return this;
    }

    /**
     * From now on ({@code fail} true) every force fails, as a log's does after a failed fdatasync: nothing more counts
     * as forced, and {@link #force()} and {@link #requestForce()} throw {@link LogUnwritableException}. A force
     * requested and not done yet never completes.
     */
    public InMemoryEventLog failForces(final boolean fail)
    {
        forcesFail = fail;
        forceRequested = forced;
        return this;
    }

    private void throwIfForcesFail()
    {
        if (forcesFail)
        {
            throw new LogUnwritableException("in-memory event log: a force failed; nothing after entry " + forced +
                " counts as forced", new java.io.IOException("Input/output error"));
        }
    }

    /** The force last requested is done: everything up to where it was asked for is forced. */
    public void completeRequestedForce()
    {
        forced = Math.max(forced, forceRequested);
    }

    public long forcedPosition()
    {
        return forced;
    }

    public void unrollTo(final long position, final long floor)
    {
        if (position < floor)
        {
            throw new IllegalArgumentException("unrollTo(" + position + ") below the floor " + floor);
        }
        unrollTo(position);
    }

    private void unrollTo(final long position)
    {
        if (position < base || position > have)
        {
            throw new IllegalArgumentException("unrollTo(" + position + ") outside " + base + ".." + have);
        }
        have = (int)position;
        lowMark = Math.min(lowMark, have);
        payloadTail = have == base ? 0 : payloadOffset[have] + payloadLength[have];
        forced = Math.min(forced, have);
        forceRequested = Math.min(forceRequested, have); // a later force does not cover what replaces the cut part
        while (epochStartCount > 0 && epochStarts[epochStartCount - 1] > have)
        {
            epochStartCount--;
        }
    }

    /**
     * The lowest length the log had since the last call (for a checker that reads the log incrementally and must
     * notice that a tail was cut and rewritten), then start watching again.
     */
    public long takeLowMark()
    {
        final long mark = Math.min(lowMark, have);
        lowMark = Long.MAX_VALUE;
        return mark;
    }

    public boolean damagedAtOpen()
    {
        return damagedAtOpen;
    }

    public long lastEpochStartPosition()
    {
        return epochStartCount == 0 ? 0 : epochStarts[epochStartCount - 1];
    }

    public void discardUpTo(final long position)
    {
        if (position < 0)
        {
            throw new IllegalArgumentException("discardUpTo(" + position + ")");
        }
        final int newBase = (int)Math.min(position, have);
        if (newBase <= base)
        {
            return;
        }
        int kept = 0;
        for (int i = 0; i < epochStartCount; i++)
        {
            if (epochStarts[i] <= newBase)
            {
                baseEpoch = epoch[epochStarts[i]];
            }
            else
            {
                epochStarts[kept++] = epochStarts[i];
            }
        }
        epochStartCount = kept;
        base = newBase;
    }

    public void resetTo(final long base, final long chk, final long baseEpoch)
    {
        if (base < 0 || base >= Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("resetTo(" + base + ")");
        }
        while (base >= this.epoch.length)
        {
            grow();
        }
        this.base = (int)base;
        this.baseEpoch = baseEpoch;
        have = (int)base;
        this.chk[(int)base] = chk;
        payloadTail = 0;
        forced = base;
        forceRequested = base;
        epochStartCount = 0;
        lowMark = Math.min(lowMark, base);
        resets++;
    }

    /**
     * How many times the log was reset ({@link #resetTo}), for a checker that reads it incrementally: a reset replaces
     * every entry, also those below a new base above the old end, which the low mark (the base) does not show as cut.
     */
    public long resets()
    {
        return resets;
    }

    public boolean canResetTo(final long base)
    {
        return base >= 0 && base < Integer.MAX_VALUE;
    }

    /**
     * Simulated power loss: everything after the last {@link #force()} may be gone; {@code keep} entries of it stay.
     */
    public void dropUnforced(final long keep)
    {
        unrollTo(Math.min(have, Math.max(base, forced) + Math.max(0, keep)));
    }

    /** Simulated torn write: the last entry's bytes are damaged, as if the process died in the middle of writing it. */
    public void tearLastEntry()
    {
        if (have > 0)
        {
            tearEntry(have);
        }
    }

    /** Simulated loss of the bytes of the entry at {@code position}: the chain breaks there, and an open cuts it. */
    public void tearEntry(final long position)
    {
        if (position <= base || position > have)
        {
            throw new IllegalArgumentException("position " + position + " outside " + (base + 1) + ".." + have);
        }
        chk[(int)position] ^= 0x5A5AL;
    }

    /**
     * Simulated loss of the last {@code entries} entries without a trace (a lost file of the log's tail): what is
     * left is a whole, well-chained log, so opening it finds nothing wrong.
     */
    public void loseTail(final long entries)
    {
        unrollTo(Math.max(base, have - Math.max(0, entries)));
    }

    /**
     * Simulated damage of the entry at {@code position} (bad sectors), as the next open finds it: that entry and
     * everything after it are cut now (nothing can read them any more), and the next {@link #recover()} reports the
     * log damaged when more than one entry went.
     */
    public void damage(final long position)
    {
        if (position > base && position <= have)
        {
            damageSinceOpen |= have - position + 1 > 1;
            unrollTo(position - 1);
        }
    }

    /** A copy of this log as it is now (a backup of the disk). */
    public InMemoryEventLog copy()
    {
        final InMemoryEventLog copy = new InMemoryEventLog(Math.max(1, have), Math.max(64, payloadTail));
        copy.restore(this);
        return copy;
    }

    /**
     * Become an exact copy of {@code other} (a disk restored from a backup), identity included. The checker's low
     * mark drops to 0: anything may differ.
     */
    public void restore(final InMemoryEventLog other)
    {
        final int n = Math.max(2, other.have + 1);
        epoch = Arrays.copyOf(other.epoch, Math.max(n, epoch.length));
        counter = Arrays.copyOf(other.counter, epoch.length);
        incarnation = Arrays.copyOf(other.incarnation, epoch.length);
        localSeq = Arrays.copyOf(other.localSeq, epoch.length);
        timestamp = Arrays.copyOf(other.timestamp, epoch.length);
        chk = Arrays.copyOf(other.chk, epoch.length);
        typeAndOrigin = Arrays.copyOf(other.typeAndOrigin, epoch.length);
        payloadOffset = Arrays.copyOf(other.payloadOffset, epoch.length);
        payloadLength = Arrays.copyOf(other.payloadLength, epoch.length);
        payloads.putBytes(0, other.payloads, 0, other.payloadTail);
        payloadTail = other.payloadTail;
        have = other.have;
        base = other.base;
        baseEpoch = other.baseEpoch;
        forced = other.forced;
        forceRequested = forced; // a force in flight dies with its process
        epochStarts = Arrays.copyOf(other.epochStarts, other.epochStarts.length);
        epochStartCount = other.epochStartCount;
        damagedAtOpen = other.damagedAtOpen;
        damageSinceOpen = other.damageSinceOpen;
        logId = other.logId;
        lowMark = 0;
    }

    /** Wiped disk (or a lost log directory): the log is empty and, created anew, has another identity. */
    public void wipe()
    {
        resetTo(0, Checksum.EMPTY, 0);
        logId++;
    }

    /**
     * What a log does when it is opened: verify the checksum chain and cut a damaged tail back to the last good
     * entry.
     *
     * @return how many entries were dropped.
     */
    public long recover()
    {
        final LogEntry entry = new LogEntry();
        long previous = chk[base];
        damagedAtOpen = damageSinceOpen;
        damageSinceOpen = false;
        for (long p = base + 1; p <= have; p++)
        {
            read(p, entry);
            if (entry.expectedChk(previous) != entry.chk())
            {
                final long dropped = have - (p - 1);
                unrollTo(p - 1);
                damagedAtOpen |= dropped > 1; // more than the one write a crash can tear
                return dropped;
            }
            previous = entry.chk();
        }
        return 0;
    }

    public void close()
    {
    }

    private void grow()
    {
        final int n = epoch.length * 2;
        epoch = Arrays.copyOf(epoch, n);
        counter = Arrays.copyOf(counter, n);
        incarnation = Arrays.copyOf(incarnation, n);
        localSeq = Arrays.copyOf(localSeq, n);
        timestamp = Arrays.copyOf(timestamp, n);
        chk = Arrays.copyOf(chk, n);
        typeAndOrigin = Arrays.copyOf(typeAndOrigin, n);
        payloadOffset = Arrays.copyOf(payloadOffset, n);
        payloadLength = Arrays.copyOf(payloadLength, n);
    }
}
