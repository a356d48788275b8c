package io.sequencer.sim;

import io.sequencer.core.SubmitStatus;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retention and snapshot transfer (docs/protocol.md §13): members discard the log below their checkpoints, and a
 * member that comes back needing entries no peer holds any more receives a snapshot, checked whole, then the log from
 * the sender's base; a damaged one is reported and another offered; and the checker sees a transferred snapshot of
 * another state.
 */
class SnapshotTransferScenariosTest
{
    private static final long MILLISECOND = 1_000_000L;
    private static final long SECOND = 1_000 * MILLISECOND;

    @Test
    void aMemberAwayLongerThanRetentionComesBackBySnapshotTransfer()
    {
        final ScenarioCluster c = retaining(new ScenarioCluster(3));
        c.start(0, 1, 2).runUntil(() -> c.running(0, 1, 2), SECOND, "running");
        submitMany(c, 20, 0, 1, 2);
        away(c, 2, 400);
        final long have2 = c.logs[2].have();
        assertTrue(c.logs[0].base() > have2 && c.logs[1].base() > have2,
            "retention moved both logs' bases past member 2's end " + have2 + ": " + c.logs[0].base() + ", " +
            c.logs[1].base());

        c.start(2).runUntil(() -> c.running(0, 1, 2) && c.identical(0, 1, 2), 5 * SECOND, "member 2 back");

        assertTrue(c.nodes[2].counters().snapshotsInstalled() >= 1, "member 2 came back by a snapshot");
        assertTrue(c.logs[2].base() > have2, "its log starts at the sender's base " + c.logs[2].base());
        submitMany(c, 30, 2);
        c.runUntil(() -> c.checker.allAcked(), SECOND, "acknowledged");
        assertNull(c.checker.quiescenceProblem(c.ledgers));
        assertEquals(c.ledgers[0].digest(), c.ledgers[2].digest());
    }

    @Test
    void aWipedMemberComesBackBySnapshotTransfer()
    {
        final ScenarioCluster c = retaining(new ScenarioCluster(3));
        c.start(0, 1, 2).runUntil(() -> c.running(0, 1, 2), SECOND, "running");
        submitMany(c, 300, 0, 1, 2);
        c.crash(2).wipe(2).start(2);
        c.runUntil(() -> c.running(0, 1, 2) && c.identical(0, 1, 2), 5 * SECOND, "member 2 back");

        assertTrue(c.nodes[2].counters().snapshotsInstalled() >= 1, "the wiped member took a snapshot");
        assertTrue(c.logs[2].base() > 0);
        submitMany(c, 30, 0, 1, 2);
        c.runUntil(() -> c.checker.allAcked(), SECOND, "acknowledged");
        assertNull(c.checker.quiescenceProblem(c.ledgers));
    }

    @Test
    void aDamagedSnapshotIsReportedAndAnotherOneOffered()
    {
        final ScenarioCluster c = retaining(new ScenarioCluster(3));
        c.start(0, 1, 2).runUntil(() -> c.running(0, 1, 2), SECOND, "running");
        submitMany(c, 10, 0, 1, 2);
        away(c, 2, 300);
        for (int m = 0; m < 2; m++)
        {
            c.checkpoints[m].damage(c.checkpoints[m].latestAtOrBelow(Long.MAX_VALUE)); // whichever is the base
        }

        c.start(2).runUntil(() -> c.running(0, 1, 2) && c.identical(0, 1, 2), 5 * SECOND, "member 2 back");

        assertTrue(c.nodes[2].counters().snapshotsRejected() >= 1, "the damaged snapshot was refused");
        assertTrue(c.nodes[2].counters().snapshotsInstalled() >= 1, "another one was installed");
        assertTrue(c.recoveredFaults.stream().anyMatch(f -> f.contains("fails its check")),
            c.recoveredFaults.toString());
        assertTrue(c.recoveredFaults.stream().anyMatch(f -> f.contains("no longer offered")),
            c.recoveredFaults.toString());
        submitMany(c, 20, 2);
        c.runUntil(() -> c.checker.allAcked(), SECOND, "acknowledged");
        assertNull(c.checker.quiescenceProblem(c.ledgers));
    }

    @Test
    void aMemberThatLostItsCheckpointsWritesOneOfItsLiveStateUnderLoad()
    {
        final ScenarioCluster c = retaining(new ScenarioCluster(3));
        c.start(0, 1, 2).runUntil(() -> c.running(0, 1, 2), SECOND, "running");
        submitMany(c, 200, 0, 1, 2);
        assertTrue(c.logs[0].base() > 0, "retention ran");
        c.checkpoints[0].wipe();
        c.snapshotters[0].close(); // it starts again (as after a failure): nothing to start from above the log's base
        final long taken = c.snapshotters[0].checkpointsTaken();

        for (int step = 0; step < 2_000; step++) // a load under which g trails have in every duty cycle
        {
            for (int m = 0; m < 3; m++)
            {
                c.submit(m, 1);
                c.submit(m, 2);
            }
            c.runFor(ScenarioCluster.STEP_NS);
        }
        assertTrue(c.nodes[0].counters().checkpointsOnDutyCycle() >= 1, "the duty cycle wrote one of its state");
        assertTrue(c.recoveredFaults.stream().anyMatch(f -> f.contains("wrote one of its state")),
            c.recoveredFaults.toString());

        c.runFor(SECOND + 100 * MILLISECOND); // the snapshot thread tries again a second after its failure
        submitMany(c, 100, 0, 1, 2);
        assertTrue(c.snapshotters[0].checkpointsTaken() > taken, "the snapshot thread goes on from it");
        assertTrue(c.checkpoints[0].latestAtOrBelow(Long.MAX_VALUE) >= c.logs[0].base());
        c.runUntil(() -> c.checker.allAcked(), SECOND, "acknowledged");
        assertNull(c.checker.quiescenceProblem(c.ledgers));
    }

    @Test
    void theCheckerCatchesATransferredSnapshotOfAnotherState()
    {
        // the snapshot threads of members 0 and 1 write their ledger with one unit more on account 0: the member that
        // installs such a snapshot holds a state no log gives
        final ScenarioCluster c = retaining(new ScenarioCluster(3));
        c.snapshotTamper[0] = SnapshotScenariosTest.OneUnitMore::new;
        c.snapshotTamper[1] = SnapshotScenariosTest.OneUnitMore::new;
        String problem = null;
        try
        {
            c.start(0, 1, 2).runUntil(() -> c.running(0, 1, 2), SECOND, "running");
            submitMany(c, 10, 0, 1, 2);
            away(c, 2, 300);
            c.start(2).runUntil(() -> c.running(0, 1, 2) && c.identical(0, 1, 2), 5 * SECOND, "member 2 back");
            submitMany(c, 20, 2);
            c.runUntil(() -> c.checker.allAcked(), SECOND, "acknowledged");
            problem = c.checker.quiescenceProblem(c.ledgers);
        }
        catch (final AssertionError violation)
        {
            problem = c.checker.violation();
        }
        assertNotNull(problem, "a member that installed a snapshot of another state went unseen");
        assertTrue(problem.startsWith("I5"), problem);
    }

    /**
     * Crash {@code member}, let the others move on to an epoch without it and order {@code events} there, all of them
     * durable and the snapshot threads caught up.
     */
    private static void away(final ScenarioCluster c, final int member, final int events)
    {
        final long epoch = c.nodes[0].currentEpoch();
        c.crash(member);
        c.runUntil(() -> c.nodes[0].currentEpoch() > epoch && c.running(0, 1), SECOND, "an epoch without " + member);
        submitMany(c, events, 0, 1);
        final long end = c.logs[0].have();
        c.runUntil(() -> c.nodes[0].guaranteed() >= end && c.nodes[1].guaranteed() >= end, SECOND, "durable");
        c.runFor(20 * MILLISECOND); // the snapshot threads catch up with the last entries
    }

    /** Checkpoints every 16 positions, the log kept 8 entries below the oldest of the 3 kept. */
    private static ScenarioCluster retaining(final ScenarioCluster c)
    {
        c.checkpointInterval = 16;
        c.retainedEntries = 8;
        return c;
    }

    private static void submitMany(final ScenarioCluster c, final int count, final int... members)
    {
        for (int k = 0; k < count; k++)
        {
            final int member = members[k % members.length];
            while (c.submit(member, 1 + k % 7) != SubmitStatus.ACCEPTED)
            {
                c.runFor(ScenarioCluster.STEP_NS);
            }
            c.runFor(ScenarioCluster.STEP_NS);
        }
    }
}
