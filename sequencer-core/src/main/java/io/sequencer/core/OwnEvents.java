package io.sequencer.core;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * This node's own submitted events from submit to completion, in {@code localSeq} order. An event is first
 * waiting to be serialized, then serialized with its result held, then completed once its position is at or
 * below the durability watermark (R6, R9). Fixed capacity: a full ring back-pressures submitters.
 */
final class OwnEvents
{
    private final long[] correlationId;
    private final long[] localSeq;
    private final long[] position;
    private final int[] status;
    private final int[] resultLength;
    private final UnsafeBuffer results;
    private final int maxResultLength;
    private final int mask;
    private long head;
    private long serialized;
    private long tail;

    OwnEvents(final int capacity, final int maxResultLength)
    {
        correlationId = new long[capacity];
        localSeq = new long[capacity];
        position = new long[capacity];
        status = new int[capacity];
        resultLength = new int[capacity];
        results = new UnsafeBuffer(new byte[Math.max(1, capacity * maxResultLength)]);
        this.maxResultLength = maxResultLength;
        mask = capacity - 1;
    }

    boolean isFull()
    {
        return tail - head == correlationId.length;
    }

    int inFlight()
    {
        return (int)(tail - head);
    }

    void add(final long correlationId, final long localSeq)
    {
        final int i = (int)(tail & mask);
        this.correlationId[i] = correlationId;
        this.localSeq[i] = localSeq;
        this.position[i] = 0;
        tail++;
    }

    /**
     * The own event with {@code localSeq} was appended at {@code position}: keep its result until it is durable.
     */
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
