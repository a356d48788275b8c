package io.sequencer.sim;

import io.sequencer.core.LogEntry;
import io.sequencer.core.SubmitStatus;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/protocol.md §13: a member whose own events the others ordered and made durable while it could not hear them,
 * and which comes back needing a snapshot because the others' retention discarded the entries it lacks, finds its
 * events covered by the snapshot it installs. They were applied on the member that wrote the snapshot, so their
 * results are unknown here: each completes once, acknowledged without a result, none is lost and none is ordered
 * again. Those below the log's base complete without a position (SnapshotReceiving.restoreInstalled, and
 * CatchUp.onEntries for those before an own event it fetches); those between the base and the snapshot's position
 * complete at their position when catch-up brings them in (CatchUp.onEntries, "covered by the installed snapshot").
 */
class OwnEventsBelowSnapshotScenariosTest
{
    private static final long MILLISECOND = 1_000_000L;
    private static final long SECOND = 1_000 * MILLISECOND;

    /** Member 2's events reach the others and member 2 stops (a long pause) before it hears them ordered. */
    @Test
    void ownEventsBelowTheInstalledSnapshotsBaseAreAcknowledgedOnceWithoutAResult()
    {
        final ScenarioCluster c = running();
        final int ackedBefore = c.acknowledged[2].size();
        final int own = 5;
        for (int k = 0; k < own; k++)
        {
            assertEquals(SubmitStatus.ACCEPTED, c.submit(2));
        }
        c.pause(2, 400 * MILLISECOND);
        final long h = c.logs[2].have();
        final long epoch = c.nodes[0].currentEpoch();
        c.runUntil(() -> c.nodes[0].currentEpoch() > epoch && c.running(0, 1), SECOND, "an epoch without member 2");
        final List<Long> positions = ownPositions(c, h);
        assertEquals(own, positions.size(), "the others ordered member 2's events: " + positions);
        c.submitMany(300, 0, 1);
        durable(c);
        final long base = Math.min(c.logs[0].base(), c.logs[1].base());
        assertTrue(base >= positions.get(own - 1), "retention discarded them on both: base " + base + ", " + positions);
        assertEquals(ackedBefore, c.acknowledged[2].size(), "member 2 heard nothing of them");

        c.runUntil(() -> c.running(0, 1, 2) && c.identical(0, 1, 2) && c.checker.allAcked(), 5 * SECOND,
            "member 2 back, every event acknowledged");

        assertEquals(1, c.nodes[2].counters().snapshotsInstalled(), "member 2 came back by a snapshot");
        assertEquals(own, c.checker.resultsUnknown(), "its events were acknowledged without a result");
        final List<Long> acked = c.acknowledged[2].subList(ackedBefore, c.acknowledged[2].size());
        assertEquals(List.of(0L, 0L, 0L, 0L, 0L), acked, "once each, without a position (below the log's base)");
        assertEquals(0, c.nodes[2].counters().resubmitted(), "none was ordered again");
        c.assertQuiescentAndEqual();
    }

    /**
     * Member 2 hears nothing for a while (a one-way cut) but the others hear it: they order its events among theirs,
     * and member 2 stops (a long pause) before it hears of them. Retention moves the others' log base just past the end
     * of member 2's log, so the snapshot it installs covers its events on both sides of the owner's log base.
     */
    @Test
    void ownEventsOnBothSidesOfTheInstalledSnapshotsLogBaseAreAcknowledgedOnce()
    {
        final ScenarioCluster c = running();
        final int ackedBefore = c.acknowledged[2].size();
        c.cutOneWay(0, 2, true).cutOneWay(1, 2, true);
        int own = 0;
        for (int k = 0; k < 30; k++)
        {
            if (k % 3 == 2)
            {
                assertEquals(SubmitStatus.ACCEPTED, c.submit(2));
                own++;
            }
            c.submitMany(1, k % 2);
        }
        c.pause(2, 400 * MILLISECOND);
        c.cutOneWay(0, 2, false).cutOneWay(1, 2, false);
        final long h = c.logs[2].have();
        final long epoch = c.nodes[0].currentEpoch();
        c.runUntil(() -> c.nodes[0].currentEpoch() > epoch && c.running(0, 1), SECOND, "an epoch without member 2");
        final List<Long> positions = ownPositions(c, h);
        assertEquals(own, positions.size(), "the others ordered member 2's events: " + positions);
        int k = 0;
        while (c.logs[0].base() <= h || c.logs[1].base() <= h)
        {
            c.submitMany(1, k++ % 2); // until member 2 needs a snapshot from either
            assertTrue(k < 1_000, "retention never passed member 2's log end " + h);
        }
        durable(c);
        final long base = Math.max(c.logs[0].base(), c.logs[1].base());
        final long newest = Math.min(c.checkpoints[0].latestAtOrBelow(Long.MAX_VALUE),
            c.checkpoints[1].latestAtOrBelow(Long.MAX_VALUE));
        final long below = positions.stream().filter(p -> p <= Math.min(c.logs[0].base(), c.logs[1].base())).count();
        assertTrue(below >= 1 && positions.get(own - 1) > base && positions.get(own - 1) <= newest,
            "member 2's events " + positions + " lie on both sides of the log bases " + c.logs[0].base() + ", " +
            c.logs[1].base() + " and below the newest checkpoint " + newest);

        c.runUntil(() -> c.running(0, 1, 2) && c.identical(0, 1, 2) && c.checker.allAcked(), 5 * SECOND,
            "member 2 back, every event acknowledged");

        assertEquals(1, c.nodes[2].counters().snapshotsInstalled(), "member 2 came back by a snapshot");
        assertEquals(own, c.checker.resultsUnknown(), "its events were acknowledged without a result");
        final List<Long> acked = c.acknowledged[2].subList(ackedBefore, c.acknowledged[2].size());
        assertEquals(own, acked.size(), "once each: " + acked);
        for (int i = 0; i < own; i++)
        {
            // in submission order: those below the installed log's base without a position, then the others at theirs
            final long at = acked.get(i);
            assertTrue(at == 0 && (i == 0 || acked.get(i - 1) == 0) || at == positions.get(i),
                "event " + i + " at " + positions.get(i) + ": " + acked);
        }
        assertTrue(acked.get(0) == 0 && acked.get(own - 1) > 0, "on both sides of the base: " + acked);
        assertEquals(0, c.nodes[2].counters().resubmitted(), "none was ordered again");
        c.assertQuiescentAndEqual();
    }

    /** Three members running with retention (checkpoints every 16, 8 entries kept below the oldest of 3). */
    private static ScenarioCluster running()
    {
        final ScenarioCluster c = new ScenarioCluster(3);
        c.checkpointInterval = 16;
        c.retainedEntries = 8;
        c.start(0, 1, 2).runUntil(() -> c.running(0, 1, 2), SECOND, "running");
        c.submitMany(20, 0, 1, 2);
        c.runUntil(() -> c.checker.allAcked(), SECOND, "acknowledged");
        return c;
    }

    /** The positions of member 2's events above {@code from} in member 0's log. */
    private static List<Long> ownPositions(final ScenarioCluster c, final long from)
    {
        final List<Long> positions = new ArrayList<>();
        final LogEntry entry = new LogEntry();
        for (long p = from + 1; p <= c.logs[0].have(); p++)
        {
            if (c.logs[0].read(p, entry) && entry.originId() == c.cluster.memberId(2))
            {
                positions.add(p);
            }
        }
        return positions;
    }

    /** Members 0 and 1 hold every entry durable, and their snapshot threads caught up. */
    private static void durable(final ScenarioCluster c)
    {
        final long end = c.logs[0].have();
        c.runUntil(() -> c.nodes[0].guaranteed() >= end && c.nodes[1].guaranteed() >= end, SECOND, "durable");
        c.runFor(20 * MILLISECOND);
    }
}
