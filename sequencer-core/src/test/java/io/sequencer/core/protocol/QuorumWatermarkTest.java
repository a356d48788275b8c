package io.sequencer.core.protocol;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class QuorumWatermarkTest
{
    @Test
    void theQuorumThHighestOfTheCountedValues()
    {
        final long[] ser = { 7, 9, 4 };
        assertEquals(9, QuorumWatermark.of(ser, 3, 0b111, 1));
        assertEquals(7, QuorumWatermark.of(ser, 3, 0b111, 2), "two of three have reached 7");
        assertEquals(4, QuorumWatermark.of(ser, 3, 0b111, 3));
        assertEquals(4, QuorumWatermark.of(ser, 3, 0b101, 2), "member 1 is outside the set: its 9 counts for nothing");
        assertEquals(0, QuorumWatermark.of(ser, 3, 0b001, 2), "fewer members than the quorum");
        assertEquals(5, QuorumWatermark.of(new long[] { 5, 5, 1 }, 3, 0b111, 2), "ties");
    }

    /** Against sorting, for random sets of up to 7 members. */
    @Test
    void agreesWithSortingTheCountedValues()
    {
        final SplittableRandom random = new SplittableRandom(42);
        for (int round = 0; round < 100_000; round++)
        {
            final int count = 1 + random.nextInt(7);
            final long[] values = new long[count];
            for (int i = 0; i < count; i++)
            {
                values[i] = random.nextInt(4) == 0 ? 0 : random.nextLong(1, 20);
            }
            final int members = random.nextInt(1 << count);
            final int quorum = 1 + random.nextInt(count);
            final long[] counted = new long[Integer.bitCount(members)];
            int n = 0;
            for (int i = 0; i < count; i++)
            {
                if ((members & (1 << i)) != 0)
                {
                    counted[n++] = values[i];
                }
            }
            Arrays.sort(counted);
            final long expected = counted.length < quorum ? 0 : counted[counted.length - quorum];
            assertEquals(expected, QuorumWatermark.of(values, count, members, quorum),
                Arrays.toString(values) + " members " + Integer.toBinaryString(members) + " quorum " + quorum);
        }
    }
}
