package io.sequencer.storage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Where a log starts when retention discarded its first cycle files or a snapshot was installed (docs/protocol.md
 * §13): the position right below its first entry, the checksum there, and the epoch of the newest {@code EpochStart}
 * at or below it. Kept in the file {@code log.base} beside the header, replaced atomically and forced before any
 * cycle file below it is deleted; a log without one starts at position 1. The same record under
 * {@code log.base.next} is a reset in progress ({@link ChronicleEventLog#resetTo}), finished by the next open.
 * <pre>
 *  0 int64 magic
 *  8 int64 log id
 * 16 int64 base
 * 24 int64 chk at base
 * 32 int64 epoch of the newest EpochStart at or below base
 * 40 int64 CRC32C of the 40 bytes before
 * </pre>
 */
final class LogBase
{
    static final String FILE = "log.base";
    static final String NEXT_FILE = "log.base.next";
    private static final long MAGIC = 0x455341424C514553L;
    private static final int LENGTH = 48;

    final long logId;
    final long base;
    final long chk;
    final long epoch;

    LogBase(final long logId, final long base, final long chk, final long epoch)
    {
        this.logId = logId;
        this.base = base;
        this.chk = chk;
        this.epoch = epoch;
    }

    /** Write it atomically and forced: whole or the old one, durably, before the caller deletes what lies below. */
    void write(final Path file)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(MAGIC).putLong(logId).putLong(base).putLong(chk).putLong(epoch);
        buffer.putLong(crc(buffer.array(), LENGTH - 8));
        buffer.flip();
        DurableFiles.writeAtomically(file, buffer);
    }

    /**
     * @return the record in {@code file}, or null when there is none.
     * @throws IllegalStateException when it is damaged or of another log: the atomic write makes that a disk fault or
     *                               a mix-up of directories, and where the log's chain starts is then unknown.
     */
    static LogBase read(final Path file, final long logId)
    {
        final byte[] bytes = DurableFiles.readIfExists(file);
        if (bytes == null)
        {
            return null;
        }
        final ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length != LENGTH || buffer.getLong(0) != MAGIC ||
            buffer.getLong(LENGTH - 8) != crc(bytes, LENGTH - 8) || buffer.getLong(16) < 0)
        {
            throw new IllegalStateException(file + " is damaged: where the log starts is unknown. Wipe this member's " +
                "directory and start it again without --bootstrap: it catches up from its peers");
        }
        if (buffer.getLong(8) != logId)
        {
            throw new IllegalStateException(file + " belongs to log " + Long.toHexString(buffer.getLong(8)) +
                ", not to " + Long.toHexString(logId) + ": refusing to open the log");
        }
        return new LogBase(logId, buffer.getLong(16), buffer.getLong(24), buffer.getLong(32));
    }

    private static long crc(final byte[] bytes, final int length)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return crc.getValue();
    }
}
