package io.sequencer.storage;

import io.sequencer.core.Checksum;
import io.sequencer.core.EntryType;
import io.sequencer.core.EventLog;
import io.sequencer.core.LogEntry;
import io.sequencer.core.LogUnwritableException;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.InternalAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * An {@link EventLog} on a memory-mapped Chronicle Queue, with indexed rollback.
 * <p>
 * <b>Position ↔ index by arithmetic.</b> Roll cycles are driven by the log position, not the wall clock: the
 * queue's {@link TimeProvider} answers with the cycle of the position about to be appended, so position {@code p}
 * lies in cycle {@code 1 + (p - 1) / K} at sequence {@code (p - 1) mod K}, where {@code K} (a power of two, fixed
 * per directory by its {@link LogHeader}) is the number of entries per cycle file. A read by position is one
 * {@code moveToIndex}, not a scan, and sequential reads skip even that.
 * <p>
 * <b>Entries</b> are raw bytes in a Chronicle document, no wire format and no allocation: each is laid out in a
 * reusable staging buffer, in the machine's (little-endian) order, and copied into the document's mapped memory in
 * one move:
 * <pre>
 *   0  CRC32C of bytes 4..end   4  type   8  previous chk   16 chk   24 epoch   32 counter   40 incarnation
 *   48 localSeq   56 originId   60 payload length   64 position   72 timestamp   80 payload
 * </pre>
 * The entry's own position makes every entry self-identifying: a read led elsewhere by a damaged index is caught,
 * and an entry found past damage says how much was written.
 * <p>
 * <b>Verification.</b> Open verifies the chain: each entry's {@code chk} must equal {@link Checksum#chain} of
 * its predecessor's {@code chk} and its fields. Full cycles are sealed ({@link CycleSeal}, written when the log moves
 * on to the next cycle): an open trusts a contiguous run of seals from the first cycle, never the newest file, and
 * walks only the cycles after them, so its cost is one cycle file's walk whatever the log's length
 * ({@link ChronicleLogContext#verifyWholeLogAtOpen} walks them all). Every read verifies the entry it returns: its
 * CRC32C (a hardware instruction, covering every byte, the stored {@code chk} and position included), its position and,
 * reading on from the previous position, that it names its predecessor's {@code chk};
 * {@link ChronicleLogContext#rehashOnRead()} adds the chain hash itself, a serial ~60 ns per entry.
 * <p>
 * <b>Indexed rollback.</b> {@code unrollTo(n)} rewrites at most the one cycle file holding {@code n} (its first
 * {@code n mod K} entries are copied aside into a fresh cycle file with {@link InternalAppender#writeBytes}) and
 * deletes the cycle files after it, with the queue closed. An {@link UnrollIntent} written first and deleted last
 * makes it crash-safe: an open that finds one redoes the cut.
 * <p>
 * <b>Recovery at open.</b> The header is checked (another cluster, format or cycle size is refused); an unroll in
 * progress is finished; then, before Chronicle maps a cycle file, {@link LogScan} reads every cycle file after the
 * trusted seals raw: it verifies the chain from the last seal and collects the evidence of what was written after its
 * end — documents Chronicle completed there, Chronicle's own record of its last document in each file's store header,
 * intact entries anywhere further on, bytes no crash leaves, files cut short. Where Chronicle's reader stops is not
 * trusted: damaged bytes in the middle of a file make it stop there and call that the end.
 * <ul>
 *   <li>Nothing after the chain, or only the bytes of an append that never completed (its header word is written
 *       last): a sound log, or a torn last write; nothing is lost ({@link #tornWriteAtOpen()}).</li>
 *   <li>Exactly one complete entry after the chain, which fails its checks, and nothing else: the torn last write
 *       too, cut at once ({@link #tornWriteAtOpen()}, {@link #droppedAtOpen()} 1).</li>
 *   <li>Anything more: damage. {@link #damagedAtOpen()}, {@link #damageReport()} says where the chain ends, why,
 *       and how many entries were written after it (logged as an error); the node is not intact
 *       (docs/protocol.md §10.1, "Knowing what was lost"). The damaged tail is not cut at open but at the log's first
 *       change ({@code append} or {@code unrollTo}): until then the evidence stays on disk, so an open by a tool, or a
 *       node that stops before it has recorded that it is not intact, leaves the next open the same report.</li>
 * </ul>
 * Damage inside a sealed cycle is not looked for at open: the read that meets it throws and removes the seals from
 * that cycle on, so the next open walks into it and reports it as above.
 * What cannot be seen: the newest cycle file emptied (a crash between creating a cycle file and sizing it leaves
 * the same), or the whole tail of the log deleted with its files; the last entries erased together with Chronicle's
 * store-header record of them (within one largest entry of the end); after a power loss, pages written back out of
 * order in the unforced tail look like damage (the node then catches up). The node's own record of the log's
 * identity and high water ({@code NodeStore}) covers what the log alone cannot show.
 * <p>
 * What a crashed predecessor left in the page cache is forced.
 * <p>
 * <b>Read-only.</b> {@link #openReadOnly} runs the same checks and the same scan and changes nothing: an interrupted
 * unroll is refused ({@link UnrollInterruptedException}), a torn last write and damage are reported and left, reads
 * stop at the end of the verified chain, and every change throws. It is what tools that inspect a log use; the
 * writing open of a stopped member's log is the explicit repair ({@code sequencer log repair}).
 * <p>
 * <b>Durability.</b> Appends land in the page cache through the mapping, so they survive the crash of the process;
 * {@link #force()} makes them survive power loss (fdatasync of every cycle file written since the last force).
 * <p>
 * Single-threaded, as {@link EventLog} allows. The appender and tailer are created on first use, so the log may be
 * opened on one thread and then handed to another that uses it from then on.
 */
public final class ChronicleEventLog implements EventLog
{
    /**
     * The on-disk layout this build writes and reads. Version 2 added the log identity to the header, version 3 the
     * origin's time to every entry (cluster time, docs/protocol.md §12); a log of an earlier version is refused with a
     * message naming its version.
     */
    public static final int FORMAT_VERSION = 3;

    /** Bytes of each entry before its payload. */
    public static final int ENTRY_HEADER_LENGTH = 80;

    static final String QUEUE_DIRECTORY = "queue";
    static final String HEADER_FILE = "log.header";
    static final String INTENT_FILE = "unroll.intent";
    /** Chronicle's table store, written when the queue is first built: a read-only queue needs it to exist. */
    private static final String QUEUE_METADATA_FILE = "metadata.cq4t";
    static final String STAGING_DIRECTORY = "unroll.staging";

    /** Daily cycles: cycle {@code c} is the file of day {@code c} after 1970-01-01, named by Chronicle's format. */
    static final RollCycle ROLL_CYCLE = RollCycles.FAST_DAILY;
    private static final int RECENT_CHKS = 4096;
    static final int FIRST_CYCLE = 1;
    private static final String CYCLE_FILE_SUFFIX = ".cq4";
    /**
     * The next cycle's file, written ahead by the background writer: Chronicle's appender renames a file of this name
     * into place when it creates the cycle ({@code PrecreatedFiles}), so the roll finds its first pages allocated.
     */
    private static final String PRECREATED_SUFFIX = ".precreated";
    static final String PRECREATING_SUFFIX = ".precreating";
    /** The bytes of a cycle file written ahead before a full cycle has shown how many it takes; and at most. */
    private static final long MIN_PRECREATED_BYTES = 1 << 20;
    /** What a cycle file written ahead is filled with, 64 KiB at a time: one buffer for every file. */
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 << 10).asReadOnlyBuffer();
    private static final long MAX_PRECREATED_BYTES = 64 << 20;
    /** The longest a cycle file's writing ahead is spread over: a slow log's next roll is minutes away. */
    private static final long MAX_PRECREATE_SPREAD_NS = TimeUnit.SECONDS.toNanos(10);
    /**
     * The longest a writing ahead parks before it looks again at how full the cycle being appended is: a burst after a
     * quiet spell fills a cycle faster than the last one did, and must not meet a file half written at its roll.
     */
    private static final long PRECREATE_LOOK_NS = TimeUnit.MILLISECONDS.toNanos(20);
    /**
     * Where full cycles are forced ({@code batch}), a cycle file written ahead is forced every this many bytes as it
     * is written: in small steps, so that no one step holds the file system's journal long from the appending
     * thread's own forces.
     */
    private static final long PRECREATE_FORCE_BYTES = 1 << 20;
    private static final long ROLL_CYCLE_INDEX_ARRAY_BYTES = ROLL_CYCLE.defaultIndexCount() * (long)Long.BYTES + 64;
    /**
     * What a reservation of space in the cycle file being appended asks the file system for at a time: about 0.1 ms
     * of the appending thread here (1 MiB took 0.4 ms at the median), paid only where a cycle outgrows the file
     * written ahead for it.
     */
    private static final long RESERVE_BYTES = 256 << 10;
    private static final long PAGE_BYTES = 4096;
    /**
     * Beyond an entry's bytes: its document header and padding, and an index array Chronicle may write after it (or
     * have written after the entry before it).
     */
    private static final long RESERVE_SLACK_BYTES = ROLL_CYCLE_INDEX_ARRAY_BYTES + PAGE_BYTES;
    /** Generous for what Chronicle writes at the start of a cycle file before its index-to-index array. */
    private static final long FILE_HEADER_BYTES = 64 << 10;
    private static final DateTimeFormatter CYCLE_FILE_FORMAT = DateTimeFormatter.ofPattern(ROLL_CYCLE.format());

    static final int CRC_OFFSET = 0;
    static final int TYPE_OFFSET = 4;
    static final int PREVIOUS_CHK_OFFSET = 8;
    static final int CHK_OFFSET = 16;
    static final int EPOCH_OFFSET = 24;
    static final int COUNTER_OFFSET = 32;
    static final int INCARNATION_OFFSET = 40;
    static final int LOCAL_SEQ_OFFSET = 48;
    static final int ORIGIN_OFFSET = 56;
    static final int PAYLOAD_LENGTH_OFFSET = 60;
    /** The entry's own position: an entry found anywhere, even past damage, says which one it is. */
    static final int POSITION_OFFSET = 64;
    static final int TIMESTAMP_OFFSET = 72;

    private static final int TAILERS = 4;
    /**
     * How long Chronicle waits on a header another writer left incomplete before it takes it over. This log has one
     * writer, so such a header at open is a killed predecessor's torn write: waiting Chronicle's default 10 s (at
     * every roll and appender creation) would only delay recovery.
     */
    private static final long WRITER_TIMEOUT_MS = 500;
    private static final Logger LOGGER = LoggerFactory.getLogger(ChronicleEventLog.class);
    /** {@link #have}, read by the writing ahead on its own thread (how full the cycle being appended is). */
    private static final java.lang.invoke.VarHandle HAVE;

    static
    {
        try
        {
            HAVE = java.lang.invoke.MethodHandles.lookup().findVarHandle(ChronicleEventLog.class, "have", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** Drives roll cycles from the position being appended. */
    private static final class PositionClock implements TimeProvider
    {
        private long cycle;

        public long currentTimeMillis()
        {
            return cycle * ROLL_CYCLE.lengthInMillis();
        }
    }

    private final ChronicleLogContext context;
    private final Path directory;
    private final Path queueDirectory;
    private final Path intentFile;
    private final Path stagingDirectory;
    private final Path sealsFile;
    private final boolean verifyWholeLogAtOpen;
    private final long bootId;
    /** The boot id a seal is written with when its cycle file is not forced first; 0: forced first. */
    private final long unforcedSealBootId;
    private final int cycleShift;
    private final long sequenceMask;
    private final int maxPayloadLength;
    private final boolean rehashOnRead;
    /** Opened by {@link #openReadOnly}: nothing on disk is changed, created or forced. */
    private final boolean readOnly;
    /** Opened by {@link #openFollowing}: another process writes the log; reads wait for what it has not written. */
    private final boolean following;
    private final PositionClock clock = new PositionClock();
    /** The entry last read, copied out of the mapping: checked here, and its payload is what {@link LogEntry} views. */
    private final ExpandableDirectByteBuffer readBuffer = new ExpandableDirectByteBuffer(4096);
    /** The entry being appended, laid out before it is copied into the queue. */
    private final ExpandableDirectByteBuffer writeBuffer = new ExpandableDirectByteBuffer(4096);
    /** Chronicle's view of {@link #writeBuffer}, made again only when the buffer grows. */
    private Bytes<ByteBuffer> writeBytes;
    /** Wrapped over one entry in Chronicle's mapped memory at a time, to copy it in or out. */
    private final UnsafeBuffer entryView = new UnsafeBuffer(0, 0);
    private final CRC32C crc = new CRC32C();

    private ChronicleQueue queue;
    private ExcerptAppender appender;
    /**
     * Tailers pinned to recently read cycles: a Chronicle tailer that moves to another cycle file swaps its mapped
     * store, which costs microseconds and allocates. Replay, catch-up and probes of the tail each stay on their
     * own cycle, so a few tailers make every read a move within a cycle.
     */
    private final ExcerptTailer[] tailers = new ExcerptTailer[TAILERS];
    private final int[] tailerCycles = new int[TAILERS];
    private final long[] tailerLastUse = new long[TAILERS];
    private long tailerUses;
    private long lastReadPosition;
    private long lastReadChk;
    private long have;
    private long lastChk = Checksum.EMPTY;
    /**
     * The chks of the newest entries appended, at their position modulo its length: R8 checks each peer's report
     * against this log's chk at the report's position, a few entries below the end under load, and a read of the
     * queue for each took 6 % of the duty thread at 160,000 events/s.
     */
    private final long[] recentChks = new long[RECENT_CHKS];
    /** {@link #recentChks} holds every position from here up to {@code have}, within its length. */
    private long recentFrom = Long.MAX_VALUE;
    /** Where the log starts (§13): the entries at and below {@code base} are gone; a multiple of the cycle size. */
    private long base;
    private long baseChk = Checksum.EMPTY;
    private long baseEpoch;
    /** Forces the cycle files on a thread of its own; {@link #forcedPosition()} is its. */
    private final LogForcer forcer;
    private long[] epochStarts = new long[16];
    private int epochStartCount;
    private long logId;
    private boolean damagedAtOpen;
    private long droppedAtOpen;
    private String damageReport;
    private boolean tornWriteAtOpen;
    /** Damage found at open, not cut yet: the first change of the log cuts it (see {@link #scanAtOpen}). */
    private boolean pendingCut;
    /** The cycle whose file holds the start of the pending damage. */
    private int pendingBreakCycle;
    private boolean redoneAtOpen;
    /** The byte of the current cycle file where the data of the last entry appended ends (0: not known). */
    private long lastDataEnd;
    /**
     * The chk before {@code cycleFirst}, the first position of the cycle being appended, kept when this log appended
     * that position (-1: not known, after an open or a cut): its seal needs it, and reading it back from the cycle
     * before costs that cycle's mapping, milliseconds on the appending thread at every roll.
     */
    private long cycleFirst = -1;
    private long cyclePreviousChk;
    /** The highest cycle whose file the background writer was asked to write ahead (0: none since the open or cut). */
    private int precreatedCycle;
    /**
     * How much of a cycle file to write ahead: what the last full cycle took, so that no append of the next one meets
     * a first-touch page fault (1 MiB ahead left a 3 ms stall where it ended), rounded up to 1 MiB.
     */
    private long precreatedBytes;
    /**
     * The least a cycle file written ahead holds: 1 MiB, or more where the largest entry with Chronicle's file header,
     * index-to-index array and first index array needs it, so that a cycle's first entry always fits the file.
     */
    private final long minWrittenAheadBytes;
    /** When the first entry of the cycle being appended was appended ({@link #nanoClock}). */
    private long cycleStartNs;
    /** How long the last full cycle took to append, when this log appended all of it since its open or cut; else 0. */
    private long lastCycleNs;
    /** Moved on by every drain of the background writer: a cycle file still being written ahead is given up. */
    private volatile int precreateGeneration;
    /** The bytes of cycle files written ahead and forced (under {@code batch}) since the open. */
    private final java.util.concurrent.atomic.AtomicLong precreatedBytesForced =
        new java.util.concurrent.atomic.AtomicLong();
    private final org.agrona.concurrent.NanoClock nanoClock;
    /**
     * Forces a full cycle file and then writes its seal, off the appending thread: an fsync of a cycle's megabytes
     * on the duty cycle would be a latency spike every {@code K} entries. A seal therefore also says its cycle is
     * forced, and an open need not force it again. Created on the first seal; drained before a cut and at close.
     */
    private java.util.concurrent.ExecutorService sealWriter;
    /** {@link #sealWriter}'s thread, for a drain to wake from a writing ahead's wait. */
    private volatile Thread sealWriterThread;
    /**
     * Set by the seal writer when forcing a full cycle file failed: that cycle's pages may be gone, and a later fsync
     * through another file handle may not say so (Linux reports a writeback error once). Every force then throws.
     */
    private volatile String cycleForceFailure;
    /** Cycles an open trusted by their seals, and the entries it walked (for tests and the open's log line). */
    private int sealedCyclesAtOpen;
    private long entriesWalkedAtOpen;
    private long sealedUpToAtOpen;
    private long entriesAtOpen;
    /** The seals the log's full cycles have after an open: those it trusted and those of the full cycles it walked. */
    private java.util.List<CycleSeal> sealsAfterOpen = java.util.List.of();
    private int forceChannelCycle = Integer.MIN_VALUE;
    private FileChannel forceChannel;
    /**
     * Why the log's file system refused a write (null: it has not): every later append is refused. Set by the
     * forcer's check under durability {@code none} ({@link #checkWritesTaken}) or where a write failed.
     */
    private volatile String writesRefused;
    /**
     * {@code log.header}, a few of whose bytes {@link #checkWritesTaken} writes back: opened by the open under
     * {@code none}, or under {@code batch} by the first check, where a write failed.
     */
    private FileChannel writeCheckChannel;
    private final ByteBuffer writeCheckBuffer = ByteBuffer.allocate(Long.BYTES);
    /** Set by {@link #close}: a check that outlived the forcer's stop opens nothing and records nothing. */
    private boolean writeCheckClosed;
    /**
     * Under durability {@code none}, the file that records a refusal ({@link WriteFailureMarker}): named at the open,
     * from the directory's real path then, not on a file system that has just failed.
     */
    private Path writeFailureMarker;
    /** The duty thread's handle on the cycle file it reserves space in ({@link #reserveSpace}). */
    private FileChannel reserveChannel;
    private int reserveCycle = Integer.MIN_VALUE;
    /** The bytes from the start of {@link #reserveCycle}'s file the file system is known to have given it. */
    private long reservedEnd;
    /** What a reservation reads and writes back ({@link #allocate}), on the duty thread; made at the first one. */
    private ByteBuffer reserveBuffer;
    /** The duty thread's view of {@link #ZEROS}, for what lies past a file's end. */
    private final ByteBuffer reserveZeros = ZEROS.duplicate();
    private boolean closed;
    private MemberDirectoryLock directoryLock;

    private ChronicleEventLog(final ChronicleLogContext context, final boolean readOnly, final boolean following)
    {
        this.readOnly = readOnly;
        this.following = following;
        this.context = context;
        this.directory = context.directory();
        this.queueDirectory = directory.resolve(QUEUE_DIRECTORY);
        this.intentFile = directory.resolve(INTENT_FILE);
        this.stagingDirectory = directory.resolve(STAGING_DIRECTORY);
        this.sealsFile = directory.resolve(CycleSeal.FILE);
        this.verifyWholeLogAtOpen = context.verifyWholeLogAtOpen();
        this.bootId = context.bootId();
        this.unforcedSealBootId = context.forceFullCycles() ? 0 : context.bootId();
        this.cycleShift = Integer.numberOfTrailingZeros(context.entriesPerCycle());
        this.sequenceMask = context.entriesPerCycle() - 1L;
        this.maxPayloadLength = context.maxPayloadLength();
        this.minWrittenAheadBytes = roundUp(Math.max(MIN_PRECREATED_BYTES,
            ENTRY_HEADER_LENGTH + (long)maxPayloadLength + 2 * ROLL_CYCLE_INDEX_ARRAY_BYTES + FILE_HEADER_BYTES),
            MIN_PRECREATED_BYTES);
        this.precreatedBytes = minWrittenAheadBytes;
        this.rehashOnRead = context.rehashOnRead();
        this.nanoClock = context.nanoClock();
        this.forcer = new LogForcer(this::forceUpTo, "event log " + directory);
    }

    /**
     * Open an existing log with the layout its header records, for tools that do not know the cluster's settings.
     * Like {@link #open}, it finishes an interrupted unroll and cuts a torn last write (damage is cut at the first
     * change, as ever): the explicit repair of a stopped node's log.
     *
     * @throws IllegalStateException when {@code directory} holds no event log.
     */
    public static ChronicleEventLog openExisting(final Path directory)
    {
        return open(existingContext(directory), false);
    }

    /**
     * Open an existing log to read it, changing nothing on disk: no unroll is finished, nothing is cut, forced,
     * deleted or created (Chronicle's queue is opened read-only, and only when the log holds entries). A torn last
     * write or damage is reported ({@link #tornWriteAtOpen()}, {@link #damagedAtOpen()}, {@link #damageReport()})
     * and left on disk: reads stop at the last entry whose checksum chain verifies. {@code append}, {@code unrollTo}
     * and {@code force} throw.
     *
     * @throws UnrollInterruptedException when an unroll was interrupted: the writing open must finish it first.
     * @throws IllegalStateException      when {@code directory} holds no event log.
     */
    public static ChronicleEventLog openReadOnly(final Path directory)
    {
        return openReadOnly(directory, false);
    }

    /**
     * {@link #openReadOnly(Path)}, and with {@code verifyWholeLog} walking every cycle file, the seals of full cycles
     * ignored: damage anywhere is found at open ({@code sequencer log verify}, {@code log repair}).
     */
    public static ChronicleEventLog openReadOnly(final Path directory, final boolean verifyWholeLog)
    {
        return open(existingContext(directory).verifyWholeLogAtOpen(verifyWholeLog), true);
    }

    /**
     * Open the log of a member that is running, to follow what it appends (the basis of {@link CommittedLogReader}):
     * no lock, no scan, nothing changed on disk (Chronicle's queue is mapped read-only, once it exists). Every entry
     * read is checked in full (CRC32C, stored position, and checksum chain onto the entry read before it). A
     * {@link #read} of an entry the member has not written yet returns false; {@link #have()} is not known and
     * reads 0. Entries above the member's durable watermark may still be cut by it: a follower reads only up to
     * that watermark, which {@link CommittedLogReader} takes from the member's counters.
     *
     * @throws IllegalStateException when {@code directory} holds no event log.
     */
    public static ChronicleEventLog openFollowing(final Path directory)
    {
        return openFollowing(directory, true);
    }

    /** As {@link #openFollowing(Path)}, checking each entry's checksum chain by its hash only when {@code rehash}. */
    public static ChronicleEventLog openFollowing(final Path directory, final boolean rehash)
    {
        final ChronicleLogContext context = existingContext(directory).rehashOnRead(rehash);
        context.conclude();
        final ChronicleEventLog log = new ChronicleEventLog(context, true, true);
        try
        {
            log.checkHeader();
            log.readBase();
        }
        catch (final RuntimeException ex)
        {
            log.close();
            throw ex;
        }
        return log;
    }

    private static ChronicleLogContext existingContext(final Path directory)
    {
        final LogHeader header = LogHeader.read(directory.resolve(HEADER_FILE));
        if (header == null)
        {
            throw noLog(directory);
        }
        return new ChronicleLogContext()
            .directory(directory)
            .clusterId(header.clusterId)
            .entriesPerCycle(header.entriesPerCycle)
            .indexSpacing(header.indexSpacing);
    }

    private static IllegalStateException noLog(final Path directory)
    {
        return new IllegalStateException("no event log in " + directory + " (no " + HEADER_FILE + ")");
    }

    /**
     * Open the log in {@code context.directory()}, creating it if absent, and recover it: finish an interrupted
     * unroll, check the header, verify the checksum chain and cut a damaged tail.
     *
     * @throws IllegalStateException when the directory belongs to another cluster, format version or cycle size,
     *                               or holds queue files without a header.
     */
    public static ChronicleEventLog open(final ChronicleLogContext context)
    {
        return open(context, false);
    }

    private static ChronicleEventLog open(final ChronicleLogContext context, final boolean readOnly)
    {
        context.conclude();
        final ChronicleEventLog log = new ChronicleEventLog(context, readOnly, false);
        try
        {
            if (readOnly)
            {
                log.openDirectoryReadOnly();
            }
            else
            {
                log.openDirectory();
            }
        }
        catch (final RuntimeException ex)
        {
            log.close();
            throw ex;
        }
        return log;
    }

    private void openDirectory()
    {
        try
        {
            Files.createDirectories(queueDirectory);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create " + queueDirectory, ex);
        }
        checkHeader();
        final LogBase next = LogBase.read(directory.resolve(LogBase.NEXT_FILE), logId);
        if (next != null)
        {
            LOGGER.warn("event log {}: a reset to an installed snapshot at {} was interrupted: finishing it",
                directory, next.base);
            finishReset(next);
        }
        readBase();
        deleteCyclesBelowBase();

        final UnrollIntent intent = UnrollIntent.read(intentFile);
        if (intent != null)
        {
            LOGGER.warn("event log {}: an unroll to {} was interrupted (phase {}): finishing it",
                directory, intent.position, intent.phase);
            redoUnroll(intent);
            redoneAtOpen = true;
        }
        else
        {
            DurableFiles.deleteTree(stagingDirectory);
        }
        // before Chronicle maps a file: mapping a cut file would extend it with zeros and erase the evidence
        final boolean cutNow = scanAtOpen();
        if (!readOnly)
        {
            deletePrecreated(); // written ahead for a roll a crash or a cut overtook
        }
        if (queue == null)
        {
            openQueue();
        }
        if (cutNow)
        {
            cut(have);
        }
        if (intent != null && have > intent.position)
        {
            // cannot happen if the swap ran as written; if it did, the redo is not done until the log is cut
            LOGGER.error("event log {}: still {} entries after redoing an unroll to {}: cutting again",
                directory, have, intent.position);
            cut(intent.position);
        }
        // what a crashed predecessor appended may still be only in the page cache: force it before counting it (a
        // sealed cycle was forced before its seal was written, unless written under durability none, when nothing
        // asks whether it was forced)
        forcer.restartAt(Math.min(have, unforcedSealBootId != 0 ? sealedUpToAtOpen : forcedSealedUpTo()));
        force();
        resealWalkedCycles();
        entriesAtOpen = have;
        clock.cycle = cycleOf(have + 1);
        releaseExcerpts();
        if (unforcedSealBootId != 0)
        {
            // under none nothing else would notice a file system turned read-only until the next space reservation
            writeFailureMarker = WriteFailureMarker.fileFor(directory, context.writeFailureMarkerDirectory());
            try
            {
                openWriteCheckChannel();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("event log " + directory + ": cannot open its " + HEADER_FILE +
                    " for writing, which its write check under durability none needs", ex);
            }
            forcer.watch(this::checkWritesTaken, context.writeCheckIntervalNs());
        }
    }

    /**
     * {@link #openDirectory}'s checks and scan without its writes: the damage and torn write the scan finds stay on
     * disk, and {@link #have()} is the end of the verified chain, so reads never reach them.
     */
    private void openDirectoryReadOnly()
    {
        checkHeader();
        if (Files.exists(directory.resolve(LogBase.NEXT_FILE)))
        {
            throw new IllegalStateException("event log " + directory + ": a reset to an installed snapshot was " +
                "interrupted; open it for writing (start the member, or `sequencer log repair`) to finish it");
        }
        readBase();
        final UnrollIntent intent = UnrollIntent.read(intentFile);
        if (intent != null)
        {
            throw new UnrollInterruptedException(directory, intent.position);
        }
        scanAtOpen(); // what it would cut, nothing here does
        if (have > 0)
        {
            openQueue(); // read-only; a log of no entries is never read, and needs no queue (nor its metadata file)
        }
        clock.cycle = cycleOf(have + 1);
    }

    private void checkHeader()
    {
        final Path headerFile = directory.resolve(HEADER_FILE);
        final LogHeader header = LogHeader.read(headerFile);
        if (header == null)
        {
            if (readOnly)
            {
                throw noLog(directory);
            }
            if (cycleFiles().length > 0)
            {
                throw new IllegalStateException(queueDirectory + " holds queue files but " + headerFile +
                    " is missing: not a log written by this build, or its header was lost; refusing to open it");
            }
            // a new log: its identity is chosen once, here, and kept with it for as long as the directory lives
            final LogHeader created = new LogHeader(FORMAT_VERSION, context.clusterId(), context.entriesPerCycle(),
                context.indexSpacing(), LogHeader.newLogId());
            created.write(headerFile);
            logId = created.logId;
            return;
        }
        if (header.clusterId != context.clusterId())
        {
            throw new IllegalStateException("event log " + directory + " belongs to cluster " + header.clusterId +
                ", not to cluster " + context.clusterId() + ": refusing to open it");
        }
        if (header.entriesPerCycle != context.entriesPerCycle())
        {
            throw new IllegalStateException("event log " + directory + " was written with " + header.entriesPerCycle +
                " entries per cycle, not " + context.entriesPerCycle() + ": refusing to open it");
        }
        logId = header.logId;
    }

    private ChronicleQueue buildQueue(final Path path, final TimeProvider timeProvider)
    {
        return SingleChronicleQueueBuilder.binary(path)
            .rollCycle(ROLL_CYCLE)
            .timeProvider(timeProvider)
            .blockSize(context.blockSize())
            .indexSpacing(context.indexSpacing())
            .syncMode(SyncMode.NONE) // durability is force()'s fdatasync; Chronicle's own msync on release is waste
            .timeoutMS(WRITER_TIMEOUT_MS)
            .readOnly(readOnly) // maps the files read-only and writes no metadata
            .build();
    }

    private void openQueue()
    {
        clock.cycle = FIRST_CYCLE;
        queue = buildQueue(queueDirectory, clock);
    }

    /**
     * Chronicle binds an appender or tailer to the first thread that uses it: drop those the opening thread used,
     * so that the thread the log is handed to creates its own.
     */
    private void releaseExcerpts()
    {
        if (appender != null)
        {
            appender.close();
            appender = null;
        }
        for (int i = 0; i < TAILERS; i++)
        {
            if (tailers[i] != null)
            {
                tailers[i].close();
                tailers[i] = null;
            }
        }
    }

    private void closeQueue()
    {
        forcer.await(); // the files are about to be replaced, deleted or left: no force may be in flight
        closeForceChannel();
        closeReserveChannel();
        releaseExcerpts();
        if (queue != null)
        {
            queue.close();
            queue = null;
        }
        // unmap now rather than on Chronicle's background thread: the files are about to be replaced or deleted
        BackgroundResourceReleaser.releasePendingResources();
    }

    /**
     * Verify the log and look for what was written after the end of its chain ({@link LogScan}), set what the log
     * holds, and report what is lost. Damage is not cut here: the evidence stays on disk until the first change of
     * the log ({@link #append} or {@link #unrollTo}), so that an open that is not followed by one (a tool, or a node
     * that stops before it records that it is not intact) leaves the next open the same report.
     *
     * @return true when a writing open must cut the log at once: a torn last write whose document Chronicle completed
     *         (its appender would write after it), or cycle files past the end that hold nothing. A read-only open
     *         cuts nothing.
     */
    private boolean scanAtOpen()
    {
        final long startNs = System.nanoTime();
        final int[] cycles = presentCycles();
        final CycleSeal[] sealed = verifyWholeLogAtOpen ? new CycleSeal[0] : trustedSeals(cycles);
        // Nothing after the seals verifying onto them is a seal that outlived its cycle, or more often a crash inside
        // the append that began the next cycle (a torn first entry, an empty file): the walk from one seal earlier
        // tells which, and only if that too finds nothing after its seal is the whole log walked.
        int trusted = sealed.length;
        LogScan scan = scanAfter(sealed, trusted, cycles);
        if (trusted > 0 && brokeAtItsSeed(scan, sealed[trusted - 1]))
        {
            LOGGER.warn("event log {}: nothing after the seal of cycle {} verifies onto it ({}): walking from the " +
                "seal before", directory, sealed[trusted - 1].cycle, scan.breakReason);
            trusted--;
            scan = scanAfter(sealed, trusted, cycles);
            if (trusted > 0 && brokeAtItsSeed(scan, sealed[trusted - 1]))
            {
                trusted = 0;
                scan = scanAfter(sealed, trusted, cycles);
            }
        }
        sealedCyclesAtOpen = trusted;
        sealsAfterOpen = new java.util.ArrayList<>(Arrays.asList(sealed).subList(0, trusted));
        final int newest = cycles.length == 0 ? Integer.MIN_VALUE : cycles[cycles.length - 1];
        for (final CycleSeal walked : scan.walkedFullCycles)
        {
            if (walked.cycle < newest)
            {
                sealsAfterOpen.add(new CycleSeal(walked.cycle, logId, walked.previousChk, walked.lastPosition,
                    walked.lastChk, walked.dataEnd, 0, walked.epochStarts)); // 0: this open forces what it walked
            }
        }
        sealedUpToAtOpen = sealedCyclesAtOpen == 0 ? 0 : sealed[sealedCyclesAtOpen - 1].lastPosition;
        entriesWalkedAtOpen = scan.good - sealedUpToAtOpen;
        final long scanUs = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - startNs);
        have = scan.good;
        lastChk = scan.lastChk;
        epochStarts = scan.epochStarts;
        epochStartCount = scan.epochStartCount;
        droppedAtOpen = scan.lost();
        damagedAtOpen = scan.damaged();
        LOGGER.debug("event log {}: {} entries, {} walked and the rest vouched for by {} cycle seals, in {} us",
            directory, have, entriesWalkedAtOpen, sealedCyclesAtOpen, scanUs);
        if (damagedAtOpen)
        {
            damageReport = "event log " + directory + ": the checksum chain ends at entry " + have + " (" +
                scan.breakReason + ")" +
                (droppedAtOpen > 0 ? "; entries up to " + scan.writtenUpTo + " were written (" +
                scan.writtenEvidence() + "): at least " + droppedAtOpen + " entr" + (droppedAtOpen == 1 ? "y" : "ies") +
                " lost" : "") +
                (scan.damagedBytes != null ? "; damaged: " + scan.damagedBytes : "") +
                ". This is damage beyond a torn last write: the node is not intact. " + (readOnly ?
                "Opened read-only: nothing is cut, reads stop at entry " + have + "." :
                "The log is cut back to entry " + have + " at its first change.");
            LOGGER.error(damageReport);
            pendingCut = true;
            pendingBreakCycle = scan.breakCycle;
            return false;
        }
        if (droppedAtOpen > 0)
        {
            tornWriteAtOpen = true;
            LOGGER.warn("event log {}: entry {} ({}) is the torn last write: {} entry {}", directory, have + 1,
                scan.breakReason, readOnly ? "not cut (opened read-only), reads stop at" : "cutting it, back to", have);
            return true;
        }
        if (scan.unfinishedAt >= 0)
        {
            // nothing to cut: the document was never completed, and Chronicle's next append writes over it
            tornWriteAtOpen = true;
            LOGGER.warn("event log {}: an unfinished write after entry {} (bytes from byte {} of {}): a torn " +
                "append, no entry lost", directory, have, scan.unfinishedAt, scan.unfinishedFile);
        }
        if (scan.strayFiles)
        {
            LOGGER.warn("event log {}: cycle files past entry {} hold nothing: {}", directory, have,
                readOnly ? "left (opened read-only)" : "removing them");
            return true;
        }
        return false;
    }

    /** A walk of the cycles after the first {@code trusted} seals, the chain seeded from the last of them. */
    private LogScan scanAfter(final CycleSeal[] sealed, final int trusted, final int[] cycles)
    {
        final LogScan scan = new LogScan(queueDirectory, entriesPerCycle(), maxPayloadLength);
        if (trusted > 0)
        {
            scan.seed(Arrays.copyOf(sealed, trusted));
        }
        else
        {
            scan.seedBase(base, baseChk);
        }
        scan.run(Arrays.copyOfRange(cycles, trusted, cycles.length));
        return scan;
    }

    private static boolean brokeAtItsSeed(final LogScan scan, final CycleSeal seed)
    {
        return scan.good == seed.lastPosition && scan.breakCycle == seed.cycle + 1;
    }

    /**
     * The seals an open may trust instead of walking their cycles: a contiguous run from the first cycle, each of this
     * log, of a full cycle, chained onto the one before, its cycle file no shorter than its data, and never the newest
     * cycle file present (that one is always walked: a torn write, damage or a cut is looked for there).
     */
    /** The last position of the run of trusted seals whose cycle files were forced before them. */
    private long forcedSealedUpTo()
    {
        long upTo = 0;
        for (final CycleSeal seal : sealsAfterOpen)
        {
            if (seal.bootId != 0 || seal.lastPosition > sealedUpToAtOpen)
            {
                break;
            }
            upTo = seal.lastPosition;
        }
        return upTo;
    }

    private CycleSeal[] trustedSeals(final int[] cycles)
    {
        final java.util.Map<Integer, CycleSeal> byCycle = new java.util.HashMap<>();
        for (final CycleSeal seal : CycleSeal.readAll(sealsFile))
        {
            byCycle.put(seal.cycle, seal);
        }
        CycleSeal[] trusted = new CycleSeal[0];
        long previousChk = Checksum.EMPTY;
        for (int i = 0; i < cycles.length - 1; i++)
        {
            final int cycle = cycles[i];
            final CycleSeal seal = cycle == cycleOf(base + 1) + i ? byCycle.get(cycle) : null;
            final long first = base + ((long)i << cycleShift) + 1;
            if (seal == null || seal.logId != logId || seal.previousChk != previousChk ||
                seal.lastPosition != first + sequenceMask || !epochStartsWithin(seal, first) ||
                (seal.bootId != 0 && seal.bootId != bootId) || fileShorterThan(cycle, seal.dataEnd))
            {
                break;
            }
            trusted = Arrays.copyOf(trusted, i + 1);
            trusted[i] = seal;
            previousChk = seal.lastChk;
        }
        return trusted;
    }

    private static boolean epochStartsWithin(final CycleSeal seal, final long first)
    {
        long previous = first - 1;
        for (final long position : seal.epochStarts)
        {
            if (position <= previous || position > seal.lastPosition)
            {
                return false;
            }
            previous = position;
        }
        return true;
    }

    private boolean fileShorterThan(final int cycle, final long dataEnd)
    {
        try
        {
            return Files.size(queueDirectory.resolve(cycleFileName(cycle))) < dataEnd;
        }
        catch (final IOException ex)
        {
            return true;
        }
    }

    /** Cycles whose seals the last open trusted instead of walking them (§10.1). */
    public int sealedCyclesAtOpen()
    {
        return sealedCyclesAtOpen;
    }

    /** Entries the log held when its writing open was done (after any cut the open made). */
    public long entriesAtOpen()
    {
        return entriesAtOpen;
    }

    /** Entries the last open walked and verified, from the end of the seals it trusted. */
    public long entriesWalkedAtOpen()
    {
        return entriesWalkedAtOpen;
    }

    private int[] presentCycles()
    {
        final Path[] files = cycleFiles();
        final int[] cycles = new int[files.length];
        for (int i = 0; i < files.length; i++)
        {
            cycles[i] = cycleOfFileName(files[i].getFileName().toString());
        }
        Arrays.sort(cycles);
        return cycles;
    }

    /**
     * Copy the document {@code bytes} is positioned on into {@link #readBuffer} and check it: its length, CRC32C and
     * stored position; when {@code previousKnown}, that it names {@code previousChk} as its predecessor's; when
     * {@code hash}, that its {@code chk} is {@link Checksum#chain} of its predecessor's and its fields.
     *
     * @return null when the entry is sound, else what is wrong with it.
     */
    private String copyAndCheck(
        final Bytes<?> bytes,
        final long position,
        final boolean previousKnown,
        final long previousChk,
        final boolean hash)
    {
        final long length = bytes.readRemaining();
        if (length < ENTRY_HEADER_LENGTH || length > ENTRY_HEADER_LENGTH + (long)maxPayloadLength)
        {
            return "has an impossible length of " + length + " bytes";
        }
        // a document no longer than Chronicle's overlap is contiguous in one mapping; copied out, it stays valid
        // after the tailer moves on and its mapping is released
        final int entryLength = (int)length;
        entryView.wrap(bytes.addressForRead(bytes.readPosition()), entryLength);
        readBuffer.putBytes(0, entryView, 0, entryLength);
        if (crcOf(readBuffer, entryLength) != readBuffer.getInt(CRC_OFFSET))
        {
            return "fails its CRC32C";
        }
        final int payloadLength = readBuffer.getInt(PAYLOAD_LENGTH_OFFSET);
        if (payloadLength != entryLength - ENTRY_HEADER_LENGTH)
        {
            return "has a payload length of " + payloadLength + " in an entry of " + length + " bytes";
        }
        if (readBuffer.getLong(POSITION_OFFSET) != position)
        {
            // Chronicle's index led elsewhere: an intact entry, but another one
            return "is where entry " + readBuffer.getLong(POSITION_OFFSET) + " is stored";
        }
        if (previousKnown && readBuffer.getLong(PREVIOUS_CHK_OFFSET) != previousChk)
        {
            return "does not chain onto its predecessor";
        }
        if (hash && Checksum.chain(
            readBuffer.getLong(PREVIOUS_CHK_OFFSET),
            readBuffer.getInt(TYPE_OFFSET),
            readBuffer.getLong(EPOCH_OFFSET),
            readBuffer.getLong(COUNTER_OFFSET),
            readBuffer.getInt(ORIGIN_OFFSET),
            readBuffer.getLong(INCARNATION_OFFSET),
            readBuffer.getLong(LOCAL_SEQ_OFFSET),
            readBuffer.getLong(TIMESTAMP_OFFSET),
            readBuffer, ENTRY_HEADER_LENGTH, payloadLength) != readBuffer.getLong(CHK_OFFSET))
        {
            return "fails its checksum";
        }
        return null;
    }

    /** @return the CRC32C of bytes 4 to {@code length} of {@code buffer}: everything of an entry but the CRC itself. */
    private int crcOf(final ExpandableDirectByteBuffer buffer, final int length)
    {
        final ByteBuffer byteBuffer = buffer.byteBuffer();
        byteBuffer.limit(length).position(TYPE_OFFSET);
        crc.reset();
        crc.update(byteBuffer); // a direct buffer: the intrinsic, no copy, no allocation
        byteBuffer.clear();
        return (int)crc.getValue();
    }

    /** {@inheritDoc} Kept in the log's header, chosen at random when the log was created. */
    public long logId()
    {
        return logId;
    }

    public long have()
    {
        return have;
    }

    public long base()
    {
        return base;
    }

    public long baseEpoch()
    {
        return baseEpoch;
    }

    public long chkAt(final long position)
    {
        if (position < base || position > have)
        {
            throw new IllegalArgumentException("position " + position + " outside " + base + ".." + have);
        }
        if (position == have)
        {
            return lastChk;
        }
        if (position == base)
        {
            return baseChk;
        }
        if (position >= recentFrom && have - position < RECENT_CHKS)
        {
            final long chk = recentChks[(int)position & (RECENT_CHKS - 1)];
            assert chk == storedChk(position) : "entry " + position + ": the chk kept differs from the one stored";
            return chk;
        }
        return storedChk(position);
    }

    /**
     * {@inheritDoc}
     * <p>
     * Whole cycle files only: the base moves to the last cycle boundary at or below {@code position}. The new base is
     * recorded ({@link LogBase}, forced) and the files below it deleted by the background writer, after the seals
     * it has queued; the duty cycle only reads one entry (the checksum at the new base).
     */
    public void discardUpTo(final long position)
    {
        checkWritable("discardUpTo");
        if (position < 0)
        {
            throw new IllegalArgumentException("discardUpTo(" + position + ")");
        }
        final long target = (Math.min(position, have) >>> cycleShift) << cycleShift;
        if (target <= base)
        {
            return;
        }
        forcer.await(); // no force in flight may meet a file being deleted, nor read the base as it moves
        final long chk = chkAt(target);
        long epoch = baseEpoch;
        int dropped = 0;
        while (dropped < epochStartCount && epochStarts[dropped] <= target)
        {
            epoch = storedEpoch(epochStarts[dropped]);
            dropped++;
        }
        epochStarts = Arrays.copyOfRange(epochStarts, dropped, dropped + Math.max(epochStarts.length, 16));
        epochStartCount -= dropped;
        base = target;
        baseChk = chk;
        baseEpoch = epoch;
        final int firstCycle = cycleOf(target + 1);
        for (int i = 0; i < TAILERS; i++)
        {
            if (tailers[i] != null && tailerCycles[i] < firstCycle)
            {
                tailers[i].close(); // its mapping would keep the deleted file's blocks in use
                tailers[i] = null;
            }
        }
        if (lastReadPosition < target)
        {
            lastReadPosition = 0;
            lastReadChk = Checksum.EMPTY;
        }
        final LogBase record = new LogBase(logId, target, chk, epoch);
        backgroundWriter().execute(() ->
        {
            try
            {
                record.write(directory.resolve(LogBase.FILE));
                deleteCyclesBelow(firstCycle);
                CycleSeal.writeAll(sealsFile, CycleSeal.readAll(sealsFile).stream()
                    .filter(seal -> seal.cycle >= firstCycle).toList());
            }
            catch (final RuntimeException ex)
            {
                // the files stay and the next discard or open deletes them: only disk space is at stake
                LOGGER.error("event log {}: cannot discard the cycle files below {}: {}", directory, target,
                    ex.toString());
            }
        });
    }

    /**
     * {@inheritDoc}
     * <p>
     * The new start is recorded first ({@code log.base.next}, forced), then every cycle file and seal is deleted and
     * the record renamed into place: an open that finds the record finishes the reset.
     */
    public void resetTo(final long base, final long chk, final long baseEpoch)
    {
        checkWritable("resetTo");
        if (!canResetTo(base))
        {
            throw new IllegalArgumentException("resetTo(" + base + "): this log starts only at a multiple of its " +
                entriesPerCycle() + " entries per cycle");
        }
        drainSealWriter();
        final LogBase record = new LogBase(logId, base, chk, baseEpoch);
        record.write(directory.resolve(LogBase.NEXT_FILE));
        closeQueue();
        finishReset(record);
        openQueue();
        readBase();
        have = base;
        lastChk = chk;
        recentFrom = Long.MAX_VALUE;
        forcer.restartAt(base); // idle: the queue was closed
        epochStartCount = 0;
        lastDataEnd = 0;
        cycleFirst = -1;
        pendingCut = false;
        lastReadPosition = 0;
        lastReadChk = Checksum.EMPTY;
        clock.cycle = cycleOf(base + 1);
    }

    public boolean canResetTo(final long base)
    {
        return base >= 0 && (base & sequenceMask) == 0;
    }

    /** Delete every cycle file, written-ahead file and seal, then put the new base in place. Idempotent. */
    private void finishReset(final LogBase record)
    {
        deleteCyclesBelow(Integer.MAX_VALUE);
        deletePrecreated();
        CycleSeal.writeAll(sealsFile, java.util.List.of());
        try
        {
            DurableFiles.move(directory.resolve(LogBase.NEXT_FILE), directory.resolve(LogBase.FILE));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot reset the event log " + directory + " to " + record.base, ex);
        }
        DurableFiles.forceDirectory(directory);
    }

    private void readBase()
    {
        final LogBase record = LogBase.read(directory.resolve(LogBase.FILE), logId);
        if (record != null && !canResetTo(record.base))
        {
            throw new IllegalStateException(directory.resolve(LogBase.FILE) + " names base " + record.base +
                ", not a multiple of " + entriesPerCycle() + " entries per cycle: refusing to open the log");
        }
        base = record == null ? 0 : record.base;
        baseChk = record == null ? Checksum.EMPTY : record.chk;
        baseEpoch = record == null ? 0 : record.epoch;
        have = Math.max(have, base);
        lastChk = have == base ? baseChk : lastChk;
    }

    /** Cycle files a discard recorded but did not get to delete (a crash): before anything maps them. */
    private void deleteCyclesBelowBase()
    {
        if (base > 0)
        {
            deleteCyclesBelow(cycleOf(base + 1));
        }
    }

    /** Delete the cycle files below {@code cycle}, oldest first: a crash part way leaves the newer ones. */
    private void deleteCyclesBelow(final int cycle)
    {
        final Path[] files = cycleFiles();
        Arrays.sort(files, (a, b) -> Integer.compare(
            cycleOfFileName(a.getFileName().toString()), cycleOfFileName(b.getFileName().toString())));
        try
        {
            for (final Path file : files)
            {
                if (cycleOfFileName(file.getFileName().toString()) < cycle)
                {
                    Files.deleteIfExists(file);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete the cycle files of " + directory + " below cycle " + cycle,
                ex);
        }
        DurableFiles.forceDirectory(queueDirectory);
    }

    /** The epoch stored with the entry at {@code position}. */
    private long storedEpoch(final long position)
    {
        return storedLong(position, EPOCH_OFFSET);
    }

    public long append(final LogEntry entry)
    {
        return append(entry, false, 0);
    }

    /**
     * {@inheritDoc} Takes {@code chk} as given (checked only with assertions on): a catch-up hashes each entry once.
     */
    public long appendChained(final LogEntry entry, final long chk)
    {
        return append(entry, true, chk);
    }

    private long append(final LogEntry entry, final boolean chained, final long givenChk)
    {
        final int type = entry.type();
        final DirectBuffer payload = entry.payload();
        final int payloadOffset = entry.payloadOffset();
        final int payloadLength = entry.payloadLength();
        checkWritable("append");
        final String refused = writesRefused;
        if (refused != null)
        {
            throw new LogUnwritableException("event log " + directory + ": " + refused + ": entry " + (have + 1) +
                " not appended" + (unforcedSealBootId != 0 ? ", and what the log held but its file system had not " +
                "written back may be gone" : ""), new IOException(refused));
        }
        if (payloadLength < 0 || payloadLength > maxPayloadLength)
        {
            throw new IllegalArgumentException(
                "payload length " + payloadLength + " outside 0.." + maxPayloadLength);
        }
        if (pendingCut)
        {
            cut(have); // the damage found at open goes before anything is written after it
        }
        final long position = have + 1;
        final int length = ENTRY_HEADER_LENGTH + payloadLength;
        reserveSpace(position, length); // first: an append it refuses leaves everything as it was, seals included
        if (position > 1 && ((position - 1) & sequenceMask) == 0)
        {
            seal(cycleOf(position - 1));
        }
        if (((position - 1) & sequenceMask) == 0)
        {
            final long nowNs = nanoClock.nanoTime(); // once a cycle
            lastCycleNs = cycleFirst == position - sequenceMask - 1 ? nowNs - cycleStartNs : 0;
            cycleStartNs = nowNs;
            cycleFirst = position;
            cyclePreviousChk = lastChk;
        }
        if (cycleOf(position) >= precreatedCycle)
        {
            precreate(cycleOf(position) + 1);
        }
        final long chk = chained ? givenChk : entry.expectedChk(lastChk);
        assert !chained || chk == entry.expectedChk(lastChk) :
            "entry " + position + " given a chk that is not its chained checksum";

        final ExpandableDirectByteBuffer staged = writeBuffer;
        staged.putBytes(ENTRY_HEADER_LENGTH, payload, payloadOffset, payloadLength);
        staged.putInt(TYPE_OFFSET, type);
        staged.putLong(PREVIOUS_CHK_OFFSET, lastChk);
        staged.putLong(CHK_OFFSET, chk);
        staged.putLong(EPOCH_OFFSET, entry.epoch());
        staged.putLong(COUNTER_OFFSET, entry.counter());
        staged.putLong(INCARNATION_OFFSET, entry.incarnation());
        staged.putLong(LOCAL_SEQ_OFFSET, entry.localSeq());
        staged.putInt(ORIGIN_OFFSET, entry.originId());
        staged.putInt(PAYLOAD_LENGTH_OFFSET, payloadLength);
        staged.putLong(POSITION_OFFSET, position);
        staged.putLong(TIMESTAMP_OFFSET, entry.timestamp());
        staged.putInt(CRC_OFFSET, crcOf(staged, length));

        clock.cycle = cycleOf(position);
        final ExcerptAppender appender = appender();
        // writeBytes, not writingDocument: Chronicle's document context finds the queue's end again before every
        // append (a scan of up to indexSpacing headers from the last index entry: a quarter of an append's time in a
        // catch-up's profile), while writeBytes goes on from where this appender, the queue's only writer, left it
        try
        {
            appender.writeBytes(stagedBytes(staged, length));
        }
        catch (final Exception ex) // Chronicle throws an IOException of a roll or a mapping undeclared
        {
            throw unwritten(position, ex);
        }
        lastDataEnd = appender.wire().bytes().writePosition();

        final long index = appender.lastIndexAppended();
        if (index != indexOf(position))
        {
            // the arithmetic is the whole design: if Chronicle put the entry elsewhere nothing read later is trusted
            throw new IllegalStateException("entry " + position + " was appended at index " + Long.toHexString(index) +
                ", expected " + Long.toHexString(indexOf(position)));
        }
        have = position;
        lastChk = chk;
        recentChks[(int)position & (RECENT_CHKS - 1)] = chk;
        recentFrom = Math.min(recentFrom, position);
        entry.at(position, chk);
        if (type == EntryType.EPOCH_START)
        {
            addEpochStart(position);
        }
        return position;
    }

    public boolean read(final long position, final LogEntry entry)
    {
        if (position <= base || (position > have && !following))
        {
            if (following && position >= 1 && position <= base)
            {
                throw new io.sequencer.core.RecoveredFault("entry " + position + " is no longer in the log " +
                    directory + ": it starts above " + base);
            }
            return false;
        }
        if (following && queue == null)
        {
            if (!Files.isRegularFile(queueDirectory.resolve(QUEUE_METADATA_FILE)))
            {
                return false; // the member has not written its first entry
            }
            openQueue();
        }
        final ExcerptTailer tailer = moveTo(position);
        if (tailer == null)
        {
            return false; // following: not written yet
        }
        try (DocumentContext dc = tailer.readingDocument())
        {
            if (following && !dc.isPresent())
            {
                return false;
            }
            if (!dc.isPresent() || dc.index() != indexOf(position))
            {
                throw damagedOnRead(position, "is missing from the queue");
            }
            // reading on from the previous read, the predecessor's chk is known: the entry must name it
            final String failure = copyAndCheck(
                dc.wire().bytes(), position, position == lastReadPosition + 1, lastReadChk, rehashOnRead);
            if (failure != null)
            {
                lastReadPosition = 0;
                lastReadChk = Checksum.EMPTY;
                throw damagedOnRead(position, failure);
            }
            lastReadPosition = position;
            lastReadChk = readBuffer.getLong(CHK_OFFSET);
            entry.set(
                position,
                readBuffer.getInt(TYPE_OFFSET),
                readBuffer.getLong(EPOCH_OFFSET),
                readBuffer.getLong(COUNTER_OFFSET),
                readBuffer.getInt(ORIGIN_OFFSET),
                readBuffer.getLong(INCARNATION_OFFSET),
                readBuffer.getLong(LOCAL_SEQ_OFFSET),
                readBuffer.getLong(TIMESTAMP_OFFSET),
                readBuffer.getLong(CHK_OFFSET),
                readBuffer,
                ENTRY_HEADER_LENGTH,
                readBuffer.getInt(PAYLOAD_LENGTH_OFFSET));
        }
        return true;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Cost: closing and reopening the queue, copying at most one cycle's entries, deleting later cycle files —
     * bounded by the cycle size, not the log's. If it throws an I/O error part way, close the log and open it again:
     * the open finishes the cut.
     */
    public void unrollTo(final long position, final long floor)
    {
        checkWritable("unrollTo");
        if (position < floor)
        {
            throw new IllegalArgumentException("unrollTo(" + position + ") below the floor " + floor);
        }
        if (position < base || position > have)
        {
            throw new IllegalArgumentException("unrollTo(" + position + ") outside " + base + ".." + have);
        }
        if (position == have && !pendingCut)
        {
            return;
        }
        cut(position);
    }

    public long lastEpochStartPosition()
    {
        return epochStartCount == 0 ? 0 : epochStarts[epochStartCount - 1];
    }

    public boolean damagedAtOpen()
    {
        return damagedAtOpen;
    }

    /**
     * @return how many entries written after the end of the verified chain the open found (0 for a sound log, 1 for
     *         a torn last write whose document was complete; when {@link #damagedAtOpen()}, at least this many: the
     *         evidence may not show all of them). A torn write is cut at open; damage at the first change.
     */
    public long droppedAtOpen()
    {
        return droppedAtOpen;
    }

    /**
     * @return what the open found damaged — where the verified chain ends and why, how many entries were written
     *         after it and the evidence, bytes no crash leaves — for the node's error log; null when
     *         {@link #damagedAtOpen()} is false.
     */
    public String damageReport()
    {
        return damageReport;
    }

    /**
     * @return true when the open found a torn last write past the verified chain and no damage: the bytes of an
     *         append that never completed (no entry lost, nothing to cut: the next append writes over them), or one
     *         complete last entry that fails its checks ({@link #droppedAtOpen()} 1: cut by a writing open, left by
     *         a read-only one).
     */
    public boolean tornWriteAtOpen()
    {
        return tornWriteAtOpen;
    }

    /** @return true when the open found an interrupted unroll and finished it. */
    public boolean unrollRedoneAtOpen()
    {
        return redoneAtOpen;
    }

    /**
     * {@inheritDoc} The forcer's thread forces; this waits for it. Refused on a read-only log, whose
     * {@link #forcedPosition()} stays 0.
     */
    public void force()
    {
        requestForce();
        forcer.await();
        throwIfForceFailed();
    }

    /**
     * {@inheritDoc} The forcer's thread forces the cycle files written since the last force, then moves
     * {@link #forcedPosition()} on. Throws if a force has failed since the open: the pages it was to write may be
     * gone.
     */
    public void requestForce()
    {
        checkWritable("force");
        throwIfForceFailed();
        forcer.request(have);
    }

    private void throwIfForceFailed()
    {
        final String failure = cycleForceFailure != null ? cycleForceFailure : forcer.failure();
        if (failure != null)
        {
            // the member stops on it (docs/protocol.md §10.7), and its next start cuts what was not forced
            throw new LogUnwritableException("cannot force the event log " + directory + " (" + failure +
                "): nothing after entry " + forcedPosition() + " counts as forced", new IOException(failure));
        }
    }

    /**
     * On the forcer's thread: fdatasync every cycle file holding entries after {@code forcedBefore} (and above the
     * base) up to {@code target}. The appending thread changes {@link #base} and the force channel only while the
     * forcer is idle ({@link LogForcer#await}), and asks for a force after, so this reads them as they were then.
     */
    private void forceUpTo(final long forcedBefore, final long target) throws IOException
    {
        try
        {
            forceCyclesUpTo(forcedBefore, target);
        }
        catch (final IOException ex)
        {
            if (writeFailureMarker != null)
            {
                checkWritesTaken(); // under none (an open's or a close's force): a file system turned read-only
            }
            throw ex;
        }
    }

    private void forceCyclesUpTo(final long forcedBefore, final long target) throws IOException
    {
        final String sealForceFailure = cycleForceFailure;
        if (sealForceFailure != null)
        {
            // Linux reports a writeback error to one fdatasync only: the seal writer's had it, and this one would
            // succeed past pages that never reached the disk
            throw new IOException(sealForceFailure);
        }
        final long from = Math.max(forcedBefore, base);
        if (from >= target)
        {
            return; // nothing above the base, or all of it forced
        }
        final int firstCycle = cycleOf(from + 1); // none below the base is left to force
        final int lastCycle = cycleOf(target);
        for (int cycle = firstCycle; cycle < lastCycle; cycle++)
        {
            // cycles rolled past since the last force: forced once each, off the steady-state path
            DurableFiles.forceFile(queueDirectory.resolve(cycleFileName(cycle)));
        }
        if (forceChannelCycle != lastCycle)
        {
            closeForceChannel();
            forceChannel = FileChannel.open(queueDirectory.resolve(cycleFileName(lastCycle)), StandardOpenOption.WRITE);
            forceChannelCycle = lastCycle;
            // a new cycle file's name must survive too
            DurableFiles.forceDirectory(queueDirectory);
        }
        forceChannel.force(false);
    }

    public long forcedPosition()
    {
        return forcer.forced();
    }

    public void close()
    {
        if (!closed)
        {
            closed = true;
            if (writeFailureMarker != null)
            {
                // first, before a step that may fail or wait: a member stopped within a check's interval of the
                // failure still records it
                checkWritesTaken();
            }
            try
            {
                try
                {
                    drainSealWriter();
                    if (!readOnly && !following)
                    {
                        deletePrecreated();
                    }
                }
                finally
                {
                    forcer.stop();
                    closeQueue();
                    closeWriteCheckChannel();
                }
                if (writeBytes != null)
                {
                    writeBytes.releaseLast();
                    writeBytes = null;
                }
                BufferUtil.free(readBuffer.byteBuffer());
                BufferUtil.free(writeBuffer.byteBuffer());
                if (reserveBuffer != null)
                {
                    BufferUtil.free(reserveBuffer);
                    reserveBuffer = null;
                }
            }
            finally
            {
                if (directoryLock != null)
                {
                    directoryLock.release(); // last: nothing of the log is mapped or open any more
                }
            }
        }
    }

    /** Hold a reference to the member directory's lock until this log is closed. */
    void releaseOnClose(final MemberDirectoryLock lock)
    {
        lock.retain();
        directoryLock = lock;
    }

    /** @return the directory this log lives in. */
    public Path directory()
    {
        return directory;
    }

    /** @return the number of entries per cycle file. */
    public int entriesPerCycle()
    {
        return 1 << cycleShift;
    }

    /** @return the Chronicle index at which {@code position} is stored. */
    public long indexOf(final long position)
    {
        return ROLL_CYCLE.toIndex(cycleOf(position), (position - 1) & sequenceMask);
    }

    int cycleOf(final long position)
    {
        return (int)(FIRST_CYCLE + ((position - 1) >>> cycleShift));
    }

    /** @return the name Chronicle gives the file of {@code cycle} (a day number under {@link #ROLL_CYCLE}). */
    static String cycleFileName(final int cycle)
    {
        return CYCLE_FILE_FORMAT.format(LocalDate.ofEpochDay(cycle)) + CYCLE_FILE_SUFFIX;
    }

    /** @return the cycle of a queue file name, or -1 when the name is not one of ours. */
    static int cycleOfFileName(final String name)
    {
        if (!name.endsWith(CYCLE_FILE_SUFFIX))
        {
            return -1;
        }
        try
        {
            final String date = name.substring(0, name.length() - CYCLE_FILE_SUFFIX.length());
            return (int)LocalDate.parse(date, CYCLE_FILE_FORMAT).toEpochDay();
        }
        catch (final DateTimeParseException ex)
        {
            return -1;
        }
    }

    /** The first {@code length} bytes of {@code staged}, as Chronicle's appender copies them. */
    private Bytes<ByteBuffer> stagedBytes(final ExpandableDirectByteBuffer staged, final int length)
    {
        Bytes<ByteBuffer> bytes = writeBytes;
        if (bytes == null || bytes.underlyingObject() != staged.byteBuffer())
        {
            if (bytes != null)
            {
                bytes.releaseLast();
            }
            bytes = Bytes.wrapForRead(staged.byteBuffer());
            writeBytes = bytes;
        }
        bytes.readPosition(0);
        bytes.readLimit(length);
        return bytes;
    }

    private ExcerptAppender appender()
    {
        if (appender == null)
        {
            appender = queue.createAppender();
        }
        return appender;
    }

    private ExcerptTailer moveTo(final long position)
    {
        final int cycle = cycleOf(position);
        int slot = -1;
        int leastRecent = 0;
        for (int i = 0; i < TAILERS; i++)
        {
            if (tailers[i] != null && tailerCycles[i] == cycle)
            {
                slot = i;
                break;
            }
            if (tailerLastUse[i] < tailerLastUse[leastRecent])
            {
                leastRecent = i;
            }
        }
        if (slot < 0)
        {
            slot = leastRecent;
            if (tailers[slot] == null)
            {
                tailers[slot] = queue.createTailer();
            }
            tailerCycles[slot] = cycle;
        }
        tailerLastUse[slot] = ++tailerUses;

        final ExcerptTailer tailer = tailers[slot];
        final long index = indexOf(position);
        if (tailer.index() != index && !tailer.moveToIndex(index))
        {
            if (following)
            {
                return null; // not written yet (the member's next cycle file, or the next entry of this one)
            }
            throw damagedOnRead(position, "is missing from the queue (no index " + Long.toHexString(index) + ")");
        }
        return tailer;
    }

    private void checkWritable(final String change)
    {
        if (readOnly)
        {
            throw new IllegalStateException("event log " + directory + " was opened read-only: " + change +
                " refused");
        }
    }

    /**
     * An entry found damaged by a read, after the open: its cycle's seal and every later one go, so that the next
     * open walks into the damage and reports the log damaged (§10.1), as it would have without seals.
     */
    private IllegalStateException damagedOnRead(final long position, final String what)
    {
        if (!readOnly && !following)
        {
            try
            {
                drainSealWriter();
                CycleSeal.deleteFrom(sealsFile, cycleOf(position));
            }
            catch (final UncheckedIOException ex)
            {
                LOGGER.error("event log {}: {}", directory, ex.getMessage());
            }
        }
        return damaged(position, what);
    }

    /**
     * Seal the full cycle {@code cycle} (its last entry is the log's last): what it holds, for the next open to trust
     * without walking it. A seal that cannot be written costs that open a walk, nothing else.
     */
    private void seal(final int cycle)
    {
        final long first = have - sequenceMask;
        final long previousChk;
        try
        {
            previousChk = first - 1 == base ? baseChk : first == cycleFirst ? cyclePreviousChk : storedChk(first - 1);
        }
        catch (final RuntimeException ex)
        {
            // a seal is only a shortcut: the append goes on, and the next open walks this cycle
            LOGGER.warn("event log {}: cycle {} not sealed: {}", directory, cycle, ex.getMessage());
            lastDataEnd = 0;
            return;
        }
        int from = epochStartCount;
        while (from > 0 && epochStarts[from - 1] >= first)
        {
            from--;
        }
        final CycleSeal seal = new CycleSeal(cycle, logId, previousChk, have, lastChk, lastDataEnd,
            unforcedSealBootId, Arrays.copyOfRange(epochStarts, from, epochStartCount));
        if (lastDataEnd > 0)
        {
            precreatedBytes = Math.max(minWrittenAheadBytes,
                Math.min(MAX_PRECREATED_BYTES, roundUp(lastDataEnd, MIN_PRECREATED_BYTES)));
        }
        lastDataEnd = 0;
        final Path cycleFile = queueDirectory.resolve(cycleFileName(cycle));
        backgroundWriter().execute(() ->
        {
            try
            {
                if (seal.bootId == 0)
                {
                    DurableFiles.forceFile(cycleFile);
                }
            }
            catch (final RuntimeException ex)
            {
                cycleForceFailure = "forcing the full cycle file " + cycleFile + " failed: " + ex;
                LOGGER.error("event log {}: {}", directory, cycleForceFailure);
                return;
            }
            try
            {
                seal.append(sealsFile);
            }
            catch (final RuntimeException ex)
            {
                LOGGER.warn("event log {}: cannot seal cycle {} ({}): the next open walks it", directory, cycle,
                    ex.toString());
            }
        });
    }

    /**
     * A writing open, once everything it counts is forced: when it walked full cycles whose seals were missing or not
     * trusted (a log written before seals, a torn seals file, a cut, damage found by a read), write the seals file
     * anew with the seals it trusted and those of the cycles it walked, so that the next open need not walk them.
     */
    private void resealWalkedCycles()
    {
        // only cycles the log still holds up to its end: a cut at the first change removes the seals it touches
        final java.util.List<CycleSeal> kept = new java.util.ArrayList<>();
        for (final CycleSeal seal : sealsAfterOpen)
        {
            if (seal.lastPosition <= have)
            {
                kept.add(seal);
            }
        }
        final java.util.List<CycleSeal> onFile = CycleSeal.readAll(sealsFile);
        if (cyclesOf(onFile).equals(cyclesOf(kept)) && !CycleSeal.hasTornTail(sealsFile, onFile))
        {
            return; // the file holds exactly these seals already
        }
        try
        {
            CycleSeal.writeAll(sealsFile, kept);
        }
        catch (final UncheckedIOException ex)
        {
            LOGGER.warn("event log {}: {}: the next open walks those cycles again", directory, ex.getMessage());
        }
    }

    /** Each seal's cycle and whether its cycle file was forced first: what tells two sets of seals apart here. */
    private static java.util.List<Long> cyclesOf(final java.util.List<CycleSeal> seals)
    {
        return seals.stream().map(seal -> seal.bootId == 0 ? seal.cycle : -1L - seal.cycle).toList();
    }

    /**
     * The thread that forces and seals full cycles and writes the next cycle's file ahead, off the appending thread.
     */
    private java.util.concurrent.ExecutorService backgroundWriter()
    {
        if (sealWriter == null)
        {
            sealWriter = java.util.concurrent.Executors.newSingleThreadExecutor(task ->
            {
                final Thread thread = new Thread(task, "sequencer-log-seals");
                thread.setDaemon(true);
                sealWriterThread = thread;
                return thread;
            });
        }
        return sealWriter;
    }

    /**
     * Have the background writer write the first {@link #precreatedBytes} of {@code cycle}'s file as zeros, under
     * Chronicle's pre-created name, built under another and renamed once whole. Creating a cycle file on the roll
     * cost the appending thread 4–5 ms of first-touch page faults of a new sparse file (its header and index arrays:
     * {@code AppendStallRun}); Chronicle renames this one into place instead. Nothing named as a cycle file exists
     * before the roll, so Chronicle's listing, its tailers and this log's scan see nothing of it; one left over (a
     * crash, a cut) is zeros, what a new file holds anyway, and is removed at open, cut and close. The force after the
     * roll makes the new name durable ({@link #forceUpTo} forces the directory when the cycle changes).
     * <p>
     * Where full cycles are forced ({@code batch}), the zeros are forced too, as they are written: otherwise the first
     * force after the roll would write them all back (50 ms).
     * <p>
     * The writing is spread over half the time the last full cycle took ({@link #lastCycleNs}, at most
     * {@link #MAX_PRECREATE_SPREAD_NS}), so that it ends long before the roll that needs it. Written at once, just
     * after a roll, the megabytes of zeros of three members' files took both cores of a small machine from the
     * appending threads for milliseconds, when those had just spent theirs on the roll. A drain of the writer gives it
     * up.
     */
    private void precreate(final int cycle)
    {
        precreatedCycle = cycle;
        final long bytes = precreatedBytes;
        final long spreadNs = Math.min(lastCycleNs / 2, MAX_PRECREATE_SPREAD_NS);
        final long fillFrom = cycleFirst; // the first position of the cycle being appended
        final int generation = precreateGeneration;
        final boolean forceZeros = unforcedSealBootId == 0;
        final Path target = queueDirectory.resolve(cycleFileName(cycle));
        final Path ready = queueDirectory.resolve(precreatedFileName(cycle));
        final Path building = buildingFileFor(cycle);
        backgroundWriter().execute(() ->
        {
            try
            {
                if (generation != precreateGeneration || Files.exists(target) || Files.exists(ready))
                {
                    return; // drained before it began, or not needed
                }
                final boolean whole;
                try (FileChannel channel = FileChannel.open(building, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE))
                {
                    whole = writeZeros(channel, bytes, spreadNs, fillFrom, generation, target, forceZeros);
                }
                if (!whole || Files.exists(target))
                {
                    Files.delete(building); // given up, or the roll came first: nothing to leave behind
                    return;
                }
                Files.move(building, ready, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            catch (final IOException | RuntimeException ex)
            {
                // the append that begins the cycle writes the file itself then (writtenAheadBytes)
                LOGGER.warn("event log {}: cycle {} not written ahead: {}", directory, cycle, ex.toString());
                deleteGivenUp(building);
            }
        });
    }

    /**
     * A name of its own under which to write {@code cycle}'s file ahead, renamed ready once whole: a background writer
     * left running by a drain that timed out never writes into another writer's file.
     */
    private Path buildingFileFor(final int cycle)
    {
        return queueDirectory.resolve(precreatedFileName(cycle).replace(PRECREATED_SUFFIX,
            "." + System.nanoTime() + PRECREATING_SUFFIX));
    }

    /** Delete a file being written ahead that was given up; one left is removed at the next open, cut or close. */
    private static void deleteGivenUp(final Path building)
    {
        try
        {
            Files.deleteIfExists(building);
        }
        catch (final IOException ignored)
        {
            // removed at the next open, cut or close
        }
    }

    /**
     * Write {@code bytes} of zeros from the start of {@code channel}, 64 KiB at a time, spread evenly over
     * {@code spreadNs}, or faster when the cycle being appended (from {@code fillFrom}) fills faster: a chunk is due
     * when its share of the time has gone by or the cycle is filled to twice its share, whichever comes first, so the
     * file is whole by the time the cycle is half full. With {@code force}, what is written is forced every
     * {@link #PRECREATE_FORCE_BYTES} and at the end.
     *
     * @return false, with the writing given up, when a drain moved {@link #precreateGeneration} on from
     * {@code generation} or {@code target} was created meanwhile (the roll came first).
     */
    private boolean writeZeros(final FileChannel channel, final long bytes, final long spreadNs, final long fillFrom,
        final int generation, final Path target, final boolean force) throws IOException
    {
        final ByteBuffer zeros = ZEROS.duplicate(); // a view of its own: the write moves its position
        final long chunks = (bytes + zeros.capacity() - 1) / zeros.capacity();
        final long entriesPerCycle = sequenceMask + 1;
        final long startNs = nanoClock.nanoTime();
        long forcedUpTo = 0;
        for (long chunk = 0; chunk < chunks; chunk++)
        {
            if (spreadNs > 0 && chunk > 0)
            {
                final long dueNs = startNs + spreadNs * chunk / chunks; // no overflow: both at most 10 s, 1,024 chunks
                // no overflow either: at most 2^28 entries a cycle times 2,048
                final long dueFill = entriesPerCycle * chunk / (2 * chunks);
                for (long waitNs = dueNs - nanoClock.nanoTime(); waitNs > 0 &&
                    (long)HAVE.getOpaque(this) - fillFrom + 1 < dueFill; waitNs = dueNs - nanoClock.nanoTime())
                {
                    if (generation != precreateGeneration)
                    {
                        return false;
                    }
                    // until the chunk is due, or the next look at the cycle's fill: on two cores every wake-up is one
                    // the appending threads may wait for; a drain unparks it
                    java.util.concurrent.locks.LockSupport.parkNanos(Math.min(waitNs, PRECREATE_LOOK_NS));
                }
                if (generation != precreateGeneration || Files.exists(target))
                {
                    return false;
                }
            }
            final long at = chunk * zeros.capacity();
            final long written = at + zeros.capacity();
            writeZeros(channel, zeros, at, written);
            if (force && (written % PRECREATE_FORCE_BYTES == 0 || chunk == chunks - 1))
            {
                channel.force(false);
                precreatedBytesForced.addAndGet(written - forcedUpTo);
                forcedUpTo = written;
            }
        }
        return true;
    }

    /** @return the bytes of cycle files written ahead and forced since the open (under {@code batch} only). */
    long precreatedBytesForced()
    {
        return precreatedBytesForced.get();
    }

    /** The name under which {@code cycle}'s file is written ahead, for Chronicle to rename into place. */
    static String precreatedFileName(final int cycle)
    {
        final String name = cycleFileName(cycle);
        return name.substring(0, name.length() - CYCLE_FILE_SUFFIX.length()) + PRECREATED_SUFFIX;
    }

    /** Remove the cycle files written ahead that no roll took (after the background writer is drained). */
    private void deletePrecreated()
    {
        try (java.nio.file.DirectoryStream<Path> files = Files.newDirectoryStream(queueDirectory,
            entry -> entry.getFileName().toString().endsWith(PRECREATED_SUFFIX) ||
                entry.getFileName().toString().endsWith(PRECREATING_SUFFIX)))
        {
            for (final Path file : files)
            {
                Files.deleteIfExists(file);
            }
        }
        catch (final java.nio.file.NoSuchFileException ex)
        {
            // no queue directory yet
        }
        catch (final IOException ex)
        {
            LOGGER.warn("event log {}: cannot remove cycle files written ahead: {}", directory, ex.toString());
        }
        precreatedCycle = 0;
    }

    /** Wait for the seals being written: a cut must not race one, and a close leaves none half done. */
    private void drainSealWriter()
    {
        if (sealWriter == null)
        {
            return;
        }
        // a file still being written ahead is given up, not waited for: the drain is prompt
        precreateGeneration++;
        java.util.concurrent.locks.LockSupport.unpark(sealWriterThread);
        sealWriter.shutdown();
        try
        {
            if (!sealWriter.awaitTermination(1, TimeUnit.MINUTES))
            {
                throw new IllegalStateException("event log " + directory + ": sealing a cycle took over a minute");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("event log " + directory + ": interrupted waiting for a cycle's seal", ex);
        }
        finally
        {
            sealWriter = null;
        }
    }

    private IllegalStateException damaged(final long position, final String what)
    {
        return new IllegalStateException("event log " + directory + ": entry " + position + " " + what +
            ": the log was damaged after it was opened");
    }

    private void addEpochStart(final long position)
    {
        if (epochStartCount == epochStarts.length)
        {
            epochStarts = Arrays.copyOf(epochStarts, epochStarts.length * 2);
        }
        epochStarts[epochStartCount++] = position;
    }

    /**
     * Make sure the file system has given the cycle file the bytes the append of entry {@code position}
     * ({@code length} bytes) may write, before it writes any. Chronicle writes through a mapping: on a full disk a
     * write into a page the file does not have yet is a SIGBUS, which the JVM turns into an {@link InternalError}
     * thrown later, after the append had returned as if the entry were written (it was not: the entry was torn,
     * found and cut at the next open). A write() instead fails at once ("No space left on device"), and the append
     * throws {@link LogUnwritableException} before anything of the entry is written: the log stays as it was, and
     * the same append succeeds once the disk has room.
     * <p>
     * A cycle's first entry goes into the file written ahead ({@link #precreate}), at least
     * {@link #minWrittenAheadBytes}: where it is not there yet (the writer failed, or is late), it is written now.
     * After that the space is reserved {@link #RESERVE_BYTES} at a time from the last entry's end ({@link #allocate}
     * reads what is there and writes it back, so nothing Chronicle wrote after the entry, an index array, changes).
     * Where the end is not known (a cycle file that already existed at its first entry), the file is reserved from
     * its start. Under {@code batch} what is written back is forced with the entries.
     */
    private void reserveSpace(final long position, final int length)
    {
        final int cycle = cycleOf(position);
        if (cycle != reserveCycle)
        {
            closeReserveChannel();
            reserveCycle = cycle;
            reservedEnd = 0;
        }
        long dataEnd = 0; // where what the file is known to hold ends; 0: not known
        if (((position - 1) & sequenceMask) == 0)
        {
            final long writtenAhead = writtenAheadBytes(cycle, position);
            if (writtenAhead > 0)
            {
                reservedEnd = writtenAhead; // the first entry fits (minWrittenAheadBytes); the file comes at the roll
                return;
            }
        }
        else if (lastDataEnd > 0)
        {
            dataEnd = lastDataEnd;
        }
        else
        {
            // after an open or a cut; not the first entry after a reset: a base is a cycle's end
            assert position - 1 > base : "entry " + position + " after the base " + base + " begins no cycle";
            dataEnd = dataEndOf(position - 1);
        }
        final long needed = dataEnd > 0 ? dataEnd + length + RESERVE_SLACK_BYTES : minWrittenAheadBytes;
        if (needed <= reservedEnd)
        {
            return;
        }
        final long from = Math.max(reservedEnd, dataEnd);
        final long to = roundUp(Math.max(needed, from + RESERVE_BYTES), PAGE_BYTES);
        try
        {
            if (reserveChannel == null)
            {
                reserveChannel = FileChannel.open(queueDirectory.resolve(cycleFileName(cycle)),
                    StandardOpenOption.READ, StandardOpenOption.WRITE);
            }
            allocate(reserveChannel, from, to);
        }
        catch (final IOException ex)
        {
            throw noRoom(position, queueDirectory.resolve(cycleFileName(cycle)), ex);
        }
        reservedEnd = to;
    }

    /**
     * The bytes the file of {@code cycle}, which entry {@code position} begins, holds written before Chronicle creates
     * it: the file written ahead, or, where there is none yet, one written now. 0 where the cycle's file exists
     * already.
     */
    private long writtenAheadBytes(final int cycle, final long position)
    {
        final Path target = queueDirectory.resolve(cycleFileName(cycle));
        final Path ready = queueDirectory.resolve(precreatedFileName(cycle));
        Path building = null;
        try
        {
            if (Files.exists(target))
            {
                return 0;
            }
            if (Files.exists(ready))
            {
                // renamed into place whole by the writer, every byte written, and at least minWrittenAheadBytes
                return Files.size(ready);
            }
            // The background writer may be writing it too: both write zeros, at least minWrittenAheadBytes of them,
            // and whichever is renamed last is the one Chronicle renames into place.
            building = buildingFileFor(cycle);
            try (FileChannel channel = FileChannel.open(building, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE))
            {
                writeZeros(channel, ZEROS.duplicate(), 0, minWrittenAheadBytes);
                if (unforcedSealBootId == 0)
                {
                    channel.force(false);
                }
            }
            DurableFiles.move(building, ready);
            return minWrittenAheadBytes;
        }
        catch (final IOException ex)
        {
            if (building != null)
            {
                deleteGivenUp(building);
            }
            throw noRoom(position, target, ex);
        }
    }

    /**
     * What Chronicle threw writing entry {@code position}: where it could not open or map a file (a roll, a new
     * region), nothing of the entry was written, and the log cannot go on; anything else is rethrown.
     */
    private RuntimeException unwritten(final long position, final Exception ex)
    {
        final Throwable cause = ex instanceof IOException ? ex : ex.getCause();
        if (!(cause instanceof IOException))
        {
            return ex instanceof RuntimeException runtime ? runtime : new IllegalStateException(ex);
        }
        checkWritesTaken();
        final String refused = writesRefused;
        return new LogUnwritableException("event log " + directory + ": cannot write entry " + position + " (" +
            cause.getMessage() + (refused != null ? "; " + refused : "") + "): not appended, the log ends at entry " +
            have, (IOException)cause);
    }

    private LogUnwritableException noRoom(final long position, final Path file, final IOException ex)
    {
        checkWritesTaken(); // a full disk still takes this write; a file system turned read-only does not
        return new LogUnwritableException("event log " + directory + ": cannot make room for entry " + position +
            " in " + file.getFileName() + " (" + ex.getMessage() + "): not appended, the log ends at entry " + have,
            ex);
    }

    /**
     * Whether the log's file system still takes a write: a few bytes of {@code log.header}, which nothing changes
     * once it is written, read and written back as they were. One that refuses it (a file system turned read-only
     * after an error) may never write back what the log appended since its last writeback: every later append is
     * refused, and under durability {@code none}, where those entries may have been counted, a
     * {@link WriteFailureMarker} makes the member's next start in this boot count its log as written in another boot,
     * so it comes back not intact. Called every {@link ChronicleLogContext#writeCheckIntervalNs()} by the forcer's
     * thread under {@code none}, and by the appending thread where a write failed; synchronized between the two.
     */
    private synchronized void checkWritesTaken()
    {
        if (writesRefused != null || writeCheckClosed)
        {
            return;
        }
        try
        {
            if (writeCheckChannel == null)
            {
                openWriteCheckChannel(); // under batch, where a write failed; or again after an interrupt
            }
            writeCheckBuffer.clear();
            writeCheckChannel.read(writeCheckBuffer, 0);
            writeCheckBuffer.flip(); // what was read, however short: written back, it changes nothing
            writeCheckChannel.write(writeCheckBuffer, 0);
        }
        catch (final java.nio.channels.ClosedChannelException ex)
        {
            // an interrupt of the calling thread closed the channel (AgentRunner interrupts a duty thread it cannot
            // stop): that says nothing of the file system, and the forcer's next check opens it again
            org.agrona.CloseHelper.quietClose(writeCheckChannel);
            writeCheckChannel = null;
        }
        catch (final IOException ex)
        {
            if (!noSpace(ex)) // a copy-on-write file system needs room to write even the same bytes back
            {
                refuseWrites(ex);
            }
        }
    }

    /** Whether {@code ex} is a full disk or quota ({@code ENOSPC}, {@code EDQUOT}), which loses nothing written. */
    private static boolean noSpace(final IOException ex)
    {
        final String message = ex.getMessage();
        return message != null && (message.contains("No space left on device") ||
            message.contains("Disk quota exceeded"));
    }

    /**
     * Opened once, while the header is known to be there (just read or written by the open): opened later, a header
     * an operator moved away would pass for a file system that refuses writes.
     */
    private synchronized void openWriteCheckChannel() throws IOException
    {
        writeCheckChannel = FileChannel.open(directory.resolve(HEADER_FILE), StandardOpenOption.READ,
            StandardOpenOption.WRITE);
    }

    /** Under the monitor of {@link #checkWritesTaken}: the record first, then every later append refused. */
    private void refuseWrites(final IOException ex)
    {
        final String why = ex.getMessage() != null ? ex.getMessage() : ex.toString();
        final String refused = "its file system refused a write (" + why + ")";
        if (writeFailureMarker == null)
        {
            LOGGER.error("event log {}: {}", directory, refused); // under batch nothing counts what was not forced
        }
        else
        {
            try
            {
                WriteFailureMarker.record(writeFailureMarker, directory, why);
                LOGGER.error("event log {}: {}; what it appended but the file system had not written back may be " +
                    "gone: recorded in {}, so that its member comes back not intact if restarted in this boot",
                    directory, refused, writeFailureMarker);
            }
            catch (final RuntimeException recordFailed)
            {
                LOGGER.error("event log {}: {}; what it appended but the file system had not written back may be " +
                    "gone, and that could not be recorded in {}: do not restart its member in this boot without " +
                    "emptying its directory", directory, refused, writeFailureMarker, recordFailed);
            }
        }
        writesRefused = refused; // after the record: a process that stops on it has recorded it
    }

    /** Write zeros into {@code channel} from byte {@code from} up to {@code to} ({@code zeros}: a ZEROS view). */
    private static void writeZeros(final FileChannel channel, final ByteBuffer zeros, final long from, final long to)
        throws IOException
    {
        for (long at = from; at < to; )
        {
            zeros.clear();
            zeros.limit((int)Math.min(zeros.capacity(), to - at));
            at += channel.write(zeros, at);
        }
    }

    /**
     * Have the file system give {@code channel}'s file the bytes from {@code from} up to {@code to}: each block is read
     * and written back as it was (zeros where nothing was written, or past the file's end). A reservation allocates
     * and changes no byte, whatever Chronicle wrote there; only this thread writes to the file meanwhile.
     */
    private void allocate(final FileChannel channel, final long from, final long to) throws IOException
    {
        if (reserveBuffer == null)
        {
            reserveBuffer = ByteBuffer.allocateDirect(ZEROS.capacity()); // a log that never appends needs none
        }
        final ByteBuffer buffer = reserveBuffer;
        for (long at = from; at < to; )
        {
            final int length = (int)Math.min(buffer.capacity(), to - at);
            buffer.clear().limit(length);
            while (buffer.hasRemaining() && channel.read(buffer, at + buffer.position()) >= 0)
            {
                // a short read is followed by another
            }
            if (buffer.hasRemaining())
            {
                reserveZeros.clear().limit(buffer.remaining());
                buffer.put(reserveZeros); // past the file's end
            }
            buffer.flip();
            while (buffer.hasRemaining())
            {
                channel.write(buffer, at + buffer.position());
            }
            at += length;
        }
    }

    private static long roundUp(final long value, final long unit)
    {
        return (value + unit - 1) / unit * unit;
    }

    /** The byte offset just after entry {@code position}'s document in its cycle file. */
    private long dataEndOf(final long position)
    {
        final ExcerptTailer tailer = moveTo(position);
        try (DocumentContext dc = tailer.readingDocument())
        {
            if (!dc.isPresent() || dc.index() != indexOf(position))
            {
                throw damagedOnRead(position, "cannot be read");
            }
            return dc.wire().bytes().readLimit();
        }
    }

    private synchronized void closeWriteCheckChannel()
    {
        writeCheckClosed = true;
        org.agrona.CloseHelper.quietClose(writeCheckChannel);
        writeCheckChannel = null;
    }

    private void closeReserveChannel()
    {
        closeCycleFile(reserveChannel);
        reserveChannel = null;
        reserveCycle = Integer.MIN_VALUE;
    }

    private void closeForceChannel()
    {
        closeCycleFile(forceChannel);
        forceChannel = null;
        forceChannelCycle = Integer.MIN_VALUE;
    }

    /** Close a handle on a cycle file, if open; a failure is only logged: nothing written depends on it. */
    private void closeCycleFile(final FileChannel channel)
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ex)
            {
                LOGGER.warn("event log {}: cannot close a cycle file: {}", directory, ex.toString());
            }
        }
    }

    /**
     * One step of a cut that writes (the seals it removes, its intent, the staged copy, the swap). One that fails (a
     * full disk) leaves the cut undone or, once its intent is recorded, to be finished by the next open, and the log
     * cannot go on without it: {@link LogUnwritableException}, on which the member stops (docs/protocol.md §10.7)
     * rather than retry each duty cycle.
     */
    private void recordCut(final long position, final Runnable write)
    {
        try
        {
            write.run();
        }
        catch (final LogUnwritableException ex)
        {
            throw ex;
        }
        catch (final UncheckedIOException ex)
        {
            checkWritesTaken();
            throw new LogUnwritableException("event log " + directory + ": cannot record the cut to entry " +
                position + " (" + ex.getMessage() + ")", ex.getCause());
        }
    }

    /**
     * Cut the log so that {@code position} is its last entry. Staging (copying the kept part of the last cycle
     * aside) reads the open queue and changes no queue file; swapping (renaming the copy over the cycle file and
     * deleting the later ones) runs with the queue closed and is idempotent, so a redo after a crash is safe.
     */
    private void cut(final long position)
    {
        recordCut(position, () -> removeSealsFrom(position));
        final boolean partialCycle = position > 0 && (position & sequenceMask) != 0;
        // damage found at open in the file of the entry cut to is removed by rewriting that file, even when full
        final boolean damagedCycle = pendingCut && position > 0 && pendingBreakCycle == cycleOf(position);
        if (partialCycle || damagedCycle)
        {
            recordCut(position, () -> new UnrollIntent(position, UnrollIntent.PHASE_STAGING).write(intentFile));
            recordCut(position, () -> stageCycle(position));
        }
        recordCut(position, () -> new UnrollIntent(position, UnrollIntent.PHASE_SWAPPING).write(intentFile));
        closeQueue();
        recordCut(position, () -> swap(position));
        openQueue();

        have = position;
        recentFrom = Long.MAX_VALUE; // what it kept above the cut is gone, and the rest will be soon enough
        lastDataEnd = 0; // the last entry's end is in a file the cut may have replaced
        cycleFirst = -1;
        deletePrecreated(); // the background writer was drained before the cut (removeSealsFrom)
        pendingCut = false; // everything after position, the damage with it, is gone
        lastReadPosition = 0; // position 1 is then checked against the empty chk, as it should be
        lastReadChk = Checksum.EMPTY;
        clock.cycle = cycleOf(position + 1);
        lastChk = position == base ? baseChk : storedChk(position);
        forcer.restartAt(Math.min(forcer.forced(), position)); // idle: the queue was closed for the swap
        while (epochStartCount > 0 && epochStarts[epochStartCount - 1] > position)
        {
            epochStartCount--;
        }
    }

    /**
     * Before a cut to {@code position}: remove the seals of its cycle (which may be rewritten) and every later one
     * (deleted), durably, so that no seal outlives the cycle it describes.
     */
    private void removeSealsFrom(final long position)
    {
        drainSealWriter();
        CycleSeal.deleteFrom(sealsFile, cycleOf(Math.max(position, 1)));
    }

    /** @return the {@code chk} stored with the entry at {@code position}, read from the queue. */
    private long storedChk(final long position)
    {
        return storedLong(position, CHK_OFFSET);
    }

    /** One field of the entry header stored at {@code position}, read from the queue. */
    private long storedLong(final long position, final int fieldOffset)
    {
        final ExcerptTailer tailer = moveTo(position);
        try (DocumentContext dc = tailer.readingDocument())
        {
            final Bytes<?> bytes = dc.wire().bytes();
            if (!dc.isPresent() || dc.index() != indexOf(position) || bytes.readRemaining() < ENTRY_HEADER_LENGTH)
            {
                throw damagedOnRead(position, "cannot be read");
            }
            return bytes.readLong(bytes.readPosition() + fieldOffset);
        }
    }

    /** Copy the entries of {@code position}'s cycle up to {@code position} into a fresh cycle file, forced. */
    private void stageCycle(final long position)
    {
        DurableFiles.deleteTree(stagingDirectory);
        final int cycle = cycleOf(position);
        final long first = ((position - 1) & ~sequenceMask) + 1;
        final PositionClock stagingClock = new PositionClock();
        stagingClock.cycle = cycle;
        final String expectedName = cycleFileName(cycle);
        try (ChronicleQueue staging = buildQueue(stagingDirectory, stagingClock);
            ExcerptAppender stagingAppender = staging.createAppender())
        {
            final InternalAppender internal = (InternalAppender)stagingAppender;
            for (long p = first; p <= position; p++)
            {
                final ExcerptTailer tailer = moveTo(p);
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent() || dc.index() != indexOf(p))
                    {
                        throw damaged(p, "cannot be read while unrolling");
                    }
                    internal.writeBytes(indexOf(p), dc.wire().bytes());
                }
            }
            final File file = stagingAppender.currentFile();
            if (file == null || !file.getName().equals(expectedName))
            {
                throw new IllegalStateException("staged cycle file " + file + " is not named " + expectedName);
            }
        }
        BackgroundResourceReleaser.releasePendingResources();
        DurableFiles.forceFile(stagingDirectory.resolve(expectedName));
        DurableFiles.forceDirectory(stagingDirectory);
    }

    /** Replace the cut cycle by its staged copy, if any, delete every later cycle and the intent. Idempotent. */
    private void swap(final long position)
    {
        final int keptCycle = position == 0 ? Integer.MIN_VALUE : cycleOf(position);
        try
        {
            if (position > 0)
            {
                final Path staged = stagingDirectory.resolve(cycleFileName(keptCycle));
                if (Files.exists(staged))
                {
                    DurableFiles.move(staged, queueDirectory.resolve(cycleFileName(keptCycle)));
                }
            }
            final Path[] files = cycleFiles();
            // newest first: a crash part way leaves a shorter log, never one with a hole
            Arrays.sort(files, (a, b) -> Integer.compare(
                cycleOfFileName(b.getFileName().toString()), cycleOfFileName(a.getFileName().toString())));
            for (final Path file : files)
            {
                if (cycleOfFileName(file.getFileName().toString()) > keptCycle)
                {
                    Files.delete(file);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot unroll the event log " + directory + " to " + position, ex);
        }
        DurableFiles.forceDirectory(queueDirectory);
        DurableFiles.deleteTree(stagingDirectory);
        DurableFiles.deleteDurably(intentFile);
    }

    private void redoUnroll(final UnrollIntent intent)
    {
        removeSealsFrom(intent.position);
        if (intent.phase == UnrollIntent.PHASE_STAGING)
        {
            // nothing was changed yet: the queue still holds every entry up to the target, stage it again
            openQueue();
            stageCycle(intent.position);
            new UnrollIntent(intent.position, UnrollIntent.PHASE_SWAPPING).write(intentFile);
            closeQueue();
        }
        swap(intent.position);
        openQueue();
    }

    private Path[] cycleFiles()
    {
        if (!Files.isDirectory(queueDirectory))
        {
            return new Path[0];
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(queueDirectory, "*" + CYCLE_FILE_SUFFIX))
        {
            Path[] files = new Path[0];
            for (final Path file : stream)
            {
                if (cycleOfFileName(file.getFileName().toString()) >= 0)
                {
                    files = Arrays.copyOf(files, files.length + 1);
                    files[files.length - 1] = file;
                }
            }
            return files;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list " + queueDirectory, ex);
        }
    }
}
