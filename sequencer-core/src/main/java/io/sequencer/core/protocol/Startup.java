package io.sequencer.core.protocol;

import io.sequencer.core.Durability;
import io.sequencer.core.EpochTrigger;
import io.sequencer.core.NodeMode;
import io.sequencer.core.RecoveredFault;

/**
 * A member's start (docs/protocol.md §6 "Durability and intactness", §10.1 "Knowing what was lost", B1): what its node
 * store and log say about the last run (an interrupted unroll redone, losses found, not intact, a fresh directory that
 * may only bootstrap), then listening for the epochs in use before entering one. Reads and changes the protocol's
 * state through the protocol it belongs to.
 */
final class Startup
{
    private final SequencerProtocol p;

    Startup(final SequencerProtocol protocol)
    {
        this.p = protocol;
    }

    /** {@link SequencerProtocol#start}'s work. */
    void startAt(final long nowNs)
    {
        if (p.mode != NodeMode.INIT)
        {
            throw new IllegalStateException("already started");
        }
        p.nowNs = nowNs;
        p.detector.start(nowNs);

        final boolean lastEpochUnknown = !p.store.initialized();
        final long intent = p.store.unrollIntent();
        if (intent >= 0)
        {
            p.checkpoints.unrollUntil(intent);
            if (p.store.logId() != 0 && p.store.logId() != p.log.logId())
            {
                // The cut was meant for a log that is gone (lost, replaced or restored from elsewhere): this one is
                // left as it is, the evidence of what it holds, and lossAtStart reports the member not intact.
                p.counters.unrollsVoided++;
            }
            else
            {
                if (p.log.have() > intent)
                {
                    // checked against g when an alignment recorded it; below g when a failed force did (§10.7: what
                    // was not forced is cut, and this member never reported it); never below the base
                    p.log.unrollTo(Math.max(intent, p.log.base()), 0);
                }
                p.counters.unrollsRedone++;
            }
            p.store.unrollIntent(-1);
        }

        if (p.durability == Durability.BATCH && p.log.forcedPosition() < p.log.have())
        {
            // What is in the log at start survived: a process crash keeps written bytes, a power loss already took
            // the unforced tail. Forcing it now keeps ser_self and lastNormalEpoch (derived from the log) in step.
            p.log.force();
        }
        final String lossReason = lossAtStart();
        if (lossReason != null)
        {
            p.intact = false;
            p.store.amnesia(true); // before anything else: a later start must not forget it
            if (p.store.highWater() > p.log.have())
            {
                // The mark described the log that was lost; the loss is on record now (amnesia). Kept, it would make
                // this member not intact again at every start after it caught up, if the base it caught up to is
                // shorter than what it once held (entries it held that were never durable, cut since: seed 4133).
                p.store.highWater(p.log.have());
            }
            p.counters.lossesFoundAtStart++;
            p.errorHandler.onError(new RecoveredFault("member " + p.selfId + " is not intact: " + lossReason +
                ". It takes no part in choosing a base and catches up before its log counts again."));
        }
        p.store.bootId(p.bootId);
        if (!p.fresh)
        {
            // A fresh node records its log only once it knows the cluster never ran (appendEpochStart): if it is
            // refused, a restart without bootstrap must still find it uninitialized, hence lost.
            p.store.logId(p.log.logId());
            p.store.initialize();
        }

        if (!p.intact && p.memberCount == 1 && p.durability == Durability.NONE && !p.acceptDataLoss)
        {
            p.mode = NodeMode.STOPPED;
            p.counters.fatalErrors++;
            throw new IllegalStateException("member " + p.selfId + " is the only member and its log is not intact " +
                "(the machine rebooted or the disk was lost under durability none): acknowledged events may be gone. " +
                "Start with acceptDataLoss to run on what is left.");
        }
        p.guaranteed = p.intact ? Math.min(p.store.guaranteed(), p.log.have()) : 0;
        p.lastNormalEpoch = p.epochs.epochOfLastEpochStart();
        p.maxKnownEpoch = Math.max(p.store.currentEpoch(), p.lastNormalEpoch);
        p.stateValid = false;

        if (lastEpochUnknown && !p.fresh && p.memberCount > 1)
        {
            // B1: a restarted process enters an epoch above any it was in, and this one cannot know which it was in
            // (its node state is new or lost, and it does not bootstrap a new cluster, §10.2). Epochs only rise and
            // every running member sends within T_hb, so what it hears in T_fd shows an epoch at or above all it can
            // have been in: it enters one above that. Entered at once, a low epoch could be one its earlier life was
            // in, and a delayed or replayed decision of it would have this process order there again, differently
            // (found by the simulator: I2).
            p.epochs.startListening(0, false);
            return;
        }
        if (!lastEpochUnknown && p.epochs.mayListenAtStart(p.store.currentEpoch()))
        {
            // B1: a later epoch that runs (its coordinator shows it decided within T_fd) is taken up as one adopted
            // late, holding no decision: a new epoch at once made the running members leave theirs for this one (an
            // epoch change at every restart, their acknowledgements paused for it), only to leave this member out
            // of its active set while it catches up. The epoch the node state names is gone back into only if this
            // member cannot have run in it (outside its active set, or never aligned to it), so that doing so repeats
            // nothing it did there: a new epoch at once there made the running members leave theirs, and, far behind,
            // it then held their acknowledgements for its whole catch-up (CatchUpFigures: 68 ms).
            p.epochs.startListening(p.store.currentEpoch(), p.epochs.mayRejoin(p.store.currentEpoch()));
            return;
        }
        p.epochs.enterBoot(p.epochs.nextEpochForLocalTrigger(), EpochTrigger.START, -1);
    }

    /**
     * Whether this node may have lost log entries it once held (docs/protocol.md, "Knowing what was lost"), and why.
     *
     * @return null when the node is intact; otherwise the reason, for the error log.
     */
    private String lossAtStart()
    {
        if (!p.store.initialized())
        {
            if (p.bootstrap && p.log.have() == 0)
            {
                p.fresh = true;
                return null;
            }
            return p.log.have() == 0 ? "its node state is new or was lost, and it was not started to bootstrap a new " +
                "cluster" : "its node state is new or was lost while its log holds " + p.log.have() + " entries";
        }
        if (p.store.logId() != 0 && p.store.logId() != p.log.logId())
        {
            return "its log (id " + Long.toHexString(p.log.logId())
                + ") is not the log its node state belongs to (id " +
                Long.toHexString(p.store.logId()) + "): the log directory was lost, replaced or restored";
        }
        if (p.log.have() < p.store.highWater())
        {
            return "its log holds " + p.log.have() + " entries, fewer than the " + p.store.highWater() +
                " it was known to hold: entries were cut or lost";
        }
        if (p.log.damagedAtOpen())
        {
            return "its log was damaged beyond a torn last write (entries were dropped at open)";
        }
        if (p.durability == Durability.NONE && p.store.bootId() != p.bootId)
        {
            return "the machine rebooted, or the log's file system refused a write, since the log was written " +
                "under durability none: its unforced tail may be gone";
        }
        if (p.store.amnesia())
        {
            return "an earlier start found it not intact and it has not caught up since";
        }
        return null;
    }
}
