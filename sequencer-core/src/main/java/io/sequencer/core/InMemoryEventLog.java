package io.sequencer.core;

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
    private long[] chk;
    private int[] typeAndOrigin;
    private int[] payloadOffset;
    private int[] payloadLength;
    private final ExpandableArrayBuffer payloads;
    private int payloadTail;
    private int have;
    private long forced;

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
        chk = new long[n];
        typeAndOrigin = new int[n];
        payloadOffset = new int[n];
        payloadLength = new int[n];
        payloads = new ExpandableArrayBuffer(Math.max(64, initialPayloadBytes));
        chk[0] = Checksum.EMPTY;
    }

    public long have()
    {
        return have;
    }

    public long chkAt(final long position)
    {
        if (position < 0 || position > have)
        {
            throw new IllegalArgumentException("position " + position + " outside 0.." + have);
        }
        return chk[(int)position];
    }

    public long append(
        final int type,
        final long epoch,
        final long counter,
        final int originId,
        final long incarnation,
        final long localSeq,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength)
    {
        final int position = have + 1;
        if (position >= this.epoch.length)
        {
            grow();
        }
        payloads.putBytes(payloadTail, payload, payloadOffset, payloadLength);
        this.epoch[position] = epoch;
        this.counter[position] = counter;
        this.incarnation[position] = incarnation;
        this.localSeq[position] = localSeq;
        this.typeAndOrigin[position] = (type << 16) | (originId & 0xFFFF);
        this.payloadOffset[position] = payloadTail;
        this.payloadLength[position] = payloadLength;
        this.chk[position] = Checksum.chain(
            chk[position - 1], type, epoch, counter, originId, incarnation, localSeq, payload, payloadOffset,
            payloadLength);
        payloadTail += payloadLength;
        have = position;
        return position;
    }

    public boolean read(final long position, final LogEntry entry)
    {
        if (position < 1 || position > have)
        {
            return false;
        }
        final int p = (int)position;
        entry.set(
            position, typeAndOrigin[p] >>> 16, epoch[p], counter[p], (short)typeAndOrigin[p], incarnation[p],
            localSeq[p], chk[p], payloads, payloadOffset[p], payloadLength[p]);
        return true;
    }

    public void force()
    {
        forced = have;
    }

    public long forcedPosition()
    {
        return forced;
    }

    /** Simulated power loss: everything after the last {@link #force()} is gone. */
    public void dropUnforced()
    {
        truncateTo(forced);
    }

    /** Cut the log so that {@code position} is the last entry. */
    public void truncateTo(final long position)
    {
        if (position < 0 || position > have)
        {
            throw new IllegalArgumentException("position " + position + " outside 0.." + have);
        }
        have = (int)position;
        payloadTail = have == 0 ? 0 : payloadOffset[have] + payloadLength[have];
        forced = Math.min(forced, have);
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
        chk = Arrays.copyOf(chk, n);
        typeAndOrigin = Arrays.copyOf(typeAndOrigin, n);
        payloadOffset = Arrays.copyOf(payloadOffset, n);
        payloadLength = Arrays.copyOf(payloadLength, n);
    }
}
