package io.sequencer.storage;

import io.sequencer.core.NodeStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * A {@link NodeStore} in one small file, rewritten whole and atomically (temporary file, fsync, rename, fsync of
 * the directory) on every change, so each setter is durable when it returns and a crash leaves the old state or
 * the new one. These change only at epoch changes, so the cost of a rewrite does not matter.
 * <p>
 * A file that fails its checksum is treated as lost, with a logged error: the store reads as new (not
 * {@link #initialized()}), which the protocol takes as a lost disk — the node is not intact (docs/protocol.md §10.1,
 * "Knowing what was lost").
 * <p>
 * Layout (little-endian): magic, format version, initialized, amnesia, current epoch, guaranteed, boot id, unroll
 * intent, log id, high water, then a CRC32C of all of it. Every version keeps the magic first, the version second
 * and the CRC last, so a file of another version is refused by name rather than read as a damaged one.
 */
public final class FileNodeStore implements NodeStore
{
    /** The on-disk layout this build writes and reads; version 2 added the log id and the high water. */
    public static final int FORMAT_VERSION = 2;

    private static final Logger LOGGER = LoggerFactory.getLogger(FileNodeStore.class);
    private static final int MAGIC = 0x53455153; // "SQES"
    private static final int LENGTH = 4 + 4 + 1 + 1 + 8 + 8 + 8 + 8 + 8 + 8 + 8;
    private static final int CRC_LENGTH = 8;

    private final Path file;
    private boolean initialized;
    private long currentEpoch;
    private long guaranteed;
    private boolean amnesia;
    private long bootId;
    private long unrollIntent = -1;
    private long logId;
    private long highWater;
    private MemberDirectoryLock directoryLock;

    /**
     * Open the store kept in {@code file}; a missing file is a new store.
     *
     * @throws IllegalStateException when the file was written by another format version.
     */
    public FileNodeStore(final Path file)
    {
        this.file = file;
        final byte[] bytes = DurableFiles.readIfExists(file);
        if (bytes == null)
        {
            return;
        }
        final ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        // the CRC covers whatever length the writing version used: check it first, then the version it names
        if (bytes.length < 8 + CRC_LENGTH || buffer.getInt(0) != MAGIC ||
            buffer.getLong(bytes.length - CRC_LENGTH) != crc(bytes, bytes.length - CRC_LENGTH))
        {
            LOGGER.error("node state {} is damaged: starting as a node whose disk was lost", file);
            return;
        }
        if (buffer.getInt(4) != FORMAT_VERSION)
        {
            throw new IllegalStateException("node state " + file + " has format version " + buffer.getInt(4) +
                "; this build reads version " + FORMAT_VERSION + " only");
        }
        if (bytes.length != LENGTH)
        {
            LOGGER.error("node state {} is damaged ({} bytes, expected {}): starting as a node whose disk was lost",
                file, bytes.length, LENGTH);
            return;
        }
        initialized = buffer.get(8) != 0;
        amnesia = buffer.get(9) != 0;
        currentEpoch = buffer.getLong(10);
        guaranteed = buffer.getLong(18);
        bootId = buffer.getLong(26);
        unrollIntent = buffer.getLong(34);
        logId = buffer.getLong(42);
        highWater = buffer.getLong(50);
    }

    public boolean initialized()
    {
        return initialized;
    }

    public void initialize()
    {
        initialized = true;
        persist();
    }

    public long logId()
    {
        return logId;
    }

    public void logId(final long logId)
    {
        this.logId = logId;
        persist();
    }

    public long highWater()
    {
        return highWater;
    }

    public void highWater(final long position)
    {
        highWater = position;
        persist();
    }

    public long currentEpoch()
    {
        return currentEpoch;
    }

    public void currentEpoch(final long epoch)
    {
        currentEpoch = epoch;
        persist();
    }

    public void epochChange(final long epoch, final long guaranteed, final long highWater)
    {
        currentEpoch = epoch;
        this.guaranteed = Math.max(this.guaranteed, guaranteed);
        this.highWater = Math.max(this.highWater, highWater);
        persist(); // one replace-and-force for all three
    }

    public long guaranteed()
    {
        return guaranteed;
    }

    public void guaranteed(final long guaranteed)
    {
        this.guaranteed = guaranteed;
        persist();
    }

    public boolean amnesia()
    {
        return amnesia;
    }

    public void amnesia(final boolean amnesia)
    {
        this.amnesia = amnesia;
        persist();
    }

    public long bootId()
    {
        return bootId;
    }

    public void bootId(final long bootId)
    {
        this.bootId = bootId;
        persist();
    }

    public long unrollIntent()
    {
        return unrollIntent;
    }

    public void unrollIntent(final long position)
    {
        unrollIntent = position;
        persist();
    }

    public void close()
    {
        if (directoryLock != null)
        {
            final MemberDirectoryLock lock = directoryLock;
            directoryLock = null;
            lock.release();
        }
    }

    /** Hold a reference to the member directory's lock until this store is closed. */
    void releaseOnClose(final MemberDirectoryLock lock)
    {
        lock.retain();
        directoryLock = lock;
    }

    private void persist()
    {
        final ByteBuffer buffer = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(MAGIC).putInt(FORMAT_VERSION).put((byte)(initialized ? 1 : 0)).put((byte)(amnesia ? 1 : 0))
            .putLong(currentEpoch).putLong(guaranteed).putLong(bootId).putLong(unrollIntent)
            .putLong(logId).putLong(highWater);
        buffer.putLong(crc(buffer.array(), LENGTH - CRC_LENGTH));
        buffer.flip();
        DurableFiles.writeAtomically(file, buffer);
    }

    private static long crc(final byte[] bytes, final int length)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return crc.getValue();
    }
}
