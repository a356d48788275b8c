package io.sequencer.sim;

import io.sequencer.core.ClusterClock;
import io.sequencer.core.EntryType;
import io.sequencer.core.LogEntry;
import io.sequencer.core.SubmitStatus;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/protocol.md §12 on three members: the ledger's sweeps are timers; a quiet cluster fires them through ticks, at
 * one position on every member, and a member rebuilt from a checkpoint fires the same ones.
 */
final class ClusterTimeScenariosTest
{
    private static final long MILLISECOND = 1_000_000;
    private static final long SECOND = 1_000 * MILLISECOND;

    /** A transfer of 16 from member 0 to account 3 arms a sweep of account 3, 1.6 ms of cluster time later. */
    private static ScenarioCluster runningWithASweepArmed()
    {
        final ScenarioCluster c = new ScenarioCluster(3);
        c.clockSkewNs[1] = -3 * MILLISECOND; // clocks disagree: the cluster time is the largest entry time
        c.clockSkewNs[2] = 2 * MILLISECOND;
        c.start(0, 1, 2).runUntil(() -> c.running(0, 1, 2), SECOND, "running");
        assertEquals(SubmitStatus.ACCEPTED, c.submit(0, 2 * AccountLedger.SWEEP_MULTIPLE));
        c.runUntil(() -> c.checker.allAcked(), SECOND, "the transfer acknowledged");
        return c;
    }

    @Test
    void aQuietClusterFiresADueTimerThroughATickAtOnePositionOnEveryMember()
    {
        final ScenarioCluster c = runningWithASweepArmed();
        final long armedAt = c.logs[0].have();
        final long before = c.ledgers[0].balance(3);
        final long nextBefore = c.ledgers[0].balance(4);

        c.runFor(20 * MILLISECOND); // nothing is submitted: only a tick can move the time
        assertTrue(c.identical(0, 1, 2), c.state());
        for (int m = 0; m < 3; m++)
        {
            assertEquals(before - 1, c.ledgers[m].balance(3), "the sweep ran on member " + m);
            assertEquals(nextBefore + 1, c.ledgers[m].balance(4), "and paid the next account on member " + m);
        }
        int ticks = 0;
        long firedAt = -1;
        long maxTime = 0;
        for (long p = armedAt + 1; p <= c.logs[0].have(); p++)
        {
            final LogEntry entry = c.entry(0, p);
            if (entry.type() == EntryType.TICK)
            {
                ticks++;
                if (firedAt < 0 && Math.max(maxTime, entry.timestamp()) >= c.entry(0, armedAt).timestamp() +
                    2 * AccountLedger.SWEEP_MULTIPLE * AccountLedger.SWEEP_DELAY_NS_PER_UNIT)
                {
                    firedAt = p;
                }
            }
            maxTime = Math.max(maxTime, entry.timestamp());
        }
        assertTrue(ticks >= 1 && ticks <= 3, ticks + " ticks for one due timer: members take turns, not all at once");
        assertTrue(firedAt > armedAt, "a tick reached the deadline");
        long fired = 0;
        for (int m = 0; m < 3; m++)
        {
            fired += c.nodes[m].counters().timersFired();
        }
        assertEquals(3, fired, "one firing per member");
    }

    @Test
    void aMemberRebuiltFromACheckpointFiresTheTimersItHeld()
    {
        final ScenarioCluster c = runningWithASweepArmed();
        // more transfers than a restart replays without a checkpoint (256 short of the log's end), a third of them
        // arming or moving sweeps; a checkpoint every 4 positions here, so member 2 restarts from one taken with sweeps
        // armed
        for (int k = 0; k < 4_400; k++)
        {
            while (c.submit(k % 2, k % 3 == 0 ? AccountLedger.SWEEP_MULTIPLE * (1 + k % 5) : 1 + k % 7) !=
                SubmitStatus.ACCEPTED)
            {
                c.runFor(ScenarioCluster.STEP_NS);
            }
            if (k % 16 == 15)
            {
                c.runFor(ScenarioCluster.STEP_NS);
            }
        }
        c.runUntil(() -> c.checker.allAcked(), SECOND, "acknowledged");
        c.crash(2).start(2);
        c.runUntil(() -> c.running(0, 1, 2) && c.identical(0, 1, 2), 5 * SECOND, "member 2 back");
        c.runFor(50 * MILLISECOND); // every sweep due by now
        assertTrue(c.identical(0, 1, 2), c.state());
        assertTrue(c.nodes[2].counters().checkpointsLoaded() > 0, "member 2 started from a checkpoint: " +
            c.nodes[2].counters().checkpointsLoaded() + " loaded, " + c.nodes[2].counters().checkpointsSkipped() +
            " skipped, " + c.nodes[2].counters().replayed() + " replayed, log " + c.logs[2].have());
        assertNull(c.checker.quiescenceProblem(c.ledgers));
        assertEquals(c.ledgers[0].digest(), c.ledgers[2].digest());
    }

    @Test
    void theCheckerCatchesAMemberWhoseTimersFireElsewhere()
    {
        // member 1's ledger is handed a clock that arms every timer 1 ms early: its sweeps run at other positions
        final ScenarioCluster c = new ScenarioCluster(3);
        c.clockTamper[1] = clock -> new ClusterClock()
        {
            public long time()
            {
                return clock.time();
            }

            public void scheduleTimer(final long timerId, final long deadlineNs)
            {
                clock.scheduleTimer(timerId, deadlineNs - MILLISECOND);
            }

            public boolean cancelTimer(final long timerId)
            {
                return clock.cancelTimer(timerId);
            }
        };
        c.start(0, 1, 2).runUntil(() -> c.running(0, 1, 2), SECOND, "running");
        String problem = null;
        try
        {
            for (int k = 0; k < 40; k++)
            {
                c.submit(k % 3, k % 2 == 0 ? 2 * AccountLedger.SWEEP_MULTIPLE : 1);
                c.runFor(300_000);
            }
            c.runFor(20 * MILLISECOND);
            problem = c.checker.quiescenceProblem(c.ledgers);
        }
        catch (final AssertionError violation)
        {
            problem = c.checker.violation(); // a step stops the scenario on the first violation
        }
        assertNotNull(problem, "a timer fired at another position on one member went unseen");
        assertTrue(problem.startsWith("I5") || problem.startsWith("I10") || problem.contains("result"), problem);
    }
}
