package io.sequencer.storage;

import io.sequencer.core.NodeStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A {@link NodeStore} in one small file holding two copies of the state, so that each setter is durable when it
 * returns, a crash leaves the old state or the new one (or, with both copies torn, a file read as lost: never a wrong
 * state), and damage to one copy loses nothing.
 * <p>
 * A change writes both copies in place, then forces the file once ({@code fdatasync}: the file's size never changes).
 * The file is created whole, atomically (temporary file, fsync, rename, fsync of the directory), on the first write.
 * Every epoch change writes it, on the failover's path, and a force is slow beside a running cluster (three loaded
 * members on the 2-core machine: 1.5 ms at the median, 5.5 ms at p90, up to 32 ms over 114 writes in 10 kill cycles,
 * against 0.1 ms idle), so one force, not one per copy (docs/protocol.md §1).
 * <p>
 * Reading takes the copy with the higher sequence among those whose CRC32C holds. Why that is right: once a write
 * returned, both copies hold the new state, so a copy damaged later leaves the other holding the current state. A
 * crash before it returned leaves each copy old, new or damaged (torn: each copy lies in one sector, which most disks
 * write whole, so this is rare); the setter had not returned, nothing was acted on, so the old state and the new are
 * both right, and the newer good copy is one of them. A file with neither copy good is treated as lost, with a
 * logged error: the store reads as new (not {@link #initialized()}), which the protocol takes as a lost disk — the
 * node is not intact (docs/protocol.md §10.1, "Knowing what was lost"). The simulator's torn node-state write is
 * that case: the whole file lost.
 * <p>
 * Layout of each copy (little-endian), at bytes 0 and 4096 (separate pages and sectors) of an 8 KiB file: magic,
 * format version, sequence, initialized, amnesia, current epoch, guaranteed, boot id, unroll intent, log id, high
 * water, then a CRC32C of all of it (docs/layouts.md). The magic and version come first and the CRC last in every
 * version, so a file of another version is refused by name rather than read as a damaged one, as long as a copy keeps
 * this version's length (its CRC is checked at that length first); the single-record file of version 2 is read, and
 * replaced by this layout at the first write. A build before format 3 reads this file as damaged, so its member
 * starts not intact: going back to such a build is a restore from a backup, not a downgrade (README, "Upgrades").
 */
public final class FileNodeStore implements NodeStore
{
    /** The on-disk layout this build writes; version 2 added the log id and the high water, version 3 the copies. */
    public static final int FORMAT_VERSION = 3;
    /** The single-copy layout this build still reads. */
    static final int PREVIOUS_FORMAT_VERSION = 2;
    /**
     * Where the second copy starts, and half the file's length: a page apart, so that the copies never share a page
     * (written back whole by a force) or a sector (4 KiB on most disks), which one torn or failing write would take
     * both with.
     */
    static final int COPY_STRIDE = 4096;

    private static final Logger LOGGER = LoggerFactory.getLogger(FileNodeStore.class);
    private static final int MAGIC = 0x53455153; // "SQES"
    private static final int CRC_LENGTH = 8;
    /** One copy: magic, version, sequence, two flags, six longs, CRC. */
    private static final int COPY_LENGTH = 4 + 4 + 8 + 1 + 1 + 8 * 6 + CRC_LENGTH;
    /** Version 2's whole file: magic, version, two flags, six longs, CRC. */
    private static final int PREVIOUS_LENGTH = 4 + 4 + 1 + 1 + 8 * 6 + CRC_LENGTH;
    private static final int FILE_LENGTH = 2 * COPY_STRIDE;

    private final Path file;
    private final ByteBuffer copy = ByteBuffer.allocate(COPY_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();
    /** Open for the in-place writes once the file has this version's layout; null before. */
    private FileChannel channel;
    private long sequence;
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
        // A file of one record whose CRC over the whole of it holds is of an earlier version; anything else is taken
        // for this version's copies, each read where its bytes are present (a file cut short keeps its first copy).
        if (bytes.length < FILE_LENGTH && bytes.length >= 8 + CRC_LENGTH && buffer.getInt(0) == MAGIC &&
            buffer.getLong(bytes.length - CRC_LENGTH) == crc(bytes, 0, bytes.length - CRC_LENGTH))
        {
            if (buffer.getInt(4) != PREVIOUS_FORMAT_VERSION)
            {
                throw refused(buffer.getInt(4));
            }
            if (bytes.length != PREVIOUS_LENGTH)
            {
                LOGGER.error("node state {} is damaged ({} bytes, expected {}): starting as a node whose disk was lost",
                    file, bytes.length, PREVIOUS_LENGTH);
                return;
            }
            initialized = buffer.get(8) != 0;
            amnesia = buffer.get(9) != 0;
            readFields(buffer, 10);
            return;
        }
        readCopies(bytes);
    }

    /** This version's layout: the good copy with the higher sequence (see the class comment for why). */
    private void readCopies(final byte[] bytes)
    {
        final ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int chosen = -1;
        for (int offset = 0; offset < FILE_LENGTH; offset += COPY_STRIDE)
        {
            if (offset + COPY_LENGTH > bytes.length || buffer.getInt(offset) != MAGIC ||
                buffer.getLong(offset + COPY_LENGTH - CRC_LENGTH) != crc(bytes, offset, COPY_LENGTH - CRC_LENGTH))
            {
                LOGGER.warn("node state {}: the copy at byte {} is damaged or was being written; the other is read",
                    file, offset);
                continue;
            }
            if (buffer.getInt(offset + 4) != FORMAT_VERSION)
            {
                throw refused(buffer.getInt(offset + 4));
            }
            if (chosen < 0 || buffer.getLong(offset + 8) > buffer.getLong(chosen + 8))
            {
                chosen = offset;
            }
        }
        if (chosen < 0)
        {
            LOGGER.error("node state {} is damaged (neither copy holds): starting as a node whose disk was lost", file);
            return;
        }
        // Copies that differ (a crash between them) or one that is bad are made whole by the first write after this
        // open, which rewrites the whole file (see persist): a member writes its boot id at start, before it sends
        // anything, so nothing is acted on while only one copy holds the state read here.
        sequence = buffer.getLong(chosen + 8);
        initialized = buffer.get(chosen + 16) != 0;
        amnesia = buffer.get(chosen + 17) != 0;
        readFields(buffer, chosen + 18);
    }

    private void readFields(final ByteBuffer buffer, final int offset)
    {
        currentEpoch = buffer.getLong(offset);
        guaranteed = buffer.getLong(offset + 8);
        bootId = buffer.getLong(offset + 16);
        unrollIntent = buffer.getLong(offset + 24);
        logId = buffer.getLong(offset + 32);
        highWater = buffer.getLong(offset + 40);
    }

    private IllegalStateException refused(final int version)
    {
        return new IllegalStateException("node state " + file + " has format version " + version +
            "; this build reads versions " + PREVIOUS_FORMAT_VERSION + " and " + FORMAT_VERSION + " only");
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
        persist(); // one write of both copies for all three
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
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ex)
            {
                LOGGER.warn("node state {}: closing it failed: {}", file, ex.toString());
            }
            channel = null;
        }
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
        sequence++;
        copy.clear();
        copy.putInt(MAGIC).putInt(FORMAT_VERSION).putLong(sequence).put((byte)(initialized ? 1 : 0))
            .put((byte)(amnesia ? 1 : 0)).putLong(currentEpoch).putLong(guaranteed).putLong(bootId)
            .putLong(unrollIntent).putLong(logId).putLong(highWater);
        copy.putLong(crc(copy.array(), 0, COPY_LENGTH - CRC_LENGTH));
        if (channel == null)
        {
            // a new file, or one of the previous version: created whole, with both copies, then written in place
            final ByteBuffer whole = ByteBuffer.allocate(FILE_LENGTH);
            whole.put(copy.array()).position(COPY_STRIDE);
            whole.put(copy.array()).clear();
            DurableFiles.writeAtomically(file, whole);
            try
            {
                channel = FileChannel.open(file, StandardOpenOption.WRITE);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot open " + file + " for writing: " + ex.getMessage(), ex);
            }
            return;
        }
        try
        {
            writeCopy(0);
            writeCopy(COPY_STRIDE);
            channel.force(false); // one force for both: see the class comment for why that is enough
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + file + ": " + ex.getMessage(), ex);
        }
    }

    private void writeCopy(final long offset) throws IOException
    {
        copy.clear();
        long at = offset;
        while (copy.hasRemaining())
        {
            at += channel.write(copy, at);
        }
    }

    private long crc(final byte[] bytes, final int offset, final int length)
    {
        crc.reset();
        crc.update(bytes, offset, length);
        return crc.getValue();
    }
}
