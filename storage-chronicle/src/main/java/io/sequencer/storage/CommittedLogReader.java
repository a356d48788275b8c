package io.sequencer.storage;

import io.sequencer.core.CommittedEntries;
import io.sequencer.core.LogEntry;
import io.sequencer.core.runtime.NodeCounters;
import io.sequencer.core.runtime.NodeStatFile;
import org.agrona.CloseHelper;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Follows a running member's event log from another process on the same machine and hands on only committed entries:
 * those at or below the member's durable watermark {@code g}, which no epoch change ever cuts (docs/protocol.md), in
 * position order, each exactly once, each checked (CRC32C, stored position, checksum chain onto the entry before it).
 * A downstream service (risk, market data, audit) reads the sequenced stream this way without joining the cluster.
 * <p>
 * {@code g} is the member's published counter ({@link NodeCounters#GUARANTEED_LABEL} in its {@code node-stat.dat},
 * updated every millisecond); the entries are read from its queue files, mapped read-only. Nothing in the member's
 * directory is written or locked. When the member restarts, its counters file is replaced: the reader notices (within
 * {@link #RECHECK_INTERVAL_NS}) and reads the new one, and opens the log again (an unroll puts a staged copy of a cycle
 * file in place, a lost disk is rebuilt by catch-up): the log must still hold the last entry handed on, with the same
 * checksum (which chains everything before it), or the reader stops with an error.
 * <p>
 * {@link #poll} allocates nothing; single-threaded.
 */
public final class CommittedLogReader implements CommittedEntries
{
    /** How often, while no committed entry comes, the reader looks whether the member restarted. */
    public static final long RECHECK_INTERVAL_NS = 250_000_000L;

    private final Path memberDirectory;
    private final Path logDirectory;
    private final Path statFile;
    private final boolean rehash;
    private final LogEntry entry = new LogEntry();
    private ChronicleEventLog log;
    private NodeStatFile stat;
    private Object statFileKey;
    private int guaranteedCounterOffset = -1;
    private int logCutsCounterOffset = -1;
    /** The member's count of log cuts when the log was last mapped. */
    private long logCuts;
    private long next;
    private long committed;
    /** The chk of the entry at {@code next - 1} once known (0 and unknown at position 0: the empty log's). */
    private long lastChk;
    private boolean anchored;
    /** After the member's log was replaced: the entry at {@code next - 1} must be the one handed on before. */
    private boolean verifyAnchor;
    private long lastCheckNs;

    private CommittedLogReader(final Path memberDirectory, final long from, final boolean rehash)
    {
        this.memberDirectory = memberDirectory;
        this.rehash = rehash;
        this.logDirectory = memberDirectory.resolve(NodeStorage.LOG_DIRECTORY);
        this.statFile = memberDirectory.resolve(NodeStatFile.FILE_NAME);
        this.next = from;
        this.anchored = from == 1;
    }

    /**
     * Start following the member whose directory is {@code memberDirectory}, from position {@code from} (1: the
     * first entry).
     *
     * @throws IllegalStateException when the directory holds no member's log or counters (it never started).
     */
    public static CommittedLogReader open(final Path memberDirectory, final long from)
    {
        return open(memberDirectory, from, true);
    }

    /**
     * As {@link #open(Path, long)}; with {@code rehash} false each entry's checksum is not computed again from its
     * fields (its CRC32C, stored position and the predecessor it names are still checked): for a reader that chains
     * every entry it takes onto its own checksum anyway, as the snapshot thread does (the hash twice was a third of
     * that thread's time at 160,000 entries/s).
     */
    public static CommittedLogReader open(final Path memberDirectory, final long from, final boolean rehash)
    {
        if (from < 1)
        {
            throw new IllegalArgumentException("from=" + from + ": positions start at 1");
        }
        final CommittedLogReader reader = new CommittedLogReader(memberDirectory, from, rehash);
        try
        {
            reader.openStat(); // the count of cuts first, then the mapping: a cut after it is seen
            reader.log = ChronicleEventLog.openFollowing(reader.logDirectory, rehash);
        }
        catch (final RuntimeException ex)
        {
            reader.close();
            throw ex;
        }
        reader.lastCheckNs = System.nanoTime();
        return reader;
    }

    /**
     * Hand committed entries not yet handed on to {@code handler}, at most {@code limit}.
     *
     * @return how many were handed on; 0 when none is committed yet.
     * @throws IllegalStateException when an entry fails its checks, or the member's log no longer holds what was
     *                               handed on.
     */
    public int poll(final Handler handler, final int limit)
    {
        // g first, then the cuts: the member publishes the cuts before g, so a g that covers entries a cut replaced
        // comes with that cut's count, and the log is mapped again before any of them is read (the mapping of a file
        // an unroll replaced still shows the entries it cut)
        final long g = stat.valuesBuffer().getLongVolatile(guaranteedCounterOffset);
        final long cuts = stat.valuesBuffer().getLongVolatile(logCutsCounterOffset);
        if (cuts != logCuts)
        {
            logCuts = cuts;
            reopenLog();
        }
        committed = Math.max(committed, g);
        if (!anchored && !anchor())
        {
            return idle();
        }
        int count = 0;
        while (count < limit && next <= committed && log.read(next, entry))
        {
            lastChk = entry.chk();
            next++;
            count++;
            handler.onEntry(entry);
        }
        return count > 0 ? count : idle();
    }

    /** The position of the next entry to be handed on. */
    public long nextPosition()
    {
        return next;
    }

    /** The member's durable watermark as last read: every entry up to it has been or will be handed on. */
    public long committed()
    {
        return committed;
    }

    public void close()
    {
        CloseHelper.quietCloseAll(log, stat);
    }

    /** Starting after position 1: read the entry before the first, so that the first is checked against it. */
    private boolean anchor()
    {
        if (next - 1 > committed)
        {
            return false;
        }
        final long anchorChk;
        if (next - 1 == log.base())
        {
            anchorChk = log.chkAt(next - 1); // the entry before is gone (retention, an install): its chk is kept
        }
        else if (log.read(next - 1, entry))
        {
            anchorChk = entry.chk();
        }
        else
        {
            return false;
        }
        if (verifyAnchor && anchorChk != lastChk)
        {
            throw new IllegalStateException("the log of " + memberDirectory + " was replaced and differs from what " +
                "was read before at entry " + (next - 1) + " (chk " + Long.toHexString(anchorChk) + ", read " +
                "before " + Long.toHexString(lastChk) + ")");
        }
        lastChk = anchorChk;
        anchored = true;
        verifyAnchor = false;
        return true;
    }

    /**
     * Nothing handed on: now and then, look whether the member restarted (a new counters file) and whether a committed
     * entry stays unreadable. Either way the log is opened again: a member that unrolls puts a staged copy of a cycle
     * file in place of the one this reader has mapped (the old one, unlinked, never grows again), and one whose disk
     * was lost rebuilds its log; the reopened log must then hold what was handed on ({@link #anchor}).
     */
    private int idle()
    {
        final long nowNs = System.nanoTime();
        if (nowNs - lastCheckNs >= RECHECK_INTERVAL_NS)
        {
            lastCheckNs = nowNs;
            boolean restarted = false;
            if (!fileKey(statFile).equals(statFileKey))
            {
                final NodeStatFile previous = stat;
                try
                {
                    openStat();
                    CloseHelper.quietClose(previous);
                    restarted = true;
                }
                catch (final IllegalStateException ex)
                {
                    // the new run has not registered its counters yet: looked at again at the next check
                }
            }
            if (restarted || next <= committed)
            {
                reopenLog();
            }
        }
        return 0;
    }

    /** Open the log again; it must hold what was handed on, up to the last entry (checked before the next is read). */
    private void reopenLog()
    {
        CloseHelper.quietClose(log);
        log = ChronicleEventLog.openFollowing(logDirectory, rehash);
        if (next > 1)
        {
            anchored = false;
            verifyAnchor = true;
        }
    }

    /**
     * Map the member's counters file and find its two counters; nothing of the reader changes when that fails (the
     * member is starting and has not registered them yet, or the file is not a member's).
     */
    private void openStat()
    {
        final Object key = fileKey(statFile);
        final NodeStatFile opened = NodeStatFile.open(memberDirectory.toFile());
        final int guaranteedOffset;
        final int cutsOffset;
        try
        {
            guaranteedOffset = counterOffset(opened, NodeCounters.GUARANTEED_LABEL);
            cutsOffset = counterOffset(opened, NodeCounters.LOG_CUTS_LABEL);
        }
        catch (final IllegalStateException ex)
        {
            opened.close();
            throw ex;
        }
        stat = opened;
        statFileKey = key;
        guaranteedCounterOffset = guaranteedOffset;
        logCutsCounterOffset = cutsOffset;
        logCuts = opened.valuesBuffer().getLongVolatile(cutsOffset);
    }

    private int counterOffset(final NodeStatFile file, final String label)
    {
        final int counterId = file.counterId(label);
        if (counterId < 0)
        {
            throw new IllegalStateException(statFile + " has no counter '" + label + "': written by another build, " +
                "or the member has not registered its counters yet");
        }
        return CountersReader.counterOffset(counterId);
    }

    private static Object fileKey(final Path file)
    {
        try
        {
            final Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
            return key != null ? key : Files.getLastModifiedTime(file);
        }
        catch (final java.nio.file.NoSuchFileException ex)
        {
            throw new IllegalStateException("no " + file.getFileName() + " in " + file.getParent() + ": not a " +
                "member's directory, or the member never started", ex);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read " + file + ": " + ex.getMessage(), ex);
        }
    }
}
