package io.sequencer.storage;

import java.nio.file.Path;

/**
 * The on-disk state of one node, laid out in one directory:
 * <pre>
 *   &lt;node directory&gt;/
 *     node.state          FileNodeStore: epoch promise, watermark, amnesia flag, boot id, unroll intent
 *     log/log.header      cluster id, format version, entries per cycle
 *     log/queue/*.cq4     ChronicleEventLog: one Chronicle cycle file per entriesPerCycle positions
 *     log/unroll.intent   only while an unroll is in progress (redone at open)
 *     checkpoints/        FileCheckpointStore: checkpoint-&lt;position&gt;.ckpt
 * </pre>
 * Opening it opens (and recovers) all three; closing closes them.
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
     * Open the node's storage in {@code nodeDirectory}: the log in its {@code log} subdirectory (set as
     * {@code logContext}'s directory), checkpoints in {@code checkpoints}, node state in {@code node.state}.
     */
    public static NodeStorage open(final Path nodeDirectory, final ChronicleLogContext logContext)
    {
        final FileNodeStore nodeStore = new FileNodeStore(nodeDirectory.resolve(NODE_STATE_FILE));
        final ChronicleEventLog log =
            ChronicleEventLog.open(logContext.directory(nodeDirectory.resolve(LOG_DIRECTORY)));
        final FileCheckpointStore checkpoints;
        try
        {
            checkpoints = new FileCheckpointStore(nodeDirectory.resolve(CHECKPOINT_DIRECTORY));
        }
        catch (final RuntimeException ex)
        {
            log.close();
            throw ex;
        }
        return new NodeStorage(nodeStore, log, checkpoints);
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
        checkpoints.close();
        log.close();
        nodeStore.close();
    }
}
