package io.sequencer.core.protocol;

import io.sequencer.core.CheckpointFile;
import io.sequencer.core.EntryType;
import io.sequencer.core.LogEntry;
import io.sequencer.core.RecoveredFault;
import org.agrona.DirectBuffer;

/**
 * The state machine driven from this member's own log (docs/protocol.md §5): apply an entry and track the completion
 * of own events, replay the log into the state machine, rebuild it from the newest checkpoint at or below a cut point,
 * and replay ahead of an alignment while an epoch change waits. Reads and changes the replica's state through the
 * protocol it belongs to. Duty cycle only.
 */
final class LogReplay
{
    /** No checkpoint loaded for the replay ahead in this epoch: not tried again every duty cycle. */
    private boolean replayAheadStopped;
    private final SequencerProtocol p;

    LogReplay(final SequencerProtocol protocol)
    {
        this.p = protocol;
    }

    /** A new epoch: the replay ahead may try a checkpoint again. */
    void onEpochEntered()
    {
        replayAheadStopped = false;
    }

    /** Bring the state machine to exactly {@code position}: reuse it, or reset, restore a checkpoint, replay. */
    void rebuildStateTo(final long position)
    {
        if (!p.stateValid || p.replica.appliedUpTo() > position)
        {
            restoreCheckpointAtOrBelow(position);
        }
        replayTo(position);
    }

    /**
     * While this member waits in boot (for reports, a decision, a probe's answer) after a start, replay its log into
     * the state machine, at most {@link SequencerProtocol#REPLAY_AHEAD_PER_CYCLE} entries a duty cycle, up to {@code g}
     * or {@link SequencerProtocol#REPLAY_AHEAD_MARGIN} entries short of its end, whichever is further: no alignment of
     * an intact member cuts below {@code g} (B5), and one that cuts further back than the margin only costs the replay
     * again (rebuildStateTo resets). The alignment then replays only what lies above. A restarted member replayed up
     * to a checkpoint interval of entries at alignment, on code not yet compiled: most of the second between its start
     * and running (KillCycleFigures); its persisted {@code g} may be far behind, as it is written at epoch changes.
     * <p>
     * The margin: what an intact member holds beyond what the base keeps is what it ordered that no survivor received,
     * frames in flight when it stopped: a few entries, a few hundred at the highest rates. With 4,096 the alignment of
     * a restart still replayed up to that many entries on code not yet compiled, 100-145 ms of a kill cycle's restart
     * (the whole log, in logs shorter than that). The batch is small so that a cycle stays short while the code is
     * cold (512 entries took 30-75 ms a cycle there), and the decision and the probe's answers are not kept waiting.
     *
     * @return 1 when it replayed, else 0.
     */
    int replayAhead()
    {
        final long bound = p.intact ? Math.max(Math.min(p.log.have(), p.guaranteed),
            p.log.have() - SequencerProtocol.REPLAY_AHEAD_MARGIN) : 0;
        if (p.stateValid && p.replica.appliedUpTo() >= bound)
        {
            return 0;
        }
        if (!p.stateValid)
        {
            if (bound < p.log.base() || replayAheadStopped)
            {
                return 0; // nothing to rebuild from below the bound: the alignment asks for a snapshot (§13)
            }
            // the newest checkpoint, even above the bound: checkpoints are of committed entries only (§5), which no
            // alignment of an intact member cuts, and the snapshot thread keeps only the newest few
            restoreCheckpointAtOrBelow(p.intact ? p.log.have() : 0);
            replayAheadStopped = !p.stateValid;
        }
        replayTo(Math.min(bound, p.replica.appliedUpTo() + SequencerProtocol.REPLAY_AHEAD_PER_CYCLE));
        return 1;
    }

    /**
     * Reset the replica and restore the newest sound checkpoint at or below a position: one whose recorded {@code chk}
     * is the log's there, whose every chunk passes its check, and which the state machine takes (§5).
     */
    void restoreCheckpointAtOrBelow(final long position)
    {
        p.replica.reset();
        long checkpoint = p.checkpoints.latestAtOrBelow(position);
        while (checkpoint > 0 && checkpoint >= p.log.base())
        {
            String damage = "does not match the log";
            if (p.checkpoints.recordedWith(checkpoint, p.log.chkAt(checkpoint)))
            {
                try (CheckpointFile.Reader reader = p.checkpoints.open(checkpoint))
                {
                    // the file's own header too: it may have changed since the index was read
                    damage = reader == null ? "is damaged or gone" :
                        reader.position() != checkpoint || reader.chk() != p.log.chkAt(checkpoint) ?
                        "does not match the log" : p.replica.restore(reader, checkpoint);
                }
            }
            if (damage == null)
            {
                p.counters.checkpointsLoaded++;
                break;
            }
            p.counters.checkpointsSkipped++;
            p.errorHandler.onError(new RecoveredFault("checkpoint at " + checkpoint + " " + damage + ": skipped"));
            checkpoint = p.checkpoints.latestAtOrBelow(checkpoint - 1);
        }
        // without a checkpoint, a replay from position 1: impossible once the log starts above it (§13)
        p.stateValid = p.replica.appliedUpTo() >= p.log.base();
    }

    /** Apply the log's entries after the replica's up to {@code position}: a replay, nothing completes. */
    private void replayTo(final long position)
    {
        if (!p.stateValid)
        {
            return;
        }
        for (long pos = p.replica.appliedUpTo() + 1; pos <= position; pos++)
        {
            p.log.read(pos, p.entry);
            applyEntry(p.entry, false);
            p.counters.replayed++;
        }
    }

    /**
     * Apply an entry that is now in the log at {@code position}: the state machine for events, the deduplication
     * index, a checkpoint every {@code K} positions.
     *
     * @return the completion status; the result is in {@link Replica#resultBuffer}, its length in {@link
     * Replica#resultLength}.
     */
    int applyEntry(final LogEntry entry, final boolean trackOwn)
    {
        final int status = p.replica.apply(entry, p.cluster.indexOf(entry.originId()));
        p.counters.applyErrors = p.replica.applyErrors();
        p.counters.timersFired = p.replica.timers().fired();
        if (trackOwn)
        {
            trackOwn(entry.position(), entry.type(), entry.originId(), entry.incarnation(), entry.localSeq(), status,
                p.replica.result(), p.replica.resultLength());
        }
        return status;
    }

    /** An own event of this process is in the log at {@code position}: it completes from there once durable. */
    void trackOwn(
        final long position,
        final int type,
        final int originId,
        final long eventIncarnation,
        final long localSeq,
        final int status,
        final DirectBuffer result,
        final int resultLength)
    {
        if (type == EntryType.EVENT && originId == p.selfId && eventIncarnation == p.incarnation)
        {
            final long next = p.own.nextUnserializedLocalSeq();
            if (next == localSeq)
            {
                p.own.onSerialized(localSeq, position, status, result, resultLength);
            }
            else if (position <= p.receiving.refetchedUpTo && (next < 0 || localSeq < next))
            {
                // fetched again after an install, at the place it had: serialized before, its result kept (§13)
            }
            else
            {
                p.fatal("own event " + localSeq + " at " + position + " is not the next one waiting (" +
                    p.own.nextUnserializedLocalSeq() + ")");
            }
        }
    }
}
