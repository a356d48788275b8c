package io.sequencer.core.protocol;

import java.util.concurrent.TimeUnit;

/**
 * R10 with §10.6 (docs/protocol.md): when each peer was last heard, the failure timeout that adapts to its stalls, and
 * what this member hears. Two notions of heard: any valid frame (the hears mask this member sends), and a sign of
 * life, a frame of a peer that hears this member (suspicion reads it). Duty cycle only; allocates nothing.
 */
final class FailureDetector
{
    /** How often a peer's largest recent gap halves while no larger one comes. */
    private static final long PEAK_GAP_DECAY_NS = TimeUnit.SECONDS.toNanos(1);

    private final int memberCount;
    private final int selfIndex;
    private final long failureTimeoutNs;
    private final long maxFailureTimeoutNs;
    /** When each member last showed it is alive and hears this node (a hears mask with our bit): R10 reads it. */
    private final long[] lastHeardNs;
    /** When each member's last valid frame of any kind arrived: what this node hears, sent as its hears mask. */
    private final long[] rawHeardNs;
    /**
     * The largest recent gap between each member's signs of life: its failure timeout grows to twice this (up to
     * {@code maxFailureTimeoutNs}), so that a member whose heartbeats come irregularly (starved, overloaded, a fresh
     * JVM compiling) is not suspected for every stall, while a regular one that stops is suspected after {@code T_fd}.
     */
    private final long[] peakGapNs;
    /** When {@link #peakGapNs} last rose or decayed. */
    private final long[] peakGapSinceNs;

    FailureDetector(final int memberCount, final int selfIndex, final long failureTimeoutNs,
        final long maxFailureTimeoutNs)
    {
        this.memberCount = memberCount;
        this.selfIndex = selfIndex;
        this.failureTimeoutNs = failureTimeoutNs;
        this.maxFailureTimeoutNs = maxFailureTimeoutNs;
        lastHeardNs = new long[memberCount];
        rawHeardNs = new long[memberCount];
        peakGapNs = new long[memberCount];
        peakGapSinceNs = new long[memberCount];
    }

    /** At start: every peer counts as alive now (suspected only after a timeout), and heard by nobody yet. */
    void start(final long nowNs)
    {
        for (int i = 0; i < memberCount; i++)
        {
            lastHeardNs[i] = nowNs;
            rawHeardNs[i] = nowNs - failureTimeoutNs - 1;
        }
    }

    /** A frame of {@code sender} while this member listens before entering its first epoch (B1). */
    void heardWhileListening(final int sender, final long nowNs)
    {
        lastHeardNs[sender] = nowNs;
        rawHeardNs[sender] = nowNs;
    }

    /** A valid frame of {@code sender}, of any kind. */
    void heard(final int sender, final long nowNs)
    {
        rawHeardNs[sender] = nowNs;
    }

    /**
     * A sign of life of {@code sender}: a frame that says it hears this member, even one of a stale epoch (a member
     * that
     * can send but not receive is of no use to an epoch, and counting it alive would keep it in one it stalls).
     */
    void signOfLife(final int sender, final long nowNs)
    {
        notePeerGap(sender, nowNs - lastHeardNs[sender], nowNs);
        lastHeardNs[sender] = nowNs;
    }

    /**
     * This member did not run for {@code shiftNs} beyond a heartbeat interval: its peers' frames of that time are still
     * queued for it, so the gap is not their silence (§10.6, own stalls).
     */
    void shift(final long shiftNs, final long nowNs)
    {
        for (int i = 0; i < memberCount; i++)
        {
            lastHeardNs[i] = Math.min(nowNs, lastHeardNs[i] + shiftNs);
            rawHeardNs[i] = Math.min(nowNs, rawHeardNs[i] + shiftNs);
        }
    }

    /** The transport lost member {@code index}'s stream: silent and no longer heard, whatever it was. */
    void streamLost(final int index, final long nowNs)
    {
        lastHeardNs[index] = Math.min(lastHeardNs[index], nowNs - maxFailureTimeoutNs - 1);
        rawHeardNs[index] = Math.min(rawHeardNs[index], nowNs - maxFailureTimeoutNs - 1);
    }

    /**
     * A new stream of member {@code index} (a new process, cold and compiling, or a healed link): alive now, and
     * treated
     * as one that stalls (half the largest timeout) until its signs of life show otherwise: the allowance halves every
     * {@link #PEAK_GAP_DECAY_NS} while they come regularly, so that it is not suspected, and taken back into an epoch,
     * for every stall of its first seconds. Not at this member's own start: a peer that dies early must still be found
     * after {@code T_fd}, or nothing is ordered meanwhile (R5 waits for its promises).
     */
    void streamRenewed(final int index, final long nowNs)
    {
        lastHeardNs[index] = nowNs;
        peakGapNs[index] = maxFailureTimeoutNs / 2;
        peakGapSinceNs[index] = nowNs;
    }

    /** Not heard within its failure timeout by a frame that says it hears this node (R10, §10.6). */
    boolean isSilent(final int index, final long nowNs)
    {
        return index != selfIndex && nowNs - lastHeardNs[index] > timeoutOf(index);
    }

    /** The members this node heard within their failure timeouts, itself included, as a mask over member indexes. */
    int hearsMask(final long nowNs)
    {
        int mask = 1 << selfIndex;
        for (int i = 0; i < memberCount; i++)
        {
            // The adaptive timeout: a peer that stalls now and then stays heard through its stalls (with T_fd, load
            // turned into masks that left warm members out of active sets, and into epochs). A lost stream ends it at
            // once (streamLost), so a member gone deaf does not keep naming peers it no longer receives.
            if (i != selfIndex && nowNs - rawHeardNs[i] <= timeoutOf(i))
            {
                mask |= 1 << i;
            }
        }
        return mask;
    }

    /**
     * R10's timeout for member {@code index}: {@code T_fd}, or twice the largest recent gap between its signs of life
     * when that is longer, at most {@code maxFailureTimeoutNs}. A member that stalls now and then is suspected once,
     * then given the room its stalls need; one that beats regularly and stops is suspected after {@code T_fd}.
     */
    long timeoutOf(final int index)
    {
        return Math.min(maxFailureTimeoutNs, Math.max(failureTimeoutNs, 2 * peakGapNs[index]));
    }

    /**
     * A sign of life of {@code index} came {@code gapNs} after its previous one: keep the largest recent gap, halved
     * every {@link #PEAK_GAP_DECAY_NS} while no larger one comes. A gap beyond the largest timeout is an outage (it was
     * suspected, or it was away), not the irregularity of a live member, and is not kept.
     */
    private void notePeerGap(final int index, final long gapNs, final long nowNs)
    {
        if (gapNs > maxFailureTimeoutNs)
        {
            return;
        }
        if (gapNs >= peakGapNs[index])
        {
            peakGapNs[index] = gapNs;
            peakGapSinceNs[index] = nowNs;
        }
        else if (nowNs - peakGapSinceNs[index] > PEAK_GAP_DECAY_NS)
        {
            peakGapNs[index] = Math.max(gapNs, peakGapNs[index] >> 1);
            peakGapSinceNs[index] = nowNs;
        }
    }
}
