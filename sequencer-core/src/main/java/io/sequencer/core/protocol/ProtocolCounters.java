package io.sequencer.core.protocol;

import io.sequencer.core.codec.DropReason;
import io.sequencer.core.codec.MessageType;

/**
 * What one node's protocol counts. Plain fields written by the duty-cycle thread; the node module publishes them
 * as off-heap counters for other processes.
 */
public final class ProtocolCounters
{
    private final long[] dropped = new long[DropReason.values().length];
    private final long[] framesIn = new long[MessageType.COUNT];
    private final long[] framesOut = new long[MessageType.COUNT];
    long submitted;
    long submitsRefused;
    long submitsBackPressured;
    long completed;
    long serialized;
    long publishBackPressure;
    long suspicions;
    long applyErrors;
    long timersFired;
    long ticksProposed;
    long reportChkMismatches;
    long bootReportsRefused;
    long epochChanges;
    long epochAdoptions;
    long admissionRequests;
    long decisions;
    long bootTimeouts;
    long unrolls;
    long unrollsRedone;
    long unrollsVoided;
    long unrolledEntries;
    long replayed;
    long checkpointsLoaded;
    long checkpointsSkipped;
    long fetchedEntries;
    long fetchRejected;
    long entriesServed;
    long resubmitted;
    long duplicatesDropped;
    long fatalErrors;
    long streamsLost;
    long staleDecisions;
    long lossesFoundAtStart;
    long bootstrapRefusals;
    long decisionsRefused;
    long epochAdoptionsRefused;
    long epochWindowsWidened;
    long farBehindHandOvers;
    long decisionsResent;
    long epochChangesDeferred;
    long catchUpsOutside;
    long followRounds;
    long fetchSourcesChanged;
    long epochsRejoined;
    long epochsAdoptedAtStart;
    long lossesSeenInReports;
    long snapshotsOffered;
    long snapshotsUnavailable;
    long snapshotBytesServed;
    long snapshotBytesReceived;
    long snapshotsInstalled;
    long snapshotsRejected;
    long retentionDiscards;
    long checkpointsOnDutyCycle;

    void dropped(final int reasonOrdinal)
    {
        dropped[reasonOrdinal]++;
    }

    void frameIn(final int type)
    {
        framesIn[MessageType.isValid(type) ? type : 0]++;
    }

    void frameOut(final int type)
    {
        framesOut[type]++;
    }

    public long dropped(final DropReason reason)
    {
        return dropped[reason.ordinal()];
    }

    public long droppedTotal()
    {
        long total = 0;
        for (final long d : dropped)
        {
            total += d;
        }
        return total;
    }

    /** Frames received of {@code type}, valid or not; type 0 counts frames whose type is unknown. */
    public long framesIn(final int type)
    {
        return framesIn[type];
    }

    public long framesOut(final int type)
    {
        return framesOut[type];
    }

    public long submitted()
    {
        return submitted;
    }

    public long submitsRefused()
    {
        return submitsRefused;
    }

    /** Submits refused with {@code BACK_PRESSURED}: the member's own events in flight at their limit (overload). */
    public long submitsBackPressured()
    {
        return submitsBackPressured;
    }

    public long completed()
    {
        return completed;
    }

    public long serialized()
    {
        return serialized;
    }

    public long publishBackPressure()
    {
        return publishBackPressure;
    }

    public long suspicions()
    {
        return suspicions;
    }

    public long applyErrors()
    {
        return applyErrors;
    }

    /** Timers of the state machine fired (§12), replays included. */
    public long timersFired()
    {
        return timersFired;
    }

    /** Ticks this member proposed to move the cluster time to a due timer (§12). */
    public long ticksProposed()
    {
        return ticksProposed;
    }

    public long reportChkMismatches()
    {
        return reportChkMismatches;
    }

    /** Boot reports not counted: they contradicted this log where no correct member's log can (§10.3). */
    public long bootReportsRefused()
    {
        return bootReportsRefused;
    }

    /** Epochs entered (B1), by any trigger. */
    public long epochChanges()
    {
        return epochChanges;
    }

    /** Epochs entered because a frame of a higher epoch arrived. */
    public long epochAdoptions()
    {
        return epochAdoptions;
    }

    /** {@code NewNode}s sent: this node found itself outside a decided epoch. */
    public long admissionRequests()
    {
        return admissionRequests;
    }

    /** {@code ClusterNodes} decisions made as coordinator. */
    public long decisions()
    {
        return decisions;
    }

    /** Epochs given up after {@code T_boot} (B7). */
    public long bootTimeouts()
    {
        return bootTimeouts;
    }

    public long unrolls()
    {
        return unrolls;
    }

    /** Unrolls found interrupted by a crash and finished at start. */
    public long unrollsRedone()
    {
        return unrollsRedone;
    }

    /** Unroll intents found at start for a log that is gone (lost, replaced, restored): not carried out on this one. */
    public long unrollsVoided()
    {
        return unrollsVoided;
    }

    public long unrolledEntries()
    {
        return unrolledEntries;
    }

    /** Entries re-applied to rebuild the state after a restart or an unroll. */
    public long replayed()
    {
        return replayed;
    }

    public long checkpointsLoaded()
    {
        return checkpointsLoaded;
    }

    /** Checkpoints found damaged or not matching the log, and skipped. */
    public long checkpointsSkipped()
    {
        return checkpointsSkipped;
    }

    public long fetchedEntries()
    {
        return fetchedEntries;
    }

    /** Catch-up entries that did not chain onto this log or the base. */
    public long fetchRejected()
    {
        return fetchRejected;
    }

    public long entriesServed()
    {
        return entriesServed;
    }

    /** Snapshot transfers this member began to serve (§13): asked for entries below its log's base. */
    public long snapshotsOffered()
    {
        return snapshotsOffered;
    }

    /** Requests below this log's base it could not answer: no sound checkpoint of this log at or above the base. */
    public long snapshotsUnavailable()
    {
        return snapshotsUnavailable;
    }

    public long snapshotBytesServed()
    {
        return snapshotBytesServed;
    }

    public long snapshotBytesReceived()
    {
        return snapshotBytesReceived;
    }

    /** Snapshots received, checked and installed: the log reset to the sender's base (§13). */
    public long snapshotsInstalled()
    {
        return snapshotsInstalled;
    }

    /** Snapshots received that failed their check or did not match the entries that followed them. */
    public long snapshotsRejected()
    {
        return snapshotsRejected;
    }

    /** Checkpoints the duty cycle wrote because none was left to offer above the log's base (§13). */
    public long checkpointsOnDutyCycle()
    {
        return checkpointsOnDutyCycle;
    }

    /** Times retention moved this log's base up (§13). */
    public long retentionDiscards()
    {
        return retentionDiscards;
    }

    /** Own events proposed again in a new epoch (B6). */
    public long resubmitted()
    {
        return resubmitted;
    }

    /** Events not appended because their id is already in the log (R6). */
    public long duplicatesDropped()
    {
        return duplicatesDropped;
    }

    /** Peer streams lost (transport signal): each starts an epoch change. */
    public long streamsLost()
    {
        return streamsLost;
    }

    /** Decisions refused because they named this node base owner of a log it does not hold (a stale report). */
    public long staleDecisions()
    {
        return staleDecisions;
    }

    /** Protocol assertions that stopped the node. */
    public long fatalErrors()
    {
        return fatalErrors;
    }

    /** Starts that found this node not intact (a lost, replaced, cut or damaged log; a reboot; amnesia). */
    public long lossesFoundAtStart()
    {
        return lossesFoundAtStart;
    }

    /** Starts to bootstrap refused because the cluster had already run. */
    public long bootstrapRefusals()
    {
        return bootstrapRefusals;
    }

    /** Decisions not made or not followed because they would cut durable entries (forged or garbled reports). */
    public long decisionsRefused()
    {
        return decisionsRefused;
    }

    /** Decisions this member, far behind the base, handed on to another coordinator (B4). */
    public long farBehindHandOvers()
    {
        return farBehindHandOvers;
    }

    /** Decisions this coordinator sent again to a member that adopted its epoch after the decision went out (B6). */
    public long decisionsResent()
    {
        return decisionsResent;
    }

    /** Times one sender's frames of an epoch beyond the window, kept up for {@code T_fd}, widened it (§10.3). */
    public long epochWindowsWidened()
    {
        return epochWindowsWidened;
    }

    /** Higher epochs not adopted because their sender did not hear a quorum (pre-vote). */

    public long epochAdoptionsRefused()
    {
        return epochAdoptionsRefused;
    }

    /** Epoch changes this node did not start because it did not hear a quorum (check-quorum). */
    public long epochChangesDeferred()
    {
        return epochChangesDeferred;
    }

    /** Times this member, left out of a decided epoch, aligned to its base outside the active set (§10.5). */
    public long catchUpsOutside()
    {
        return catchUpsOutside;
    }

    /** Rounds in which this member, outside the active set, fetched the entries its base owner holds durable. */
    public long followRounds()
    {
        return followRounds;
    }

    /**
     * Probes and fetches this member moved from a member that did not answer to another (B5): a cut between it and
     * the base owner, or a lost catch-up path; back to the owner when another could not serve.
     */
    public long fetchSourcesChanged()
    {
        return fetchSourcesChanged;
    }

    /** Restarts in which this member went back into the epoch it was in and never ran in, instead of a new one (B1). */
    public long epochsRejoined()
    {
        return epochsRejoined;
    }

    /**
     * Restarts in which this member took up a later epoch that ran without it, as one that adopted it late, instead of
     * entering a new one (B1).
     */
    public long epochsAdoptedAtStart()
    {
        return epochsAdoptedAtStart;
    }

    /** Reports of members that held less than this coordinator had counted them holding in the same epoch. */
    public long lossesSeenInReports()
    {
        return lossesSeenInReports;
    }
}
