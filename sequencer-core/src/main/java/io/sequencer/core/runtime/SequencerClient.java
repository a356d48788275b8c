package io.sequencer.core.runtime;

import io.sequencer.core.SubmitStatus;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * A caller's handle on an embedded node: submit events from one thread, poll for their outcomes on the same
 * thread. Submitting writes into the node's shared ingress ring (lock-free, no allocation); each outcome comes back
 * through this client's own ring once the event is durable on a quorum, or at once if the node refused it.
 * <p>
 * Not thread-safe: one client per thread. Create with {@link Sequencer#newClient()}; close to free its slot.
 */
public final class SequencerClient implements AutoCloseable
{
    /** Returned by {@link #submit} when this client was closed ({@link SubmitStatus#CLOSED}). */
    public static final long CLOSED = SubmitStatus.CLOSED;

    private final Sequencer sequencer;
    private final int clientId;
    private final ManyToOneRingBuffer ingress;
    private final OneToOneRingBuffer completions;
    private final int maxInFlight;
    private final int maxEventLength;
    private long nextCorrelationId = 1;
    private int inFlight;
    private boolean closed;
    private CompletionListener listener;
    private final MessageHandler completionHandler = this::onCompletion;

    SequencerClient(
        final Sequencer sequencer,
        final int clientId,
        final ManyToOneRingBuffer ingress,
        final OneToOneRingBuffer completions,
        final int maxInFlight,
        final int maxEventLength)
    {
        this.sequencer = sequencer;
        this.clientId = clientId;
        this.ingress = ingress;
        this.completions = completions;
        this.maxInFlight = maxInFlight;
        this.maxEventLength = maxEventLength;
    }

    /**
     * Submit an event.
     *
     * @return its correlation id (positive), or a negative code when nothing was submitted:
     *         {@link SubmitStatus#BACK_PRESSURED} (this client's in-flight limit or the ingress ring is full: poll,
     *         then retry), {@link SubmitStatus#TOO_LARGE}, {@link #CLOSED}.
     */
    public long submit(final DirectBuffer event, final int offset, final int length)
    {
        if (closed)
        {
            return CLOSED;
        }
        if (length < 0 || length > maxEventLength)
        {
            return SubmitStatus.TOO_LARGE;
        }
        if (inFlight >= maxInFlight)
        {
            return SubmitStatus.BACK_PRESSURED;
        }
        final int index = ingress.tryClaim(SequencerAgent.MSG_SUBMIT, SequencerAgent.SUBMIT_HEADER + length);
        if (index <= 0)
        {
            return SubmitStatus.BACK_PRESSURED;
        }
        final long correlationId = nextCorrelationId++;
        final MutableDirectBuffer buffer = ingress.buffer();
        buffer.putInt(index, clientId, LITTLE_ENDIAN);
        buffer.putLong(index + 4, correlationId, LITTLE_ENDIAN);
        buffer.putBytes(index + SequencerAgent.SUBMIT_HEADER, event, offset, length);
        ingress.commit(index);
        inFlight++;
        return correlationId;
    }

    /**
     * Deliver up to {@code limit} outcomes to {@code listener}.
     *
     * @return how many were delivered.
     */
    public int poll(final CompletionListener listener, final int limit)
    {
        this.listener = listener;
        return completions.read(completionHandler, limit);
    }

    private void onCompletion(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        inFlight--;
        final long correlationId = buffer.getLong(index, LITTLE_ENDIAN);
        if (msgTypeId == ClientRegistry.MSG_COMPLETED)
        {
            listener.onCompleted(
                correlationId, buffer.getLong(index + 8, LITTLE_ENDIAN), buffer.getInt(index + 16, LITTLE_ENDIAN),
                buffer, index + ClientRegistry.COMPLETED_HEADER, length - ClientRegistry.COMPLETED_HEADER);
        }
        else
        {
            listener.onRejected(correlationId, buffer.getInt(index + 8, LITTLE_ENDIAN));
        }
    }

    /** The outcome of {@link #submitAndWait}. */
    public record Outcome(long correlationId, long position, int status, byte[] result)
    {
        /** Durable, and the state machine returned a result. */
        public boolean completed()
        {
            return position > 0 && status == io.sequencer.core.CompletionHandler.OK;
        }
    }

    /**
     * The simple, blocking way: submit and wait for this event's outcome, idling with {@code idleStrategy}. Retries a
     * back-pressured or not-running submit until {@code timeoutNs} passes. Allocates its result; do not mix with
     * {@link #poll} on the same client.
     *
     * @return the outcome; {@code position} 0 and a negative {@code status} if refused ({@link SubmitStatus}:
     *         {@code BACK_PRESSURED} also when the time ran out before the node accepted it), or
     *         {@link SubmitStatus#TIMED_OUT} when the node accepted it but its outcome did not arrive in time: it
     *         may still become durable, and its completion then comes through {@link #poll}.
     */
    public Outcome submitAndWait(
        final DirectBuffer event, final int offset, final int length, final long timeoutNs,
        final IdleStrategy idleStrategy)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        final Outcome[] outcome = new Outcome[1];
        final CompletionListener collector = new CompletionListener()
        {
            public void onCompleted(final long correlationId, final long position, final int status,
                final DirectBuffer result, final int resultOffset, final int resultLength)
            {
                final byte[] copy = new byte[resultLength];
                result.getBytes(resultOffset, copy);
                outcome[0] = new Outcome(correlationId, position, status, copy);
            }

            public void onRejected(final long correlationId, final int status)
            {
                outcome[0] = new Outcome(correlationId, 0, status, new byte[0]);
            }
        };
        while (System.nanoTime() < deadline)
        {
            final long correlationId = submit(event, offset, length);
            if (correlationId == SubmitStatus.TOO_LARGE || correlationId == CLOSED)
            {
                return new Outcome(correlationId, 0, (int)correlationId, new byte[0]);
            }
            if (correlationId < 0)
            {
                idleStrategy.idle(poll(collector, 16));
                continue;
            }
            outcome[0] = null;
            idleStrategy.reset();
            while (outcome[0] == null || outcome[0].correlationId() != correlationId)
            {
                if (System.nanoTime() >= deadline)
                {
                    // accepted: it may still become durable, so this is not a refusal a caller may blindly retry
                    return new Outcome(correlationId, 0, SubmitStatus.TIMED_OUT, new byte[0]);
                }
                idleStrategy.idle(poll(collector, 16));
            }
            if (outcome[0].status() != SubmitStatus.NOT_RUNNING && outcome[0].status() != SubmitStatus.BACK_PRESSURED)
            {
                return outcome[0];
            }
            idleStrategy.idle(0); // refused by a node in an epoch change: try again
        }
        return new Outcome(0, 0, SubmitStatus.BACK_PRESSURED, new byte[0]);
    }

    /** Submits not yet answered. */
    public int inFlight()
    {
        return inFlight;
    }

    public int clientId()
    {
        return clientId;
    }

    /** Free this client's slot; outcomes not yet polled are dropped (their events stay in the log). */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            sequencer.release(clientId);
        }
    }
}
