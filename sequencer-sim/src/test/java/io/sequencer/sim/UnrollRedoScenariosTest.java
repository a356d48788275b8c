package io.sequencer.sim;

import io.sequencer.core.EntryType;
import io.sequencer.core.EventLog;
import io.sequencer.core.SubmitStatus;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/protocol.md §5 and §6 ("Durability and intactness"): an unroll records its intent in the node store before it
 * cuts the checkpoints and the log, and clears it after. A process that dies inside the cut finds the intent at its
 * next start and finishes the cut before anything else, so its log is never seen holding a tail an epoch decided to
 * cut. The simulator's trap {@code INSIDE_UNROLL} fires at random and almost never while an unroll runs (an unroll
 * mostly runs in a process just restarted, and a crash disarms the trap), so this scenario sets it where it counts.
 */
class UnrollRedoScenariosTest
{
    private static final long SECOND = 1_000_000_000L;

    /**
     * Member 2 wrote X at #6 in epoch 1, never durable; members 0 and 1 wrote EpochStart(2) at #6 and Y at #7, which
     * is durable on them. Member 2 must unroll X to align to the base, and dies inside that unroll.
     */
    @Test
    void aCrashInsideAnUnrollIsFinishedAtTheNextStartBeforeAnythingElse()
    {
        final ScenarioCluster c = ScenarioCluster.memberTwoDivergesAtSix();
        final long x = c.chkAt(2, 6);
        final long y = c.chkAt(0, 7);
        c.logTamper[2] = CrashInsideUnroll::new;

        c.start(0, 1, 2).runUntil(() -> c.nodes[2] == null, 3 * SECOND, "member 2 dies inside its unroll");

        assertEquals(1, c.trapsFired.size(), c.trapsFired.toString());
        assertTrue(c.trapsFired.get(0).contains("inside unrollTo(5)"), c.trapsFired.toString());
        assertEquals(5, c.stores[2].unrollIntent(), "the intent to cut to 5 was recorded before the cut");
        assertEquals(6, c.logs[2].have(), "and the log is not cut yet");
        assertEquals(x, c.chkAt(2, 6), "X is still there");

        c.logTamper[2] = log -> log;
        c.start(2); // its start, before any duty cycle or frame

        assertEquals(1, c.nodes[2].counters().unrollsRedone(), "the interrupted unroll was redone at start");
        assertEquals(5, c.logs[2].have(), "the log is cut to the agreed position at once");
        assertEquals(-1, c.stores[2].unrollIntent(), "and the intent is cleared");
        assertTrue(c.nodes[2].isIntact(), "a finished cut is no loss: member 2 stays intact");
        assertEquals(0, c.nodes[2].counters().lossesFoundAtStart());
        assertTrue(c.recoveredFaults.isEmpty(), c.recoveredFaults.toString());

        c.runUntil(() -> c.running(0, 1, 2) && c.identical(0, 1, 2), 3 * SECOND, "all three running, one log");
        assertTrue(c.nodes[2].isIntact());
        assertEquals(EntryType.EPOCH_START, c.entry(2, 6).type(), "EpochStart(2) where X was");
        assertEquals(y, c.chkAt(2, 7), "member 2 holds Y");
        for (int k = 0; k < 30; k++)
        {
            assertEquals(SubmitStatus.ACCEPTED, c.submit(k % 3));
            c.runFor(ScenarioCluster.STEP_NS);
        }
        c.runUntil(() -> c.checker.allAcked() && c.identical(0, 1, 2), SECOND, "acknowledged, one log");
        for (int m = 0; m < 3; m++)
        {
            assertEquals(10, c.acknowledged[m].size(), "member " + m + " acknowledged each of its events once");
        }
        assertNull(c.checker.violation());
        assertNull(c.checker.quiescenceProblem(c.ledgers));
        assertEquals(c.ledgers[0].digest(), c.ledgers[2].digest(), "one state");
        assertEquals(c.ledgers[1].digest(), c.ledgers[2].digest(), "one state");

        // a later start finds no intent left: nothing is cut again, though the log now holds acknowledged entries
        final long have = c.logs[2].have();
        c.crash(2).start(2);
        assertEquals(0, c.nodes[2].counters().unrollsRedone(), "no unroll to redo");
        assertEquals(have, c.logs[2].have(), "nothing cut at start");
        c.runUntil(() -> c.running(0, 1, 2) && c.identical(0, 1, 2), 3 * SECOND, "member 2 back");
        assertTrue(c.nodes[2].isIntact());
        assertNull(c.checker.violation());
    }

    /** A log whose next {@link EventLog#unrollTo} kills the process before it cuts anything (SimDisk's trap). */
    static final class CrashInsideUnroll extends ForwardingEventLog
    {
        private boolean armed = true;

        CrashInsideUnroll(final EventLog log)
        {
            super(log);
        }

        public void unrollTo(final long position, final long floor)
        {
            if (armed)
            {
                armed = false;
                throw new SimulatedCrash("inside unrollTo(" + position + ") with " + log.have() + " entries");
            }
            log.unrollTo(position, floor);
        }
    }
}
