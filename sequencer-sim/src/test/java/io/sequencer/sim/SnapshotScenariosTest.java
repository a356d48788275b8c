package io.sequencer.sim;

import io.sequencer.core.SnapshotReader;
import io.sequencer.core.SnapshotWriter;
import io.sequencer.core.StateMachine;
import io.sequencer.core.SubmitStatus;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checkpoints written by the snapshot thread, off the duty cycle (docs/protocol.md §5): only of committed entries, the
 * state the duty cycle would have built, loaded by a rebuild; and a snapshot thread that writes another state is
 * caught by the checker.
 */
class SnapshotScenariosTest
{
    private static final long MILLISECOND = 1_000_000L;
    private static final long SECOND = 1_000 * MILLISECOND;

    @Test
    void checkpointsAreOfCommittedEntriesOnlyAndARestartedMemberLoadsOne()
    {
        final ScenarioCluster c = new ScenarioCluster(3);
        c.start(0, 1, 2).runUntil(() -> c.running(0, 1, 2), SECOND, "running");
        // more than a restart replays without a checkpoint (256 entries short of the log's end)
        for (int k = 0; k < 4_400; k++)
        {
            submit(c, k % 3, 1 + k % 7);
            for (int m = 0; m < 3; m++)
            {
                final long newest = c.checkpoints[m].latestAtOrBelow(Long.MAX_VALUE);
                assertTrue(newest <= c.nodes[m].guaranteed(), "member " + m + " has a checkpoint at " + newest +
                    " above its g " + c.nodes[m].guaranteed());
            }
        }
        c.runUntil(() -> c.checker.allAcked(), SECOND, "acknowledged");
        for (int m = 0; m < 3; m++)
        {
            assertTrue(c.snapshotters[m].checkpointsTaken() > 1_000, "member " + m + " wrote " +
                c.snapshotters[m].checkpointsTaken() + " checkpoints");
            assertEquals(0, c.snapshotters[m].failures());
        }
        // an operator's requests with nothing new committed: served by a checkpoint at the last position, twice
        final long last = c.nodes[0].guaranteed();
        final long first = c.snapshotters[0].requestSnapshot();
        c.runFor(MILLISECOND);
        assertEquals(first, c.snapshotters[0].requestsServed());
        assertEquals(last, c.snapshotters[0].servedAt());
        assertEquals(last, c.checkpoints[0].latestAtOrBelow(Long.MAX_VALUE));
        final long second = c.snapshotters[0].requestSnapshot();
        c.runFor(MILLISECOND);
        assertEquals(second, c.snapshotters[0].requestsServed(), "served by the checkpoint already there");
        assertEquals(last, c.snapshotters[0].servedAt());

        c.crash(2).start(2);
        c.runUntil(() -> c.running(0, 1, 2) && c.identical(0, 1, 2), 5 * SECOND, "member 2 back");
        assertTrue(c.nodes[2].counters().checkpointsLoaded() > 0, "member 2 rebuilt from a checkpoint");
        assertEquals(0, c.nodes[2].counters().checkpointsSkipped());
        assertNull(c.checker.quiescenceProblem(c.ledgers));
    }

    @Test
    void theCheckerCatchesASnapshotThreadThatWritesAnotherState()
    {
        // member 2's snapshot thread writes its ledger with one unit more on account 0: a member rebuilt from such a
        // checkpoint holds a state no log gives
        final ScenarioCluster c = new ScenarioCluster(3);
        c.snapshotTamper[2] = machine -> new OneUnitMore(machine);
        c.start(0, 1, 2).runUntil(() -> c.running(0, 1, 2), SECOND, "running");
        String problem = null;
        try
        {
            for (int k = 0; k < 4_400; k++)
            {
                submit(c, k % 2, 1 + k % 7);
            }
            c.runUntil(() -> c.checker.allAcked(), SECOND, "acknowledged");
            c.crash(2).start(2);
            c.runUntil(() -> c.running(0, 1, 2), 5 * SECOND, "member 2 back");
            for (int k = 0; k < 50; k++)
            {
                submit(c, 2, 1);
            }
            c.runFor(20 * MILLISECOND);
            problem = c.checker.quiescenceProblem(c.ledgers);
        }
        catch (final AssertionError violation)
        {
            problem = c.checker.violation();
        }
        assertNotNull(problem, "a member rebuilt from a checkpoint of another state went unseen");
        assertTrue(problem.startsWith("I5") || problem.contains("result"), problem);
    }

    private static void submit(final ScenarioCluster c, final int member, final long amount)
    {
        while (c.submit(member, amount) != SubmitStatus.ACCEPTED)
        {
            c.runFor(ScenarioCluster.STEP_NS);
        }
        c.runFor(ScenarioCluster.STEP_NS);
    }

    /** A state machine whose snapshots hold one unit more on account 0 than its state. */
    static final class OneUnitMore implements StateMachine
    {
        private final StateMachine machine;

        OneUnitMore(final StateMachine machine)
        {
            this.machine = machine;
        }

        public int apply(final long position, final DirectBuffer event, final int offset, final int length,
            final MutableDirectBuffer result, final int resultOffset)
        {
            return machine.apply(position, event, offset, length, result, resultOffset);
        }

        public void onStart(final io.sequencer.core.ClusterClock clock)
        {
            machine.onStart(clock);
        }

        public void onTimer(final long position, final long timerId, final long deadlineNs)
        {
            machine.onTimer(position, timerId, deadlineNs);
        }

        public void reset()
        {
            machine.reset();
        }

        public void snapshot(final SnapshotWriter out)
        {
            final SnapshotWriter tampered = new SnapshotWriter()
            {
                private boolean first = true;

                public void write(final DirectBuffer source, final int offset, final int length)
                {
                    out.write(source, offset, length);
                }

                public void writeLong(final long value)
                {
                    out.writeLong(first ? value + 1 : value);
                    first = false;
                }

                public void writeInt(final int value)
                {
                    out.writeInt(value);
                }

                public void writeByte(final byte value)
                {
                    out.writeByte(value);
                }
            };
            machine.snapshot(tampered);
        }

        public void restore(final SnapshotReader in)
        {
            machine.restore(in);
        }
    }
}
