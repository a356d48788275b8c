package io.sequencer.core.protocol;

/**
 * What this member serves in a duty cycle (docs/protocol.md B5, §13): the windows of entries peers asked for with a
 * Fetch, a frame at a time (EntriesServing), and where a window reaches below the log's base, a snapshot
 * (LiveCheckpoint's offer, SnapshotServing's frames). Duty cycle only.
 */
final class Serving
{
    private final SequencerProtocol p;

    Serving(final SequencerProtocol protocol)
    {
        this.p = protocol;
    }

    /** A {@code Fetch}: serve its window from this log, a few frames now and the rest in the next duty cycles. */
    void onFetch(final int requester, final long from, final long to)
    {
        final int taken = p.entriesServing.request(requester, from, to);
        if (taken == EntriesServing.BELOW_BASE)
        {
            p.liveCheckpoints.offerSnapshot(requester); // what it needs is gone from this log: a snapshot (§13)
        }
        else if (taken == EntriesServing.STARTED)
        {
            serveFetch(requester);
        }
    }

    /** Send the next frames of the window {@code requester} asked for ({@link EntriesServing#serve}). */
    private int serveFetch(final int requester)
    {
        final int frames = p.entriesServing.serve(
            requester, SequencerProtocol.SERVE_FRAMES_PER_CYCLE, p.selfId, p.clusterId, p.currentEpoch,
                p.memberIds[requester]);
        if (frames < 0)
        {
            p.liveCheckpoints.offerSnapshot(requester); // discarded by retention since it was asked for
            return 0;
        }
        if (frames > 0)
        {
            p.lastSentNs = p.nowNs;
        }
        return frames;
    }

    /** Continue serving the windows requested of this member (see {@link EntriesServing#serve}). */
    int continueServing()
    {
        int frames = 0;
        for (int i = 0; i < p.memberCount; i++)
        {
            if (p.entriesServing.serving(i))
            {
                frames += serveFetch(i);
            }
        }
        return frames + p.snapshotServing.serve(p.selfId, p.clusterId, p.currentEpoch, p.memberIds,
            SequencerProtocol.SERVE_FRAMES_PER_CYCLE);
    }
}
