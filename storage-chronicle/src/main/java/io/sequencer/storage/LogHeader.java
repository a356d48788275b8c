package io.sequencer.storage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.zip.CRC32C;

/**
 * The small file that says whose log a directory holds, which log it is and how it is laid out: cluster id, format
 * version, the number of entries per roll cycle (the position ↔ index arithmetic depends on it) and the log's
 * identity ({@link #logId}). Written once, atomically, when the log is created; checked on every open so that a
 * directory of another cluster, another format or another cycle size is refused before a byte of it is trusted.
 * <p>
 * Every version keeps the same frame: the magic first, the format version at byte 8, a CRC32C of everything before
 * it in the last 8 bytes. So a header of another version is recognised as such, and refused by name, rather than
 * taken for a damaged one.
 */
final class LogHeader
{
    static final long MAGIC = 0x474F4C5145534553L; // "SESEQLOG", little-endian
    static final int LENGTH = 8 + 4 + 4 + 4 + 4 + 8 + 8;
    private static final int VERSION_OFFSET = 8;
    private static final int CRC_LENGTH = 8;
    private static final SecureRandom RANDOM = new SecureRandom();

    final int formatVersion;
    final int clusterId;
    final int entriesPerCycle;
    final int indexSpacing;
    /** Random, non-zero, chosen when the log is created: a log lost and created anew has another. */
    final long logId;

    LogHeader(
        final int formatVersion,
        final int clusterId,
        final int entriesPerCycle,
        final int indexSpacing,
        final long logId)
    {
        this.formatVersion = formatVersion;
        this.clusterId = clusterId;
        this.entriesPerCycle = entriesPerCycle;
        this.indexSpacing = indexSpacing;
        this.logId = logId;
    }

    /** @return a random non-zero log identity (0 means "none recorded" to a node store). */
    static long newLogId()
    {
        long id;
        do
        {
            id = RANDOM.nextLong();
        }
        while (id == 0);
        return id;
    }

    void write(final Path file)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(MAGIC).putInt(formatVersion).putInt(clusterId).putInt(entriesPerCycle).putInt(indexSpacing)
            .putLong(logId);
        buffer.putLong(crc(buffer.array(), LENGTH - CRC_LENGTH));
        buffer.flip();
        DurableFiles.writeAtomically(file, buffer);
    }

    /**
     * @return the header in {@code file}, or null when there is none.
     * @throws IllegalStateException when the file is not a log header, is damaged, or was written by another format
     *                               version.
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
        // the CRC covers whatever length this version wrote, so the version it names can be trusted before the
        // layout is known
        if (bytes.length < VERSION_OFFSET + 4 + CRC_LENGTH ||
            buffer.getLong(bytes.length - CRC_LENGTH) != crc(bytes, bytes.length - CRC_LENGTH))
        {
            throw new IllegalStateException(file + " is damaged (" + bytes.length + " bytes, checksum mismatch): " +
                "refusing to open a log whose owner and layout cannot be read");
        }
        final int version = buffer.getInt(VERSION_OFFSET);
        if (version != ChronicleEventLog.FORMAT_VERSION)
        {
            throw new IllegalStateException("event log header " + file + " has format version " + version +
                "; this build reads version " + ChronicleEventLog.FORMAT_VERSION + " only" +
                (version < ChronicleEventLog.FORMAT_VERSION ?
                " (an older log, without a log identity: replace it by catching up from the cluster)" : "") +
                ": refusing to open it");
        }
        if (bytes.length != LENGTH)
        {
            throw new IllegalStateException(file + " is damaged (" + bytes.length + " bytes, expected " + LENGTH +
                "): refusing to open a log whose owner and layout cannot be read");
        }
        final long logId = buffer.getLong(24);
        if (logId == 0)
        {
            throw new IllegalStateException(file + " records no log identity: refusing to open it");
        }
        return new LogHeader(version, buffer.getInt(12), buffer.getInt(16), buffer.getInt(20), logId);
    }

    private static long crc(final byte[] bytes, final int length)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return crc.getValue();
    }
}
