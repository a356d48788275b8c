package io.sequencer.core.protocol;

import io.sequencer.core.CompletionHandler;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * This node's own submitted events from submit to completion, in {@code localSeq} order (docs/protocol.md §3
 * "Running mode", R1, R6, R9, and §4 "Boot mode", B6). An event is first unserialized, then serialized at a position
 * with its result held, then completed once the position is at or below the watermark. An epoch change that cuts the
 * log returns the events above the cut to unserialized; those the new epoch's base holds become serialized again as
 * catch-up applies them, and the rest are resubmitted, so each event keeps its payload until it completes.
 * <p>
 * Fixed capacity (events and payload bytes): a full ring back-pressures submitters. Allocation-free.
 */
final class OwnEvents
{
    private final long[] correlationId;
    private final long[] localSeq;
    private final long[] position;
    private final int[] status;
    private final int[] resultLength;
    private final long[] payloadStart;
    private final int[] payloadLength;
    private final UnsafeBuffer results;
    private final UnsafeBuffer payloads;
    private final int maxResultLength;
    private final int mask;
    private long head;
    private long serialized;
    private long tail;
    private long payloadEnd;
    private long resubmitCursor;
    private long resubmitEnd;

    OwnEvents(final int capacity, final int maxResultLength, final int payloadCapacity)
    {
        correlationId = new long[capacity];
        localSeq = new long[capacity];
        position = new long[capacity];
        status = new int[capacity];
        resultLength = new int[capacity];
        payloadStart = new long[capacity];
        payloadLength = new int[capacity];
        results = new UnsafeBuffer(new byte[Math.max(1, capacity * maxResultLength)]);
        payloads = new UnsafeBuffer(new byte[Math.max(1, payloadCapacity)]);
        this.maxResultLength = maxResultLength;
        mask = capacity - 1;
    }

    int inFlight()
    {
        return (int)(tail - head);
    }

    /**
     * Take an event, copying its payload.
     *
     * @return false, taking nothing, when the ring or its payload space is full.
     */
    boolean add(final long correlationId, final long localSeq, final DirectBuffer src, final int offset,
        final int length)
    {
        if (tail - head == this.correlationId.length)
        {
            return false;
        }
        // Payloads live at rising virtual offsets; one never straddles the end of the physical buffer.
        final long capacity = payloads.capacity();
        long start = payloadEnd;
        if (start % capacity + length > capacity)
        {
            start += capacity - start % capacity;
        }
        final long oldest = tail == head ? start : payloadStart[(int)(head & mask)];
        if (start + length - oldest > capacity)
        {
            return false;
        }
        final int i = (int)(tail & mask);
        this.correlationId[i] = correlationId;
        this.localSeq[i] = localSeq;
        this.position[i] = 0;
        this.payloadStart[i] = start;
        this.payloadLength[i] = length;
        payloads.putBytes((int)(start % capacity), src, offset, length);
        payloadEnd = start + length;
        tail++;
        return true;
    }

    /** The own event with {@code localSeq} lies at {@code position}: keep its result until it is durable. */
    void onSerialized(
        final long localSeq, final long position, final int status, final DirectBuffer result, final int length)
    {
        final int i = (int)(serialized & mask);
        if (serialized >= tail || this.localSeq[i] != localSeq)
        {
            throw new IllegalStateException("own event serialized out of submission order: localSeq=" + localSeq +
                " expected=" + (serialized < tail ? this.localSeq[i] : -1));
        }
        this.position[i] = position;
        this.status[i] = status;
        this.resultLength[i] = length;
        results.putBytes(i * maxResultLength, result, 0, length);
        serialized++;
    }

    /** The {@code localSeq} of the next own event waiting to be serialized; -1 when none is. */
    long nextUnserializedLocalSeq()
    {
        return serialized < tail ? localSeq[(int)(serialized & mask)] : -1;
    }

    /** The log was cut below {@code firstRemoved}: every own event at or above it is unserialized again. */
    void unserializeFrom(final long firstRemoved)
    {
        for (long k = head; k < serialized; k++)
        {
            if (position[(int)(k & mask)] >= firstRemoved)
            {
                for (long u = k; u < serialized; u++)
                {
                    position[(int)(u & mask)] = 0;
                }
                serialized = k;
                return;
            }
        }
    }

    /** B6: the unserialized own events, in {@code localSeq} order, are to be proposed again before any new one. */
    void startResubmission()
    {
        resubmitCursor = serialized;
        resubmitEnd = tail;
    }

    boolean resubmissionPending()
    {
        return resubmitCursor < resubmitEnd;
    }

    /**
     * Propose again the own events left from {@link #startResubmission()}, stopping at the first the channel refuses.
     *
     * @return how many were proposed.
     */
    int resubmit(final Resubmitter resubmitter)
    {
        int count = 0;
        while (resubmitCursor < resubmitEnd)
        {
            final int i = (int)(resubmitCursor & mask);
            final int at = (int)(payloadStart[i] % payloads.capacity());
            if (!resubmitter.resubmit(localSeq[i], payloads, at, payloadLength[i]))
            {
                break;
            }
            resubmitCursor++;
            count++;
        }
        return count;
    }

    /** Undo the last {@link #add}: its proposal was refused. */
    void removeNewest()
    {
        tail--;
        payloadEnd = payloadStart[(int)(tail & mask)];
    }

    @FunctionalInterface
    interface Resubmitter
    {
        /** @return false to stop (the channel refused the frame). */
        boolean resubmit(long localSeq, DirectBuffer payload, int offset, int length);
    }

    /**
     * Complete, in order, every serialized own event at a position at or below {@code limit}.
     *
     * @return the number completed.
     */
    int completeUpTo(final long limit, final CompletionHandler handler)
    {
        int completed = 0;
        while (head < serialized)
        {
            final int i = (int)(head & mask);
            if (position[i] > limit)
            {
                break;
            }
            head++;
            completed++;
            handler.onCompleted(
                correlationId[i], position[i], status[i], results, i * maxResultLength, resultLength[i]);
        }
        return completed;
    }
}
