package io.sequencer.core.runtime;

import io.sequencer.core.ClusterConfig;
import io.sequencer.core.protocol.ProtocolCounters;
import io.sequencer.core.protocol.SequencerProtocol;
import io.sequencer.core.codec.DropReason;
import io.sequencer.core.codec.MessageType;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A node's counters in an Agrona {@link CountersManager} (docs/design.md, "Observability"), so that another process can
 * read them live from the node's {@link NodeStatFile}. The duty cycle publishes the protocol's values with
 * {@link #update} — at most once per {@code updateIntervalNs}, so the cost stays off most cycles — and counts its
 * own time and errors directly.
 */
public final class NodeCounters
{
    /** Counter type id of every sequencer counter (readers may filter on it). */
    public static final int TYPE_ID = 9001;
    /** The label of the durable watermark's counter, which a follower of the log reads (CommittedLogReader). */
    public static final String GUARANTEED_LABEL = "g (durable watermark)";
    /**
     * The label of the count of this run's cuts of the log's tail (unrolls, redone ones included). Published before
     * {@link #GUARANTEED_LABEL}, in the same update: a follower that reads g and then this count sees every cut made
     * before g reached what it read, and maps the log again before it reads entries a cut replaced.
     */
    public static final String LOG_CUTS_LABEL = "log cuts (unrolls, redone ones, snapshot installs)";

    private final List<AtomicCounter> counters = new ArrayList<>();
    private final List<LongSupplier> sources = new ArrayList<>();
    private final AtomicCounter[] published;
    private final LongSupplier[] publishedSources;
    private final AtomicCounter dutyCycles;
    private final AtomicCounter dutyCycleMaxNs;
    private final AtomicCounter errors;
    private final long updateIntervalNs;
    private long lastUpdateNs = Long.MIN_VALUE;
    private long maxDutyCycleNs;

    /**
     * @param lostCompletions completions that found their client's ring full (a client over its in-flight limit).
     * @param extraSources    more values to publish, by label, read on the duty-cycle thread like the protocol's
     *                        (the transport's counters, for instance).
     */
    public NodeCounters(
        final CountersManager manager,
        final SequencerProtocol protocol,
        final LongSupplier lostCompletions,
        final Map<String, LongSupplier> extraSources,
        final long updateIntervalNs)
    {
        this.updateIntervalNs = updateIntervalNs;
        final ProtocolCounters c = protocol.counters();
        final ClusterConfig cluster = protocol.cluster();

        add(manager, "epoch", protocol::currentEpoch);
        add(manager, "mode (0 init, 1 boot, 2 running, 3 stopped)", () -> protocol.mode().ordinal());
        add(manager, "boot phase (0 collecting, 1 probing, 2 fetching, 3 aligned, 4 none)",
            () -> protocol.bootPhase().ordinal());
        add(manager, "intact", () -> protocol.isIntact() ? 1 : 0);
        add(manager, "coordinator of the epoch (member id)", protocol::coordinatorId);
        add(manager, "active set (mask over member indexes; 0 before the decision)", protocol::activeMask);
        add(manager, "base owner (member id; -1 before the decision)", protocol::baseOwnerId);
        add(manager, "last normal epoch", protocol::lastNormalEpoch);
        add(manager, "clock L", protocol::clock);
        add(manager, "have", () -> protocol.log().have());
        add(manager, "log base", () -> protocol.log().base()); // entries at and below it were discarded (§13)
        add(manager, "forced", () -> protocol.log().forcedPosition());
        // before g: see the label; an installed snapshot replaces the log, which a reader must notice as a cut
        add(manager, LOG_CUTS_LABEL, () -> c.unrolls() + c.unrollsRedone() + c.snapshotsInstalled());
        add(manager, GUARANTEED_LABEL, protocol::guaranteed);
        for (int i = 0; i < cluster.size(); i++)
        {
            final int memberId = cluster.memberId(i);
            add(manager, "promise of member " + memberId, () -> protocol.promise(memberId));
            add(manager, "ser of member " + memberId, () -> protocol.ser(memberId));
        }
        add(manager, "own events in flight", protocol::ownInFlight);
        add(manager, "events pending order", protocol::pendingCount);
        add(manager, "submitted", c::submitted);
        add(manager, "submits refused", c::submitsRefused);
        add(manager, "submits refused, back-pressured (overload)", c::submitsBackPressured);
        add(manager, "completed", c::completed);
        add(manager, "serialized", c::serialized);
        add(manager, "publication back-pressure", c::publishBackPressure);
        add(manager, "suspicions", c::suspicions);
        add(manager, "streams lost", c::streamsLost);
        add(manager, "epoch changes", c::epochChanges);
        add(manager, "epoch adoptions", c::epochAdoptions);
        add(manager, "admission requests", c::admissionRequests);
        add(manager, "decisions", c::decisions);
        add(manager, "boot timeouts", c::bootTimeouts);
        add(manager, "unrolls", c::unrolls);
        add(manager, "unrolled entries", c::unrolledEntries);
        add(manager, "unrolls redone at start", c::unrollsRedone);
        add(manager, "unrolls voided at start (log replaced)", c::unrollsVoided);
        add(manager, "entries replayed", c::replayed);
        add(manager, "checkpoints loaded", c::checkpointsLoaded);
        add(manager, "checkpoints skipped", c::checkpointsSkipped);
        add(manager, "entries fetched", c::fetchedEntries);
        add(manager, "fetched entries rejected", c::fetchRejected);
        add(manager, "entries served", c::entriesServed);
        add(manager, "snapshots offered", c::snapshotsOffered);
        add(manager, "snapshots unavailable", c::snapshotsUnavailable);
        add(manager, "snapshot bytes served", c::snapshotBytesServed);
        add(manager, "snapshot bytes received", c::snapshotBytesReceived);
        add(manager, "snapshots installed", c::snapshotsInstalled);
        add(manager, "snapshots rejected", c::snapshotsRejected);
        add(manager, "retention discards", c::retentionDiscards);
        add(manager, "checkpoints written on the duty cycle", c::checkpointsOnDutyCycle);
        add(manager, "events resubmitted", c::resubmitted);
        add(manager, "duplicates dropped", c::duplicatesDropped);
        add(manager, "state machine errors", c::applyErrors);
        add(manager, "timers fired", c::timersFired);
        add(manager, "ticks proposed", c::ticksProposed);
        add(manager, "report chk mismatches", c::reportChkMismatches);
        add(manager, "boot reports refused (contradict this log)", c::bootReportsRefused);
        add(manager, "fatal errors", c::fatalErrors);
        add(manager, "losses found at start", c::lossesFoundAtStart);
        add(manager, "bootstrap refusals", c::bootstrapRefusals);
        add(manager, "decisions refused", c::decisionsRefused);
        add(manager, "stale decisions refused", c::staleDecisions);
        add(manager, "epoch adoptions refused (pre-vote)", c::epochAdoptionsRefused);
        add(manager, "epoch windows widened", c::epochWindowsWidened);
        add(manager, "decisions handed on (far behind)", c::farBehindHandOvers);
        add(manager, "decisions sent again (missed)", c::decisionsResent);
        add(manager, "epoch changes deferred (check-quorum)", c::epochChangesDeferred);
        add(manager, "catch-ups outside the active set", c::catchUpsOutside);
        add(manager, "follow rounds outside the active set", c::followRounds);
        add(manager, "fetch sources changed (base owner did not answer)", c::fetchSourcesChanged);
        add(manager, "epochs rejoined at a restart", c::epochsRejoined);
        add(manager, "running epochs taken up at a restart", c::epochsAdoptedAtStart);
        add(manager, "losses seen in peers' reports", c::lossesSeenInReports);
        add(manager, "completions lost (client ring full)", lostCompletions);
        extraSources.forEach((label, source) -> add(manager, label, source));
        for (int type = MessageType.NEW_EVENT; type < MessageType.COUNT; type++)
        {
            final int t = type;
            add(manager, "frames in: " + MessageType.name(type), () -> c.framesIn(t));
        }
        add(manager, "frames in: unknown type", () -> c.framesIn(0));
        for (int type = MessageType.NEW_EVENT; type < MessageType.COUNT; type++)
        {
            final int t = type;
            add(manager, "frames out: " + MessageType.name(type), () -> c.framesOut(t));
        }
        for (final DropReason reason : DropReason.values())
        {
            add(manager, "frames dropped: " + reason.name().toLowerCase().replace('_', ' '), () -> c.dropped(reason));
        }
        published = counters.toArray(new AtomicCounter[0]);
        publishedSources = sources.toArray(new LongSupplier[0]);
        dutyCycles = manager.newCounter("duty cycles", TYPE_ID);
        dutyCycleMaxNs = manager.newCounter("duty cycle max ns", TYPE_ID);
        errors = manager.newCounter("duty cycle errors", TYPE_ID);
    }

    private void add(final CountersManager manager, final String label, final LongSupplier source)
    {
        counters.add(manager.newCounter(label, TYPE_ID));
        sources.add(source);
    }

    /** After each duty cycle: count it, track the longest, and publish the protocol's values when due. */
    public void onDutyCycle(final long nowNs, final long cycleNs)
    {
        dutyCycles.incrementRelease();
        if (cycleNs > maxDutyCycleNs)
        {
            maxDutyCycleNs = cycleNs;
            dutyCycleMaxNs.setRelease(cycleNs);
        }
        if (lastUpdateNs == Long.MIN_VALUE || nowNs - lastUpdateNs >= updateIntervalNs)
        {
            update(nowNs);
        }
    }

    /** Publish every protocol value now. */
    public void update(final long nowNs)
    {
        lastUpdateNs = nowNs;
        for (int i = 0; i < published.length; i++)
        {
            published[i].setRelease(publishedSources[i].getAsLong());
        }
    }

    public void onError()
    {
        errors.incrementRelease();
    }
}
