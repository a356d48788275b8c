package io.sequencer.core.runtime;

import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RingWarmUpTest
{
    @Test
    void everyMessageComesBackAndBothRingsWrapThroughPadding()
    {
        final ManyToOneRingBuffer ingress = new ManyToOneRingBuffer(RingWarmUp.newBuffer());
        final OneToOneRingBuffer completions = new OneToOneRingBuffer(RingWarmUp.newBuffer());

        assertEquals(2L * RingWarmUp.MESSAGES, RingWarmUp.run(ingress, completions));

        long records = 0; // what the messages take without padding
        for (int i = 0; i < RingWarmUp.MESSAGES; i++)
        {
            final int length = RingWarmUp.LENGTHS[i % RingWarmUp.LENGTHS.length];
            records += (RecordDescriptor.HEADER_LENGTH + length + RecordDescriptor.ALIGNMENT - 1) &
                -RecordDescriptor.ALIGNMENT;
        }
        assertTrue(records > 100L * RingWarmUp.CAPACITY, "each ring wraps a hundred times and more");
        assertTrue(ingress.producerPosition() > records, "the ingress kind took its padding branch");
        assertTrue(completions.producerPosition() > records, "the completions kind took its padding branch");
        assertEquals(ingress.producerPosition(), ingress.consumerPosition(), "all read");
        assertEquals(completions.producerPosition(), completions.consumerPosition(), "all read");
    }
}
