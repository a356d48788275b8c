package io.sequencer.core;

import org.agrona.DirectBuffer;

/**
 * The chained 64-bit checksum of log entries: {@code chk(p) = H(chk(p-1) ‖ fields(p))}.
 * <p>
 * A non-cryptographic hash (64-bit multiply and xor-shift mixing, in the style of wyhash and the
 * Stafford finalisers): it exists to detect divergent logs and damaged bytes, not adversaries. Equal
 * {@code chk} at a position means, with overwhelming probability, equal prefixes up to it.
 * Pure and allocation-free; the in-memory and on-disk logs and the simulator all use this one function.
 */
public final class Checksum
{
    /** The checksum of the empty log, at position 0. */
    public static final long EMPTY = 0L;

    private static final long P1 = 0x9E3779B97F4A7C15L;
    private static final long P2 = 0xBF58476D1CE4E5B9L;
    private static final long P3 = 0x94D049BB133111EBL;

    private Checksum()
    {
    }

    /**
     * Chain one entry onto the checksum of the previous position.
     *
     * @return the checksum of the log up to and including this entry.
     */
    public static long chain(
        final long previousChk,
        final int entryType,
        final long epoch,
        final long counter,
        final int originId,
        final long incarnation,
        final long localSeq,
        final long timestamp,
        final DirectBuffer payload,
        final int offset,
        final int length)
    {
        long h = mix(previousChk ^ P1);
        h = step(h, ((long)entryType << 32) | (originId & 0xFFFF_FFFFL));
        h = step(h, epoch);
        h = step(h, counter);
        h = step(h, incarnation);
        h = step(h, localSeq);
        h = step(h, timestamp);
        h = step(h, length);

        int i = 0;
        final int whole = length & ~7;
        for (; i < whole; i += 8)
        {
            h = step(h, payload.getLong(offset + i, java.nio.ByteOrder.LITTLE_ENDIAN));
        }
        if (i < length)
        {
            long tail = 0;
            for (int shift = 0; i < length; i++, shift += 8)
            {
                tail |= (payload.getByte(offset + i) & 0xFFL) << shift;
            }
            h = step(h, tail);
        }

        return mix(h);
    }

    private static long step(final long h, final long word)
    {
        return Long.rotateLeft(h ^ mix(word + P1), 27) * P2 + P3;
    }

    private static long mix(final long x)
    {
        long z = x;
        z = (z ^ (z >>> 30)) * P2;
        z = (z ^ (z >>> 27)) * P3;
        return z ^ (z >>> 31);
    }
}
