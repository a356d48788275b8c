package io.sequencer.core.protocol;

/**
 * Retention on the duty cycle (docs/protocol.md §13): the log below what the snapshot thread asked to discard goes
 * once it is also at or below g and this member's own durable position, g persisted first; and the live checkpoint the
 * snapshot thread asked for when it had none to start from. Duty cycle only; the requests come from the snapshot
 * thread through volatile fields.
 */
final class Retention
{

    /** Retention (§13): the snapshot thread's wish, and what this log was last asked to discard. */
    volatile long retentionRequested;
    long retentionApplied;
    /** The snapshot thread has no checkpoint to start from above the log's base: write one of the live state. */
    volatile boolean checkpointNeeded;
    private final SequencerProtocol p;

    Retention(final SequencerProtocol protocol)
    {
        this.p = protocol;
    }

    int applyRetention()
    {
        if (checkpointNeeded && p.liveCheckpoints.writeLiveCheckpoint())
        {
            checkpointNeeded = false;
        }
        // at or below g, and at or below what this member counts as its own (the forced position under batch): its
        // reports name a position of its log
        final long wanted = Math.min(retentionRequested, Math.min(p.guaranteed, p.ordering.serSelf()));
        if (wanted <= retentionApplied)
        {
            return 0;
        }
        retentionApplied = wanted;
        if (p.store.guaranteed() < wanted)
        {
            // persisted first: a restart then knows a g at or above the log's base, which §13's checks rely on
            p.store.guaranteed(p.guaranteed);
        }
        final long before = p.log.base();
        p.log.discardUpTo(wanted);
        if (p.log.base() > before)
        {
            p.counters.retentionDiscards++;
        }
        return 1;
    }
}
