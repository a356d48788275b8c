package io.sequencer.sim;

import io.sequencer.core.ProtocolListener;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the listener tells an operator while nothing visible happens: an epoch change that waits for its decision
 * (which members it hears), a second into it and then every five seconds; a fetch that runs long, once a second.
 */
class OperatorReportsTest
{
    private static final long SECOND = 1_000_000_000L;
    private static final long MILLISECOND = 1_000_000L;

    @Test
    void aMemberWithoutAQuorumSaysWhomItHearsAfterASecondThenEveryFive()
    {
        final ScenarioCluster c = new ScenarioCluster(3);
        final List<long[]> waits = new ArrayList<>();
        c.listeners[0] = new ProtocolListener()
        {
            public void onWaiting(final long epoch, final int heardMask, final long waitedNs)
            {
                waits.add(new long[] { epoch, heardMask, waitedNs, c.nowNs });
            }
        };
        c.start(0); // members 1 and 2 never start: no quorum
        c.runFor(12 * SECOND);
        assertTrue(waits.size() >= 2, waits.size() + " reports in 12 s");
        for (final long[] wait : waits)
        {
            assertEquals(0b001, wait[1], "hears only itself");
            assertTrue(wait[2] >= SECOND, "said after a second without a decision: " + wait[2]);
        }
        for (int i = 1; i < waits.size(); i++)
        {
            // over the epoch changes a lone member goes through: one wait, said every five seconds
            assertTrue(waits.get(i)[3] - waits.get(i - 1)[3] >= 5 * SECOND, "every five seconds");
            assertTrue(waits.get(i)[2] > waits.get(i - 1)[2] + 4 * SECOND, "the same wait, longer");
        }

        waits.clear();
        c.start(1, 2);
        c.runUntil(() -> c.running(0, 1, 2), 5 * SECOND, "running once a quorum starts");
        final int reportsBefore = waits.size();
        c.runFor(10 * SECOND);
        assertEquals(reportsBefore, waits.size(), "nothing said while it runs");
    }

    @Test
    void aLongFetchReportsItsProgressOnceASecond()
    {
        // member 2, far behind, catches up outside the epoch, where a stalled fetch ends nothing
        final ScenarioCluster c = CatchUpScenariosTest.member2DownWhileTheOthersOrder(40_000);

        final List<long[]> progress = new ArrayList<>();
        c.listeners[2] = new ProtocolListener()
        {
            public void onFetchProgress(final long epoch, final int baseOwnerId, final long from,
                final long fetchedTo, final long to)
            {
                progress.add(new long[] { from, fetchedTo, to, c.nowNs });
            }
        };
        c.start(2);
        c.runUntil(() -> c.nodes[2].bootPhase() == io.sequencer.core.protocol.BootPhase.FETCHING &&
            (c.nodes[2].activeMask() & 0b100) == 0 && c.nodes[2].counters().fetchedEntries() > 0, 5 * SECOND,
            "member 2 fetching outside the epoch");
        // the link to the owner slows to 40 ms a round trip (below T_fd: the fetch is slow, not stalled), so the
        // rest of the 40,000 entries take seconds
        final int owner = c.cluster.indexOf(c.nodes[2].baseOwnerId());
        c.linkDelayNs[owner][2] = 20 * MILLISECOND;
        c.linkDelayNs[2][owner] = 20 * MILLISECOND;
        final long slowFrom = c.nowNs;
        c.runUntil(() -> c.nodes[2].bootPhase() != io.sequencer.core.protocol.BootPhase.FETCHING,
            30 * SECOND, "the slow fetch over");
        final long fetchNs = c.nowNs - slowFrom;
        assertTrue(fetchNs > 2 * SECOND, "the fetch took " + fetchNs / MILLISECOND + " ms: too short to report on");
        assertTrue(progress.size() >= fetchNs / SECOND - 1,
            progress.size() + " progress reports in " + fetchNs / MILLISECOND + " ms of fetch");
        for (int i = 0; i < progress.size(); i++)
        {
            final long[] p = progress.get(i);
            assertTrue(p[0] - 1 <= p[1] && p[1] < p[2], "from " + p[0] + ", at " + p[1] + " of " + p[2]);
            if (i > 0 && progress.get(i - 1)[0] == p[0])
            {
                assertTrue(p[1] >= progress.get(i - 1)[1], "progress does not go back");
                assertTrue(p[3] - progress.get(i - 1)[3] >= SECOND, "once a second");
            }
        }
        c.linkDelayNs[owner][2] = ScenarioCluster.DEFAULT_LINK_DELAY_NS;
        c.linkDelayNs[2][owner] = ScenarioCluster.DEFAULT_LINK_DELAY_NS;
        c.runUntil(() -> c.running(0, 1, 2) && c.identical(0, 1, 2), 60 * SECOND, "member 2 caught up");
    }

    @Test
    void backPressuredSubmitsAreReportedOnceASecondWhileTheyHappen()
    {
        final ScenarioCluster c = new ScenarioCluster(3);
        final List<long[]> overloads = new ArrayList<>();
        c.listeners[0] = new ProtocolListener()
        {
            public void onOverload(final long epoch, final long refused, final long overNs, final int inFlight,
                final int pending)
            {
                overloads.add(new long[] { refused, overNs, inFlight, c.nowNs });
            }
        };
        c.start(0, 1, 2).runUntil(() -> c.running(0, 1, 2), SECOND, "running");
        c.runFor(2 * SECOND);
        assertEquals(0, overloads.size(), "nothing said without overload");

        int refused = 0;
        for (int k = 0; k < io.sequencer.core.ProtocolContext.DEFAULT_MAX_IN_FLIGHT + 100; k++)
        {
            if (c.submit(0) == io.sequencer.core.SubmitStatus.BACK_PRESSURED)
            {
                refused++; // more own events than may be in flight, in one instant
            }
        }
        assertTrue(refused >= 100, refused + " refused");
        c.runFor(3 * SECOND);
        assertEquals(1, overloads.size(), "said once: the refusals happened once");
        assertEquals(refused, overloads.get(0)[0], "every back-pressured submit counted");
        assertTrue(overloads.get(0)[1] <= SECOND + ScenarioCluster.STEP_NS, "over the last second at most");
    }
}
