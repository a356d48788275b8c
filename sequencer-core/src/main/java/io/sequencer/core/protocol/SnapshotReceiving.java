package io.sequencer.core.protocol;

import io.sequencer.core.CheckpointStore;
import io.sequencer.core.Checksum;
import io.sequencer.core.CompletionHandler;
import io.sequencer.core.EpochTrigger;
import io.sequencer.core.ProcessCrash;
import io.sequencer.core.RecoveredFault;
import io.sequencer.core.codec.FetchFrame;
import io.sequencer.core.codec.SnapshotFrame;

/**
 * The receiving side of snapshot transfer (docs/protocol.md §13): a member whose base owner no longer holds the
 * entries it needs takes the owner's checkpoint instead, window by window into a file nobody sees, checks it whole,
 * installs it (its log reset to the owner's base, its high-water mark lowered first) and fetches on from there. Reads
 * and changes the epoch's catch-up state through the protocol it belongs to. Duty cycle only.
 */
final class SnapshotReceiving
{
    // The transfer's state (§13). Kept across epochs: the same checkpoint offered again by the same member resumes
    // where it stopped.
    private int transferOwner = -1;

    private long transferChk;

    private long transferBase;

    private long transferBaseChk;

    private long transferBaseEpoch;

    private long transferWindowStart;

    private long transferRequestedTo;

    /** The phase a transfer that fails its check goes back to, and what this log agrees with the base up to. */
    private BootPhase transferReturnPhase;

    private long transferAgreed;

    long transferPosition;
    long transferLength;
    /** A snapshot is needed whatever this log holds: no checkpoint at or above its base to rebuild from. */
    boolean transferWanted;
    CheckpointStore.Incoming incoming;
    /** The installed checkpoint's position: restored once the fetch has brought the log up to it; 0 for none. */
    long installAt;
    /** After an install, the log is fetched again up to here: own events it serialized before keep their results. */
    long refetchedUpTo;
    private final SequencerProtocol p;

    SnapshotReceiving(final SequencerProtocol protocol)
    {
        this.p = protocol;
    }

    /**
     * A snapshot from the base owner (§13): the offer that answers a fetch or probe reaching below its log's base, or
     * the bytes of a transfer in progress.
     */
    /** A new epoch: no snapshot is wanted in it yet. */
    void onEpochEntered()
    {
        transferWanted = false;
    }

    void onSnapshot(final int sender)
    {
        if (sender != p.baseOwner || !p.decided)
        {
            return;
        }
        final SnapshotFrame frame = p.snapshotFrame;
        if (frame.position() != 0 && frame.dataLength() == 0)
        {
            return; // carries nothing: no progress to count (an honest owner never sends one)
        }
        if (p.phase == BootPhase.TRANSFERRING)
        {
            if (sameTransfer(sender, frame))
            {
                if (frame.fileOffset() == incoming.received())
                {
                    receiveSnapshotBytes(frame);
                }
                return; // an earlier window's, or one after a lost frame: asked again from what arrived
            }
            if (frame.fileOffset() != 0 || frame.position() <= transferPosition)
            {
                return; // a late answer to an earlier request: the transfer in progress goes on
            }
            // a newer checkpoint offered from its start: the one being received was deleted by the owner's retention;
            // judged as an offer to the phase the transfer came from, and taken in place of it if it passes
            p.phase = transferReturnPhase;
        }
        if ((p.phase != BootPhase.PROBING && p.phase != BootPhase.FETCHING) || frame.fileOffset() != 0)
        {
            return;
        }
        if (frame.position() == 0 && !transferWanted)
        {
            return; // the empty snapshot answers only a member that asked for one (§13)
        }
        final long b = frame.base();
        if (b > frame.position() && frame.position() != 0)
        {
            return; // a checkpoint below the sender's own base: it could not be restored over that log
        }
        if (!transferWanted && p.phase == BootPhase.PROBING)
        {
            if (b >= p.log.base() && b <= p.log.have() && p.log.chkAt(b) == frame.baseChk())
            {
                // this log agrees with the base owner's at its base: the divergence lies above, where it holds entries
                if (b <= p.catchUp.probeLo || b >= p.catchUp.probeHi)
                {
                    return; // nothing learnt, or a contradiction (checksums chain): stale or forged
                }
                p.catchUp.probeLo = b;
                p.catchUp.probeNext();
                return;
            }
        }
        else if (!transferWanted && p.catchUp.fetchNext - 1 >= b)
        {
            return; // this fetch needs nothing at or below the owner's base: an offer meant for an earlier one
        }
        final long agreed = p.phase == BootPhase.PROBING ? p.catchUp.probeLo : p.catchUp.fetchNext - 1;
        if (p.intact && !transferWanted && p.guaranteed > b)
        {
            return; // an honest base owner's base lies below this member's g here (§13): stale or forged
        }
        if (!p.catchUp.catchingUpOutside && frame.position() > p.decisionN)
        {
            return; // a checkpoint above N cannot be of the base's history up to N
        }
        if (p.catchUp.catchingUpOutside && frame.position() > Math.max(p.catchUp.fetchTarget,
            p.reports.reportGuaranteed[sender]))
        {
            return; // above what the owner reports durable: an honest owner's checkpoints are at or below its g
        }
        if (!p.log.canResetTo(b))
        {
            p.counters.snapshotsRejected++;
            p.errorHandler.onError(new RecoveredFault("member " + p.selfId + " cannot start its log at " + b
                + ", the " +
                "base of member " + p.memberIds[sender] + "'s log (are entries per cycle the same on every member?)"));
            return;
        }
        if (p.phase == BootPhase.PROBING)
        {
            p.catchUp.fetchTarget = p.decisionN;
        }
        p.catchUp.fetchTarget = Math.max(p.catchUp.fetchTarget, frame.position());
        transferReturnPhase = p.phase;
        transferAgreed = agreed;
        if (frame.position() == 0)
        {
            // the empty snapshot: the owner's log holds everything from position 1, and no checkpoint is needed
            closeIncoming();
            transferOwner = sender;
            transferPosition = 0;
            transferChk = Checksum.EMPTY;
            transferBase = 0;
            transferBaseChk = Checksum.EMPTY;
            transferBaseEpoch = 0;
            transferLength = 0;
            install();
            return;
        }
        if (incoming != null && !sameTransfer(sender, frame))
        {
            closeIncoming();
        }
        if (incoming == null)
        {
            incoming = p.checkpoints.receive(frame.position(), frame.chk());
            transferOwner = sender;
            transferPosition = frame.position();
            transferChk = frame.chk();
            transferBase = b;
            transferBaseChk = frame.baseChk();
            transferBaseEpoch = frame.baseEpoch();
            transferLength = frame.fileLength();
        }
        p.phase = BootPhase.TRANSFERRING;
        p.epochs.bootStartNs = p.nowNs;
        p.listener.onFetching(p.currentEpoch, p.memberIds[sender], transferPosition, transferPosition);
        if (incoming.received() == 0)
        {
            transferWindowStart = 0;
            transferRequestedTo = Math.min(transferLength, p.snapshotServing.windowBytes());
            receiveSnapshotBytes(frame);
        }
        else
        {
            requestSnapshotWindow(incoming.received()); // the same checkpoint again: resume where it stopped
        }
    }

    /**
     * The checkpoint being received: the same owner, position, chk and file. Where the owner's log starts may move on
     * meanwhile (its retention): the latest is taken, as long as it stays at or below the checkpoint.
     */
    private boolean sameTransfer(final int sender, final SnapshotFrame frame)
    {
        if (incoming == null || sender != transferOwner || frame.position() != transferPosition ||
            frame.chk() != transferChk || frame.fileLength() != transferLength)
        {
            return false;
        }
        if (frame.base() > transferBase && frame.base() <= transferPosition && p.log.canResetTo(frame.base()))
        {
            transferBase = frame.base();
            transferBaseChk = frame.baseChk();
            transferBaseEpoch = frame.baseEpoch();
        }
        return true;
    }

    void requestSnapshotWindow(final long from)
    {
        p.catchUp.fetchMovedNs = p.nowNs;
        transferWindowStart = from;
        transferRequestedTo = Math.min(transferLength, from + p.snapshotServing.windowBytes());
        p.publisher.fetchSnapshot(transferOwner, FetchFrame.SNAPSHOT, transferPosition, from);
    }

    private void receiveSnapshotBytes(final SnapshotFrame frame)
    {
        incoming.write(frame.buffer(), frame.dataOffset(), frame.dataLength());
        p.counters.snapshotBytesReceived += frame.dataLength();
        p.epochs.bootStartNs = p.nowNs; // progress (B7)
        p.catchUp.fetchMovedNs = p.nowNs;
        final long received = incoming.received();
        if (received == transferLength)
        {
            completeTransfer();
        }
        else if (received >= transferRequestedTo)
        {
            requestSnapshotWindow(received); // the window fell short
        }
        else if (transferRequestedTo < transferLength &&
            received - transferWindowStart >= (transferRequestedTo - transferWindowStart) / 2)
        {
            // half of the window is in: ask for the next, which the owner queues behind this one
            final long next = transferRequestedTo;
            p.publisher.fetchSnapshot(transferOwner, FetchFrame.SNAPSHOT, transferPosition, next);
            transferWindowStart = next;
            transferRequestedTo = Math.min(transferLength, next + p.snapshotServing.windowBytes());
        }
    }

    /** All of it arrived: check it, then install it, or report it damaged and ask again. */
    private void completeTransfer()
    {
        try
        {
            incoming.complete();
        }
        catch (final java.io.UncheckedIOException ex)
        {
            // this member's disk refused it (full, failing): not the sender's fault, and asking again would not help
            p.fatal("cannot store the snapshot received at " + transferPosition + " (" + ex.getMessage() + ")");
            return;
        }
        catch (final IllegalStateException ex)
        {
            p.counters.snapshotsRejected++;
            p.errorHandler.onError(new RecoveredFault("the snapshot at " + transferPosition + " from member " +
                p.memberIds[transferOwner] + " fails its check (" + ex.getMessage() + "): reported, asked again"));
            p.publisher.fetchSnapshot(transferOwner, FetchFrame.SNAPSHOT_DAMAGED, transferPosition, 0);
            closeIncoming();
            p.phase = transferReturnPhase;
            if (p.phase == BootPhase.PROBING)
            {
                p.catchUp.sendProbe(p.catchUp.probePosition);
            }
            else if (transferWanted)
            {
                askForSnapshot();
            }
            else
            {
                p.catchUp.sendFetchWindow(p.catchUp.fetchNext);
            }
            return;
        }
        incoming = null;
        try
        {
            install();
        }
        catch (final RuntimeException ex)
        {
            ProcessCrash.rethrowIfCrash(ex);
            // the disk refused the reset: nothing this member holds can be trusted to be whole until it is opened again
            p.fatal("cannot install the snapshot at " + transferPosition + " (" + ex + "): restart the member; its " +
                "open finishes or undoes the reset");
        }
    }

    /**
     * The snapshot is a checkpoint of this store now: reset the log to the owner's base and fetch its entries from
     * there; the checkpoint is restored once the log reaches it (§13). Never below {@code g}: the transfer was taken
     * only for entries at or below the owner's base, which lie above what this log agrees with.
     */
    private void install()
    {
        final long b = transferBase;
        p.counters.snapshotsInstalled++;
        p.own.unserializeFrom(Math.max(transferAgreed, p.log.base()) + 1);
        // Kept when higher: an install before the fetch after an earlier one got there leaves the own events that
        // one's log had serialized (acknowledged since, no longer tracked) to come again (seed 4519, 3 members).
        refetchedUpTo = Math.max(refetchedUpTo, Math.max(transferAgreed, p.log.base()));
        if (p.store.highWater() > b)
        {
            p.store.highWater(b); // lowered first: the reset must not read as lost entries at the next start
        }
        p.log.resetTo(b, transferBaseChk, transferBaseEpoch);
        if (p.store.guaranteed() < b)
        {
            // the owner's base is committed: after a restart too, g is at or above this log's base
            p.store.guaranteed(b);
        }
        p.checkpoints.unrollUntil(transferPosition);
        p.checkpoints.retainFrom(transferPosition);
        p.lastNormalEpoch = p.epochs.epochOfLastEpochStart();
        p.replica.reset();
        p.stateValid = false;
        installAt = transferPosition;
        transferWanted = false;
        p.phase = BootPhase.FETCHING;
        p.catchUp.fetchNext = b + 1;
        p.catchUp.fetchStarted();
        p.listener.onFetching(p.currentEpoch, p.memberIds[p.catchUp.source], p.catchUp.fetchNext,
            p.catchUp.fetchTarget);
        if (installAt == b && !restoreInstalled())
        {
            return;
        }
        if (p.catchUp.fetchNext > p.catchUp.fetchTarget)
        {
            p.alignment.appendEpochStart();
        }
        else
        {
            p.catchUp.sendFetchWindow(p.catchUp.fetchNext);
        }
    }

    /**
     * The lowest checkpoint above {@code agreed} when none lies between the log's base and it: what an install left
     * when the process stopped before the fetch reached it (a checkpoint is never written above a log's end
     * otherwise). 0 when there is none.
     */
    long installedAbove(final long agreed)
    {
        long lowest = 0;
        long at = p.checkpoints.latestAtOrBelow(Long.MAX_VALUE);
        while (at > agreed)
        {
            lowest = at;
            at = p.checkpoints.latestAtOrBelow(at - 1);
        }
        return at >= p.log.base() && at > 0 ? 0 : lowest;
    }

    /** The fetch reached the installed checkpoint: restore it, so that the entries after it apply. */
    boolean restoreInstalled()
    {
        final long at = installAt;
        installAt = 0;
        p.replay.restoreCheckpointAtOrBelow(at);
        if (p.stateValid && p.replica.appliedUpTo() == at)
        {
            // own events the snapshot holds but the entries fetched above the base did not: below the base
            completeOwnBelowBase(p.replica.newestApplied(p.selfIndex, p.incarnation));
            return true;
        }
        p.counters.snapshotsRejected++;
        requestTransfer(at, false, "the installed snapshot at " + at + " does not load over the log fetched up to it");
        return false;
    }

    /**
     * Own events up to {@code localSeq} not yet seen in the log lie below its base after an install: ordered and
     * durable (the snapshot holds them), at positions not known here. They complete with that status (§13).
     */
    void completeOwnBelowBase(final long localSeq)
    {
        long next = p.own.nextUnserializedLocalSeq();
        while (next >= 0 && next <= localSeq)
        {
            p.own.onSerialized(next, 0, CompletionHandler.RESULT_UNKNOWN, p.sendBuffer, 0);
            next = p.own.nextUnserializedLocalSeq();
        }
    }

    /**
     * This member needs a snapshot whatever the base owner's log holds: its log starts above where it diverges, or no
     * checkpoint rebuilds its state. {@code lost}: it had one and lost it (damaged checkpoints), so it is not intact
     * until it runs again (§10.1).
     */
    void requestTransfer(final long agreed, final boolean lost, final String why)
    {
        if (p.baseOwner == p.selfIndex && p.memberCount == 1)
        {
            // The state below this log's base lived only in the checkpoints: with no other member to take a snapshot
            // from, no epoch brings it back, and running on would apply the log to a state that is not the cluster's.
            p.fatal("its state cannot be rebuilt (" + why + ") and a cluster of one has no other member to take a " +
                "snapshot from: restore the member's directory from a backup");
            return;
        }
        if (p.baseOwner == p.selfIndex)
        {
            p.counters.decisionsRefused++;
            p.errorHandler.onError(new RecoveredFault("member " + p.selfId + " is the base of epoch " + p.currentEpoch +
                " but cannot rebuild its state: " + why + "; next epoch"));
            if (lost)
            {
                p.store.amnesia(true);
                p.intact = false;
            }
            p.epochs.startEpochChange(EpochTrigger.DECISION_REFUSED, -1);
            return;
        }
        p.errorHandler.onError(new RecoveredFault("member " + p.selfId + " asks member " + p.memberIds[p.baseOwner] +
            " for a snapshot: " + why));
        if (lost && p.intact)
        {
            p.store.amnesia(true);
            p.intact = false;
        }
        transferWanted = true;
        p.catchUp.fetchNext = agreed + 1;
        p.catchUp.fetchTarget = p.catchUp.catchingUpOutside && p.catchUp.alignedOutside ? p.catchUp.fetchTarget
            : p.decisionN;
        p.phase = BootPhase.FETCHING;
        p.catchUp.fetchStarted();
        askForSnapshot();
    }

    void askForSnapshot()
    {
        p.catchUp.fetchMovedNs = p.nowNs;
        p.publisher.fetchSnapshot(p.baseOwner, FetchFrame.SNAPSHOT, 0, 0);
    }

    void closeIncoming()
    {
        final CheckpointStore.Incoming closing = incoming;
        incoming = null;
        if (closing != null)
        {
            closing.close();
        }
    }
}
