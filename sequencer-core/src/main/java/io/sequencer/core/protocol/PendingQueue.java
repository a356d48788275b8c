package io.sequencer.core.protocol;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.util.Arrays;

/**
 * The events of one origin received in this epoch and not yet ordered, in arrival order. Per-publisher FIFO and
 * strictly rising counters per origin (R1, R2) make arrival order the key order, so the protocol's
 * {@code pending} set is one of these per member and its head is the smallest of their heads.
 * <p>
 * Grows by doubling and then reuses its storage: no allocation once warm.
 */
final class PendingQueue
{
    private long[] counter;
    private long[] incarnation;
    private long[] localSeq;
    private long[] arrival;
    private long[] timestamp;
    private int[] entryType;
    private int[] payloadOffset;
    private int[] payloadLength;
    private int mask;
    private int head;
    private int size;
    private final ExpandableArrayBuffer payloads;
    private int payloadHead;
    private int payloadTail;

    PendingQueue(final int initialCapacity, final int initialPayloadBytes)
    {
        final int capacity = Integer.highestOneBit(Math.max(2, initialCapacity - 1)) << 1;
        counter = new long[capacity];
        incarnation = new long[capacity];
        localSeq = new long[capacity];
        arrival = new long[capacity];
        timestamp = new long[capacity];
        entryType = new int[capacity];
        payloadOffset = new int[capacity];
        payloadLength = new int[capacity];
        mask = capacity - 1;
        payloads = new ExpandableArrayBuffer(Math.max(64, initialPayloadBytes));
    }

    void add(
        final long counter,
        final long incarnation,
        final long localSeq,
        final long arrival,
        final int entryType,
        final long timestamp,
        final DirectBuffer src,
        final int offset,
        final int length)
    {
        if (size == this.counter.length)
        {
            grow();
        }
        if (payloadTail + length > payloads.capacity() && payloadHead > 0)
        {
            compact();
        }
        final int i = (head + size) & mask;
        payloads.putBytes(payloadTail, src, offset, length);
        this.counter[i] = counter;
        this.incarnation[i] = incarnation;
        this.localSeq[i] = localSeq;
        this.arrival[i] = arrival;
        this.entryType[i] = entryType;
        this.timestamp[i] = timestamp;
        this.payloadOffset[i] = payloadTail;
        this.payloadLength[i] = length;
        payloadTail += length;
        size++;
    }

    boolean isEmpty()
    {
        return size == 0;
    }

    int size()
    {
        return size;
    }

    long headCounter()
    {
        return counter[head];
    }

    long headIncarnation()
    {
        return incarnation[head];
    }

    long headLocalSeq()
    {
        return localSeq[head];
    }

    long headArrival()
    {
        return arrival[head];
    }

    int headEntryType()
    {
        return entryType[head];
    }

    long headTimestamp()
    {
        return timestamp[head];
    }

    int headPayloadOffset()
    {
        return payloadOffset[head];
    }

    int headPayloadLength()
    {
        return payloadLength[head];
    }

    DirectBuffer payloads()
    {
        return payloads;
    }

    void removeHead()
    {
        payloadHead = payloadOffset[head] + payloadLength[head];
        head = (head + 1) & mask;
        size--;
        if (size == 0)
        {
            head = 0;
            payloadHead = 0;
            payloadTail = 0;
        }
    }

    void clear()
    {
        head = 0;
        size = 0;
        payloadHead = 0;
        payloadTail = 0;
    }

    private void compact()
    {
        final int live = payloadTail - payloadHead;
        payloads.putBytes(0, payloads, payloadHead, live);
        for (int k = 0; k < size; k++)
        {
            payloadOffset[(head + k) & mask] -= payloadHead;
        }
        payloadTail = live;
        payloadHead = 0;
    }

    private void grow()
    {
        final int oldCapacity = counter.length;
        final int newCapacity = oldCapacity * 2;
        counter = unwrap(counter, newCapacity);
        incarnation = unwrap(incarnation, newCapacity);
        localSeq = unwrap(localSeq, newCapacity);
        arrival = unwrap(arrival, newCapacity);
        timestamp = unwrap(timestamp, newCapacity);
        entryType = unwrap(entryType, newCapacity);
        payloadOffset = unwrap(payloadOffset, newCapacity);
        payloadLength = unwrap(payloadLength, newCapacity);
        head = 0;
        mask = newCapacity - 1;
    }

    private long[] unwrap(final long[] a, final int newCapacity)
    {
        final long[] b = new long[newCapacity];
        for (int k = 0; k < size; k++)
        {
            b[k] = a[(head + k) & mask];
        }
        return b;
    }

    private int[] unwrap(final int[] a, final int newCapacity)
    {
        final int[] b = new int[newCapacity];
        for (int k = 0; k < size; k++)
        {
            b[k] = a[(head + k) & mask];
        }
        return b;
    }

    public String toString()
    {
        final long[] counters = new long[size];
        for (int k = 0; k < size; k++)
        {
            counters[k] = counter[(head + k) & mask];
        }
        return Arrays.toString(counters);
    }
}
