package io.sequencer.storage;

import org.agrona.CloseHelper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The on-disk state of one node, laid out in one directory:
 * <pre>
 *   &lt;node directory&gt;/
 *     member.lock         MemberDirectoryLock: held by the one process that has the directory open (its pid inside)
 *     node.state          FileNodeStore: epoch promise, watermark, amnesia flag, boot id, unroll intent, log id,
 *                         high water
 *     log/log.header      cluster id, format version, entries per cycle, log id
 *     log/queue/*.cq4     ChronicleEventLog: one Chronicle cycle file per entriesPerCycle positions
 *     log/unroll.intent   only while an unroll is in progress (redone by a writing open)
 *     checkpoints/        FileCheckpointStore: checkpoint-&lt;position&gt;.ckpt
 * </pre>
 * Opening it locks the directory, then opens (and recovers) all three. The lock is released once all three are
 * closed, whoever closes them: {@link #close()}, or a runtime that was handed the parts and closes each.
 */
public final class NodeStorage implements AutoCloseable
{
    /** The node's small state file. */
    public static final String NODE_STATE_FILE = "node.state";

    /** The event log's directory. */
    public static final String LOG_DIRECTORY = "log";

    /** The checkpoints' directory. */
    public static final String CHECKPOINT_DIRECTORY = "checkpoints";

    private final FileNodeStore nodeStore;
    private final ChronicleEventLog log;
    private final FileCheckpointStore checkpoints;

    private NodeStorage(
        final FileNodeStore nodeStore, final ChronicleEventLog log, final FileCheckpointStore checkpoints)
    {
        this.nodeStore = nodeStore;
        this.log = log;
        this.checkpoints = checkpoints;
    }

    /**
     * Open the node's storage in {@code nodeDirectory}: first its lock ({@link MemberDirectoryLock}), then the log
     * in its {@code log} subdirectory (set as {@code logContext}'s directory), checkpoints in {@code checkpoints},
     * node state in {@code node.state}.
     *
     * @throws MemberDirectoryLockedException when another process, or another open in this one, has the directory
     *                                        open; nothing in it was changed.
     */
    public static NodeStorage open(final Path nodeDirectory, final ChronicleLogContext logContext)
    {
        return open(nodeDirectory, logContext, () -> {});
    }

    /**
     * {@link #open(Path, ChronicleLogContext)}, running {@code whenLocked} as soon as the directory's lock is held and
     * before anything else is opened: a member process starts its transport there, side by side with the rest of the
     * open, and never while another process holds the member.
     */
    public static NodeStorage open(
        final Path nodeDirectory, final ChronicleLogContext logContext, final Runnable whenLocked)
    {
        final MemberDirectoryLock lock = MemberDirectoryLock.acquire(nodeDirectory);
        try
        {
            whenLocked.run();
        }
        catch (final RuntimeException ex)
        {
            lock.close();
            throw ex;
        }
        FileNodeStore nodeStore = null;
        ChronicleEventLog log = null;
        FileCheckpointStore checkpoints = null;
        try
        {
            nodeStore = new FileNodeStore(nodeDirectory.resolve(NODE_STATE_FILE));
            nodeStore.releaseOnClose(lock);
            log = ChronicleEventLog.open(logContext.directory(nodeDirectory.resolve(LOG_DIRECTORY)));
            log.releaseOnClose(lock);
            // under none (full cycles not forced) checkpoints are not forced either: nothing promises the disk
            checkpoints = new FileCheckpointStore(nodeDirectory.resolve(CHECKPOINT_DIRECTORY),
                logContext.forceFullCycles());
            checkpoints.releaseOnClose(lock);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(checkpoints, log, nodeStore);
            lock.close();
            throw ex;
        }
        lock.close(); // the parts hold the directory from here on
        return new NodeStorage(nodeStore, log, checkpoints);
    }

    /**
     * Open the event log of a member for a tool that reads it, under the member's lock: refused while the member
     * runs, and the member cannot start while the tool has it open. The log is opened read-only
     * ({@link ChronicleEventLog#openReadOnly}): nothing in it is changed; a torn last write and damage are reported,
     * an interrupted unroll is refused. The lock file is the one file the tool writes: its pid while it holds the
     * directory, so that a member refused meanwhile names it; emptied when it lets go.
     *
     * @param directory a member directory (holding {@code log/}), or the log directory of one; a log directory that
     *                  is not in a member directory (a copy) is opened without a lock.
     * @throws MemberDirectoryLockedException when the member's directory is in use; nothing in it was changed.
     * @throws UnrollInterruptedException     when an unroll was interrupted: {@link #openExistingLog} finishes it.
     * @throws IllegalStateException          when there is no event log there.
     */
    public static ChronicleEventLog openExistingLogReadOnly(final Path directory)
    {
        return openExistingLogReadOnly(directory, false);
    }

    /** {@link #openExistingLogReadOnly(Path)}, walking every cycle file when {@code verifyWholeLog} (seals ignored). */
    public static ChronicleEventLog openExistingLogReadOnly(final Path directory, final boolean verifyWholeLog)
    {
        return openUnderLock(directory, logDirectory -> ChronicleEventLog.openReadOnly(logDirectory, verifyWholeLog));
    }

    /**
     * {@link #openExistingLogReadOnly}'s writing twin, the explicit repair of a stopped member's log: the open
     * finishes an interrupted unroll and cuts a torn last write; damage is reported
     * ({@link ChronicleEventLog#damageReport()}), and cut only by the log's first change.
     *
     * @throws MemberDirectoryLockedException when the member's directory is in use; nothing in it was changed.
     * @throws IllegalStateException          when there is no event log there.
     */
    public static ChronicleEventLog openExistingLog(final Path directory)
    {
        return openUnderLock(directory, ChronicleEventLog::openExisting);
    }

    private static ChronicleEventLog openUnderLock(
        final Path directory, final Function<Path, ChronicleEventLog> openLog)
    {
        final Path logDirectory;
        final Path memberDirectory;
        if (Files.isDirectory(directory.resolve(LOG_DIRECTORY)))
        {
            memberDirectory = directory;
            logDirectory = directory.resolve(LOG_DIRECTORY);
        }
        else
        {
            logDirectory = directory;
            final Path parent = directory.toAbsolutePath().getParent();
            memberDirectory = parent != null && (Files.exists(parent.resolve(MemberDirectoryLock.LOCK_FILE)) ||
                Files.exists(parent.resolve(NODE_STATE_FILE))) ? parent : null;
        }
        final MemberDirectoryLock lock = memberDirectory == null ? null : MemberDirectoryLock.acquire(memberDirectory);
        try
        {
            final ChronicleEventLog log = openLog.apply(logDirectory);
            if (lock != null)
            {
                log.releaseOnClose(lock);
            }
            return log;
        }
        finally
        {
            CloseHelper.close(lock); // the log holds its own reference once open
        }
    }

    public FileNodeStore nodeStore()
    {
        return nodeStore;
    }

    public ChronicleEventLog log()
    {
        return log;
    }

    public FileCheckpointStore checkpoints()
    {
        return checkpoints;
    }

    public void close()
    {
        CloseHelper.closeAll(checkpoints, log, nodeStore);
    }
}
