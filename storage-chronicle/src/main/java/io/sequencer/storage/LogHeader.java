package io.sequencer.storage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The small file that says whose log a directory holds and how it is laid out: cluster id, format version and the
 * number of entries per roll cycle (the position ↔ index arithmetic depends on it). Written once, atomically, when
 * the log is created; checked on every open so that a directory of another cluster, another format or another
 * cycle size is refused before a byte of it is trusted.
 */
final class LogHeader
{
    static final long MAGIC = 0x474F4C5145534553L; // "SESEQLOG", little-endian
    static final int LENGTH = 8 + 4 + 4 + 4 + 4 + 8;

    final int formatVersion;
    final int clusterId;
    final int entriesPerCycle;
    final int indexSpacing;

    LogHeader(final int formatVersion, final int clusterId, final int entriesPerCycle, final int indexSpacing)
    {
        this.formatVersion = formatVersion;
        this.clusterId = clusterId;
        this.entriesPerCycle = entriesPerCycle;
        this.indexSpacing = indexSpacing;
    }

    void write(final Path file)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(MAGIC).putInt(formatVersion).putInt(clusterId).putInt(entriesPerCycle).putInt(indexSpacing);
        buffer.putLong(crc(buffer.array(), LENGTH - 8));
        buffer.flip();
        DurableFiles.writeAtomically(file, buffer);
    }

    /**
     * @return the header in {@code file}, or null when there is none.
     * @throws IllegalStateException when the file is not a log header or is damaged.
     */
    static LogHeader read(final Path file)
    {
        final byte[] bytes = DurableFiles.readIfExists(file);
        if (bytes == null)
        {
            return null;
        }
        final ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 8 || buffer.getLong(0) != MAGIC)
        {
            throw new IllegalStateException(file + " is not a sequencer event log header: refusing to open the log");
        }
        if (bytes.length != LENGTH || buffer.getLong(LENGTH - 8) != crc(bytes, LENGTH - 8))
        {
            throw new IllegalStateException(file + " is damaged (" + bytes.length + " bytes, checksum mismatch): " +
                "refusing to open a log whose owner and layout cannot be read");
        }
        return new LogHeader(buffer.getInt(8), buffer.getInt(12), buffer.getInt(16), buffer.getInt(20));
    }

    private static long crc(final byte[] bytes, final int length)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return crc.getValue();
    }
}
