package io.sequencer.core.runtime;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;

/**
 * Wraps two small scratch rings, of the kinds the node's ingress and its clients' completions use, a few hundred times
 * when a node is built, so that the JIT has seen a ring's wrap before it compiles the submit and completion paths.
 * <p>
 * Why: a record that does not fit before a ring's end is preceded by a padding record, a branch that the first
 * minute of a node rarely takes: the 4 MiB ingress ring first wraps after about 30 s at 10,000 events/s. Compiled
 * without it, that first wrap deoptimised the submit path and the agent's ingress read, and compiling them again kept
 * a compiler thread busy for about 150 ms, which on two cores stretched acknowledgements from 40 to 185 µs and more for
 * that long ({@code -XX:+PrintCompilation}; benchmarks/README.md, "Figures of 2026-12-07 afternoon"). The profile is
 * the method's, shared by every ring, so a scratch ring's wraps count.
 */
final class RingWarmUp
{
    /** Messages written and read through each scratch ring: enough for the JIT's profiling tiers to see the wraps. */
    static final int MESSAGES = 4_000;
    static final int CAPACITY = 1024;
    private static final int MESSAGE_TYPE = 1;
    /** Lengths that do not divide the capacity (records are aligned to 8 bytes), so wraps need padding. */
    static final int[] LENGTHS = {36, 52, 20};

    private RingWarmUp()
    {
    }

    /**
     * Start the wraps once in this process, however many nodes it builds (the JIT's profile is the process's), on a
     * thread of their own, not on the node's way to running: under 30 ms in a JVM just started, most of it loading
     * Agrona's classes, which the node loads anyway.
     */
    static void startOnce()
    {
        Once.touch();
    }

    private static final class Once
    {
        static
        {
            final Thread thread = new Thread(() ->
            {
                final long read = run();
                assert read == 2L * MESSAGES : "the ring warm-up read " + read + " messages, wrote " + 2 * MESSAGES;
            }, "sequencer-ring-warm-up");
            thread.setDaemon(true);
            thread.start();
        }

        static void touch()
        {
            // loading this class started the thread
        }
    }

    /**
     * Run the wraps.
     *
     * @return the messages read back from both rings (2 x {@link #MESSAGES}): what the tests check.
     */
    static long run()
    {
        return run(new ManyToOneRingBuffer(newBuffer()), new OneToOneRingBuffer(newBuffer()));
    }

    /** {@link #run()} through the given rings (tests look at them afterwards). */
    static long run(final ManyToOneRingBuffer ingress, final OneToOneRingBuffer completions)
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
        final Counter count = new Counter();
        for (int i = 0; i < MESSAGES; i++)
        {
            final int length = LENGTHS[i % LENGTHS.length];
            final int claimed = claim(ingress, length, count);
            message.putInt(0, i);
            ingress.buffer().putBytes(claimed, message, 0, length);
            ingress.commit(claimed);
            while (!completions.write(MESSAGE_TYPE, message, 0, length))
            {
                completions.read(count);
            }
            if ((i & 7) == 7) // a few records a read, as a busy agent and a client find them
            {
                ingress.read(count);
                completions.read(count);
            }
        }
        drain(ingress, count);
        drain(completions, count);
        return count.read;
    }

    /** A class, not a lambda: a JVM just started spends milliseconds bootstrapping its first lambdas. */
    private static final class Counter implements org.agrona.concurrent.MessageHandler
    {
        long read;

        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            read++;
        }
    }

    private static int claim(final ManyToOneRingBuffer ring, final int length,
        final org.agrona.concurrent.MessageHandler handler)
    {
        int index = ring.tryClaim(MESSAGE_TYPE, length);
        while (index < 0)
        {
            ring.read(handler); // full: make room, as the agent does
            index = ring.tryClaim(MESSAGE_TYPE, length);
        }
        return index;
    }

    private static void drain(final RingBuffer ring, final org.agrona.concurrent.MessageHandler handler)
    {
        while (ring.read(handler) > 0)
        {
            // until empty
        }
    }

    static UnsafeBuffer newBuffer()
    {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY + RingBufferDescriptor.TRAILER_LENGTH));
    }
}
