package io.sequencer.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test helper that damages a closed queue file the way a disk fault would: one flipped byte.
 */
final class QueueFiles
{
    private QueueFiles()
    {
    }

    /**
     * Flip one byte {@code distance} bytes after the first occurrence of the little-endian {@code marker} in
     * {@code file}. An entry's own {@code chk} (at offset 16) comes before the next entry's copy of it (at offset 8),
     * so with {@code distance} 8 the flipped byte is the entry's epoch, which its CRC and chained checksum cover.
     */
    static void flipByteAfter(final Path file, final long marker, final int distance) throws IOException
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
}
