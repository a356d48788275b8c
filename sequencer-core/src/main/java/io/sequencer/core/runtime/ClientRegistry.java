package io.sequencer.core.runtime;

import io.sequencer.core.CompletionHandler;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

import java.util.concurrent.atomic.AtomicReferenceArray;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The clients of one node and their completion rings. The protocol's correlation id carries the client id in its
 * top 16 bits, so a completion finds its client without a lookup table. Clients register on their own threads;
 * the duty cycle reads the slots (a volatile array).
 */
final class ClientRegistry implements CompletionHandler
{
    static final int CLIENT_SHIFT = 48;
    static final long CORRELATION_MASK = (1L << CLIENT_SHIFT) - 1;

    static final int MSG_COMPLETED = 1;
    static final int MSG_REJECTED = 2;

    /** COMPLETED: 0 int64 correlationId, 8 int64 position, 16 int32 status, 20 result. */
    static final int COMPLETED_HEADER = 20;
    /** REJECTED: 0 int64 correlationId, 8 int32 status. */
    static final int REJECTED_LENGTH = 12;

    private final AtomicReferenceArray<OneToOneRingBuffer> rings;
    private final byte[] scratch;
    private final org.agrona.concurrent.UnsafeBuffer scratchBuffer;
    private long lostCompletions;

    ClientRegistry(final int maxClients, final int maxResultLength)
    {
        rings = new AtomicReferenceArray<>(maxClients);
        scratch = new byte[COMPLETED_HEADER + Math.max(1, maxResultLength)];
        scratchBuffer = new org.agrona.concurrent.UnsafeBuffer(scratch);
    }

    /** @return the new client's id, or -1 when every slot is taken. */
    synchronized int register(final OneToOneRingBuffer completions)
    {
        for (int i = 0; i < rings.length(); i++)
        {
            if (rings.get(i) == null)
            {
                rings.set(i, completions);
                return i;
            }
        }
        return -1;
    }

    void unregister(final int clientId)
    {
        rings.set(clientId, null);
    }

    static long protocolCorrelationId(final int clientId, final long clientCorrelationId)
    {
        return ((long)clientId << CLIENT_SHIFT) | (clientCorrelationId & CORRELATION_MASK);
    }

    public void onCompleted(
        final long correlationId, final long position, final int status, final DirectBuffer result, final int offset,
        final int length)
    {
        final OneToOneRingBuffer ring = rings.get((int)(correlationId >>> CLIENT_SHIFT));
        if (ring == null)
        {
            return; // the client closed before its event was durable; the event is in the log all the same
        }
        scratchBuffer.putLong(0, correlationId & CORRELATION_MASK, LITTLE_ENDIAN);
        scratchBuffer.putLong(8, position, LITTLE_ENDIAN);
        scratchBuffer.putInt(16, status, LITTLE_ENDIAN);
        scratchBuffer.putBytes(COMPLETED_HEADER, result, offset, length);
        if (!ring.write(MSG_COMPLETED, scratchBuffer, 0, COMPLETED_HEADER + length))
        {
            lostCompletions++; // cannot happen while clients respect their in-flight limit: the ring is sized for it
        }
    }

    /** Tell a client its submit was refused by the protocol. */
    void onRejected(final int clientId, final long clientCorrelationId, final int status)
    {
        final OneToOneRingBuffer ring = clientId < rings.length() ? rings.get(clientId) : null;
        if (ring == null)
        {
            return;
        }
        scratchBuffer.putLong(0, clientCorrelationId, LITTLE_ENDIAN);
        scratchBuffer.putInt(8, status, LITTLE_ENDIAN);
        if (!ring.write(MSG_REJECTED, scratchBuffer, 0, REJECTED_LENGTH))
        {
            lostCompletions++;
        }
    }

    long lostCompletions()
    {
        return lostCompletions;
    }
}
