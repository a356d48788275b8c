package io.sequencer.storage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The durable record of an {@code unrollTo} in progress: the position cut to and how far the cut got. Written
 * atomically before anything is changed and deleted after everything is, so that an open that finds it redoes the
 * cut: a crash at any point inside {@code unrollTo} leaves the uncut log or, once redone, the cut one.
 * <p>
 * {@link #PHASE_STAGING}: the kept part of the last cycle is being copied aside; the queue files are untouched.
 * {@link #PHASE_SWAPPING}: the copy is complete and forced; the queue files are being replaced and deleted, an
 * idempotent step.
 */
final class UnrollIntent
{
    static final int PHASE_STAGING = 1;
    static final int PHASE_SWAPPING = 2;

    private static final long MAGIC = 0x4C4C4F524E55514EL;
    private static final int LENGTH = 8 + 8 + 4 + 8;

    final long position;
    final int phase;

    UnrollIntent(final long position, final int phase)
    {
        this.position = position;
        this.phase = phase;
    }

    void write(final Path file)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(MAGIC).putLong(position).putInt(phase);
        buffer.putLong(crc(buffer.array(), LENGTH - 8));
        buffer.flip();
        DurableFiles.writeAtomically(file, buffer);
    }

    /**
     * @return the intent in {@code file}, or null when no unroll is in progress.
     * @throws IllegalStateException when the file is damaged: the atomic write makes that a disk fault, not a crash.
     */
    static UnrollIntent read(final Path file)
    {
        final byte[] bytes = DurableFiles.readIfExists(file);
        if (bytes == null)
        {
            return null;
        }
        final ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length != LENGTH || buffer.getLong(0) != MAGIC ||
            buffer.getLong(LENGTH - 8) != crc(bytes, LENGTH - 8))
        {
            throw new IllegalStateException(file + " is damaged: an unroll was in progress and cannot be finished");
        }
        final int phase = buffer.getInt(16);
        if (phase != PHASE_STAGING && phase != PHASE_SWAPPING)
        {
            throw new IllegalStateException(file + " has an unknown phase " + phase);
        }
        return new UnrollIntent(buffer.getLong(8), phase);
    }

    private static long crc(final byte[] bytes, final int length)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return crc.getValue();
    }
}
