package io.sequencer.core.protocol;

import io.sequencer.core.CheckpointFile;
import io.sequencer.core.CheckpointStore;
import io.sequencer.core.NodeMode;
import io.sequencer.core.ProcessCrash;
import io.sequencer.core.RecoveredFault;
import java.util.concurrent.TimeUnit;

/**
 * A checkpoint of the live state written on the duty cycle (docs/protocol.md §13, "What a member without its
 * checkpoints does"): only when no checkpoint is left at or above the log's base, to serve a snapshot a peer asked for
 * or to let the snapshot thread start again; it becomes a checkpoint once g reaches it in the same epoch. Also the
 * offer of a snapshot to a peer whose fetch reaches below the log's base. Duty cycle only.
 */
final class LiveCheckpoint
{
    /**
     * A checkpoint of the live state written at {@code have}, not visible until {@code g} reaches its position in the
     * same epoch (a checkpoint is of committed entries, §5); null when none is staged.
     */
    private CheckpointStore.Incoming liveCheckpoint;

    private long liveCheckpointAt;

    private long liveCheckpointChk;

    private long liveCheckpointEpoch;

    /** After a live checkpoint failed (a full disk, the state machine threw): not tried again before this. */
    private long liveCheckpointRetryNs;

    private final SequencerProtocol p;

    LiveCheckpoint(final SequencerProtocol protocol)
    {
        this.p = protocol;
    }

    /**
     * Offer {@code requester} the newest checkpoint. With none at or above this log's base (the checkpoints were lost
     * or found damaged) and the state at {@code g}, write one of the live state first: a checkpoint on the duty cycle,
     * which it otherwise never writes, but without it neither this member nor a peer that needs a snapshot from it
     * could ever rebuild (its snapshot thread starts from a checkpoint once the log starts above position 1).
     */
    void offerSnapshot(final int requester)
    {
        if (p.snapshotServing.request(requester, 0, 0))
        {
            return;
        }
        if (p.log.base() == 0)
        {
            // all of it from 1
            p.snapshotServing.offerEmpty(requester, p.selfId, p.clusterId, p.currentEpoch, p.memberIds);
        }
        else if (writeLiveCheckpoint())
        {
            p.snapshotServing.request(requester, 0, 0);
        }
    }

    /**
     * A checkpoint of the live state at {@code have}, on the duty cycle: only when none is left at or above the log's
     * base, while running with every entry committed (a checkpoint is of committed entries, §5).
     *
     * @return whether one was written.
     */
    boolean writeLiveCheckpoint()
    {
        if (liveCheckpoint != null)
        {
            return completeLiveCheckpoint();
        }
        if (p.mode != NodeMode.RUNNING || !p.stateValid || p.replica.appliedUpTo() != p.log.have()
            || p.log.have() == 0 ||
            p.nowNs < liveCheckpointRetryNs)
        {
            return false;
        }
        // Written now, at have, into a file nobody sees yet; made a checkpoint once g reaches it. Under load g trails
        // have in every duty cycle, so waiting for g == have first would never write one.
        final long at = p.log.have();
        final long chk = p.log.chkAt(at);
        try
        {
            liveCheckpoint = p.checkpoints.receive(at, chk);
            final CheckpointFile.Writer writer = new CheckpointFile.Writer(liveCheckpoint.asChannel(), at, chk);
            p.replica.writeCheckpoint(writer);
            writer.finish();
        }
        catch (final RuntimeException ex)
        {
            ProcessCrash.rethrowIfCrash(ex);
            liveCheckpointFailed(ex); // a full disk, or the state machine's snapshot threw
            return false;
        }
        liveCheckpointAt = at;
        liveCheckpointChk = chk;
        liveCheckpointEpoch = p.currentEpoch;
        return completeLiveCheckpoint();
    }

    /** The staged live checkpoint becomes one once its position is committed, in the epoch it was written in. */
    private boolean completeLiveCheckpoint()
    {
        if (p.currentEpoch != liveCheckpointEpoch || p.log.have() < liveCheckpointAt ||
            p.log.chkAt(liveCheckpointAt) != liveCheckpointChk)
        {
            closeLiveCheckpoint(); // an epoch change may cut what it was of: written again from the state then
            return false;
        }
        if (p.guaranteed < liveCheckpointAt)
        {
            return false;
        }
        try
        {
            liveCheckpoint.complete();
        }
        catch (final RuntimeException ex)
        {
            ProcessCrash.rethrowIfCrash(ex);
            liveCheckpointFailed(ex);
            return false;
        }
        liveCheckpoint = null;
        p.counters.checkpointsOnDutyCycle++;
        p.errorHandler.onError(new RecoveredFault("member " + p.selfId + " has no sound checkpoint above its log's " +
            "base " + p.log.base() + ": wrote one of its state at " + liveCheckpointAt + " on the duty cycle"));
        return true;
    }

    private void liveCheckpointFailed(final RuntimeException ex)
    {
        closeLiveCheckpoint();
        liveCheckpointRetryNs = p.nowNs + TimeUnit.SECONDS.toNanos(1);
        p.errorHandler.onError(ex);
    }

    private void closeLiveCheckpoint()
    {
        final CheckpointStore.Incoming closing = liveCheckpoint;
        liveCheckpoint = null;
        if (closing != null)
        {
            closing.close();
        }
    }
}
