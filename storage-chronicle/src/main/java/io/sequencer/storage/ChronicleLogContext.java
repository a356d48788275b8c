package io.sequencer.storage;

import java.nio.file.Path;

/**
 * Settings of a {@link ChronicleEventLog}, validated once by {@link #conclude()}.
 * <p>
 * {@code entriesPerCycle} ({@code K}) bounds the cost of {@code unrollTo}: it rewrites at most one cycle file of
 * {@code K} entries. Larger {@code K} means fewer files and a dearer worst-case unroll; the default, 65,536 entries
 * (about 8 MiB of 64-byte events per file), unrolls in milliseconds.
 */
public final class ChronicleLogContext
{
    /** Default entries per cycle file. */
    public static final int DEFAULT_ENTRIES_PER_CYCLE = 1 << 16;

    /** Default distance between indexed entries; a random read scans at most this many entry headers. */
    public static final int DEFAULT_INDEX_SPACING = 16;

    /** Default size of each memory-mapped block of a cycle file. */
    public static final long DEFAULT_BLOCK_SIZE = 64L << 20;

    /** Default interval between two checks, under durability {@code none}, that the log's file system takes writes. */
    public static final long DEFAULT_WRITE_CHECK_INTERVAL_NS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(100);

    /** Default largest payload: eight times the protocol's default maxEventLength. */
    public static final int DEFAULT_MAX_PAYLOAD_LENGTH = 32 * 1024;

    private Path directory;
    private int clusterId = -1;
    private int entriesPerCycle = DEFAULT_ENTRIES_PER_CYCLE;
    private int indexSpacing = DEFAULT_INDEX_SPACING;
    private long blockSize = DEFAULT_BLOCK_SIZE;
    private int maxPayloadLength = DEFAULT_MAX_PAYLOAD_LENGTH;
    private boolean rehashOnRead = false;
    private boolean verifyWholeLogAtOpen = false;
    private long bootId;
    private boolean forceFullCycles = true;
    private Path writeFailureMarkerDirectory;
    private long writeCheckIntervalNs = DEFAULT_WRITE_CHECK_INTERVAL_NS;
    private org.agrona.concurrent.NanoClock nanoClock = org.agrona.concurrent.SystemNanoClock.INSTANCE;

    /**
     * Check every setting once.
     *
     * @throws IllegalStateException naming the first setting that is missing or out of range.
     */
    public ChronicleLogContext conclude()
    {
        if (directory == null)
        {
            throw new IllegalStateException("directory is required");
        }
        if (clusterId < 0)
        {
            throw new IllegalStateException("clusterId is required (a non-negative cluster id)");
        }
        if (entriesPerCycle < 2 || Integer.bitCount(entriesPerCycle) != 1 || entriesPerCycle > 1 << 28)
        {
            throw new IllegalStateException(
                "entriesPerCycle=" + entriesPerCycle + ": expected a power of two in 2..2^28");
        }
        if (indexSpacing < 1 || Integer.bitCount(indexSpacing) != 1 || indexSpacing > 256)
        {
            throw new IllegalStateException("indexSpacing=" + indexSpacing + ": expected a power of two in 1..256");
        }
        if (blockSize < 256 * 1024)
        {
            throw new IllegalStateException("blockSize=" + blockSize + ": expected at least 256 KiB");
        }
        if (maxPayloadLength < 0 || maxPayloadLength > blockSize / 8)
        {
            throw new IllegalStateException("maxPayloadLength=" + maxPayloadLength + ": expected 0..blockSize/8 (" +
                blockSize / 8 + ") so that an entry always fits one mapped region");
        }
        if (writeCheckIntervalNs < 1_000_000)
        {
            throw new IllegalStateException("writeCheckIntervalNs=" + writeCheckIntervalNs + ": expected at least " +
                "1 ms (two system calls per check, on a thread of the log's own)");
        }
        return this;
    }

    public ChronicleLogContext directory(final Path directory)
    {
        this.directory = directory;
        return this;
    }

    /** The directory of this node's log; the queue files live in its {@code queue} subdirectory. */
    public Path directory()
    {
        return directory;
    }

    public ChronicleLogContext clusterId(final int clusterId)
    {
        this.clusterId = clusterId;
        return this;
    }

    /** The cluster the log belongs to: a directory of another cluster is refused. */
    public int clusterId()
    {
        return clusterId;
    }

    public ChronicleLogContext entriesPerCycle(final int entriesPerCycle)
    {
        this.entriesPerCycle = entriesPerCycle;
        return this;
    }

    /** Entries per cycle file, {@code K}; fixed for a directory when it is created. */
    public int entriesPerCycle()
    {
        return entriesPerCycle;
    }

    public ChronicleLogContext indexSpacing(final int indexSpacing)
    {
        this.indexSpacing = indexSpacing;
        return this;
    }

    /** Every how many entries Chronicle writes an index entry. */
    public int indexSpacing()
    {
        return indexSpacing;
    }

    /**
     * Walk and verify every cycle file at open, ignoring the seals of full cycles (docs/protocol.md §10.1): what
     * {@code sequencer log verify} does. By default an open walks only the cycles after the last trusted seal.
     */
    public ChronicleLogContext verifyWholeLogAtOpen(final boolean verifyWholeLogAtOpen)
    {
        this.verifyWholeLogAtOpen = verifyWholeLogAtOpen;
        return this;
    }

    public boolean verifyWholeLogAtOpen()
    {
        return verifyWholeLogAtOpen;
    }

    /**
     * This machine's boot id (0: not known). A seal written without forcing its cycle file is trusted at open only in
     * the boot it was written in ({@link CycleSeal}).
     */
    public ChronicleLogContext bootId(final long bootId)
    {
        this.bootId = bootId;
        return this;
    }

    public long bootId()
    {
        return bootId;
    }

    /**
     * True (default): force each full cycle file before its seal is written, as durability {@code batch} needs.
     * False, with a {@link #bootId}: under durability {@code none}, seal it without the fsync, whose writeback of a
     * cycle's megabytes stalls the appending thread's page faults for tens of milliseconds; the seal is then trusted
     * only in the same boot. {@link NodeStorage} then writes checkpoints without forcing them too.
     */
    public ChronicleLogContext forceFullCycles(final boolean forceFullCycles)
    {
        this.forceFullCycles = forceFullCycles;
        return this;
    }

    public boolean forceFullCycles()
    {
        return forceFullCycles;
    }

    /**
     * Where the log records, for the rest of the machine's boot, that its file system refused a write
     * ({@link WriteFailureMarker}); default {@link WriteFailureMarker#defaultDirectory()}. Under durability
     * {@code none} only.
     */
    public ChronicleLogContext writeFailureMarkerDirectory(final Path writeFailureMarkerDirectory)
    {
        this.writeFailureMarkerDirectory = writeFailureMarkerDirectory;
        return this;
    }

    public Path writeFailureMarkerDirectory()
    {
        return writeFailureMarkerDirectory != null ? writeFailureMarkerDirectory :
            WriteFailureMarker.defaultDirectory();
    }

    /**
     * Under durability {@code none} (full cycles not forced), how often a thread of the log's own checks that its
     * file system still takes writes (it writes back a few bytes of {@code log.header} as they are); default 100 ms.
     * Nothing else under {@code none} would notice a file system turned read-only after an error before the next
     * space reservation, up to a cycle later, while the appended tail it will never write back is counted.
     */
    public ChronicleLogContext writeCheckIntervalNs(final long writeCheckIntervalNs)
    {
        this.writeCheckIntervalNs = writeCheckIntervalNs;
        return this;
    }

    public long writeCheckIntervalNs()
    {
        return writeCheckIntervalNs;
    }

    public ChronicleLogContext blockSize(final long blockSize)
    {
        this.blockSize = blockSize;
        return this;
    }

    /** The size of each mapped block of a cycle file (files are sparse: this is address space, not disk). */
    public long blockSize()
    {
        return blockSize;
    }

    public ChronicleLogContext maxPayloadLength(final int maxPayloadLength)
    {
        this.maxPayloadLength = maxPayloadLength;
        return this;
    }

    /** The largest payload {@code append} accepts. */
    public int maxPayloadLength()
    {
        return maxPayloadLength;
    }

    public ChronicleLogContext rehashOnRead(final boolean rehashOnRead)
    {
        this.rehashOnRead = rehashOnRead;
        return this;
    }

    /**
     * Whether every read also recomputes the entry's chained checksum (default false). Every read verifies the
     * entry's CRC32C, which covers all its bytes and its stored {@code chk}, and, reading on from the previous
     * position, that it names its predecessor's {@code chk}; every open verifies the whole chain. The chain hash is a
     * serial ~60 ns per entry, as much again as Chronicle's own read of a small entry.
     */
    public boolean rehashOnRead()
    {
        return rehashOnRead;
    }

    /** The clock that times a cycle and paces the writing ahead of the next one's file (tests set their own). */
    ChronicleLogContext nanoClock(final org.agrona.concurrent.NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        return this;
    }

    org.agrona.concurrent.NanoClock nanoClock()
    {
        return nanoClock;
    }
}
