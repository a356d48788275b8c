package io.sequencer.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Test helper that damages a closed queue file the way a disk fault, a stray process or an operator would: a flipped
 * byte, random bytes written over a range, a cut tail; and an unroll interrupted by a kill. Published in this module's
 * test-jar for the command-line tests.
 */
public final class QueueFiles
{
    private QueueFiles()
    {
    }

    /** @return the file of {@code cycle} (the first is 1) in the log of {@code logDirectory}. */
    public static Path cycleFile(final Path logDirectory, final int cycle)
    {
        return logDirectory.resolve(ChronicleEventLog.QUEUE_DIRECTORY).resolve(ChronicleEventLog.cycleFileName(cycle));
    }

    /**
     * Flip one byte {@code distance} bytes after the first occurrence of the little-endian {@code marker} in
     * {@code file}. An entry's own {@code chk} (at offset 16) comes before the next entry's copy of it (at offset 8),
     * so with {@code distance} 8 the flipped byte is the entry's epoch, which its CRC and chained checksum cover.
     */
    public static void flipByteAfter(final Path file, final long marker, final int distance) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(file);
        final ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 8 <= bytes.length; i++)
        {
            if (buffer.getLong(i) == marker)
            {
                bytes[i + distance] ^= 0x40;
                Files.write(file, bytes);
                return;
            }
        }
        throw new IllegalStateException("marker " + Long.toHexString(marker) + " not found in " + file);
    }

    /**
     * @return the byte offsets of the data documents (this log's entries, in position order) of a cycle file, found
     *         by walking Chronicle's framing from the start: a 4-byte header word (bit 31 incomplete, bit 30 metadata,
     *         the rest the length), 4-byte aligned.
     */
    public static long[] dataDocuments(final Path file) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.nativeOrder());
        long[] offsets = new long[0];
        int pos = 0;
        while (pos + 4 <= bytes.capacity())
        {
            final int header = bytes.getInt(pos);
            if (header == 0 || header < 0)
            {
                break;
            }
            if ((header & LogScan.META_DATA) == 0)
            {
                offsets = Arrays.copyOf(offsets, offsets.length + 1);
                offsets[offsets.length - 1] = pos;
            }
            pos = (pos + 4 + (header & LogScan.LENGTH_MASK) + 3) & ~3;
        }
        return offsets;
    }

    /** Write {@code length} seeded random bytes at {@code offset} of {@code file}. */
    public static void writeRandom(final Path file, final long offset, final int length, final long seed)
        throws IOException
    {
        final byte[] random = new byte[length];
        final SplittableRandom source = new SplittableRandom(seed);
        for (int i = 0; i < length; i++)
        {
            random[i] = (byte)source.nextInt(256);
        }
        write(file, offset, random);
    }

    /** Overwrite the bytes of {@code file} at {@code offset}. */
    public static void write(final Path file, final long offset, final byte[] bytes) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining())
            {
                channel.write(buffer, offset + buffer.position());
            }
        }
    }

    /**
     * Leave in the closed log of {@code logDirectory} what an {@code unrollTo(position)} killed while it copied the
     * kept entries aside leaves: its intent, the queue files untouched.
     */
    public static void interruptUnroll(final Path logDirectory, final long position)
    {
        new UnrollIntent(position, UnrollIntent.PHASE_STAGING)
            .write(logDirectory.resolve(ChronicleEventLog.INTENT_FILE));
    }

    /** Cut {@code file} to {@code size} bytes, as {@code truncate -s} does. */
    public static void truncate(final Path file, final long size) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.truncate(size);
        }
    }
}
