package io.sequencer.sim;

import io.sequencer.core.EntryType;
import io.sequencer.core.NodeMode;
import io.sequencer.core.SubmitStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Directed scenarios: the design note's example and one regression per trace of docs/protocol.md §9
 * ("Where this departs from the design note"). Members are numbered 1..3 in the note and 0..2 here. Each scenario ends
 * running, with the cut §9 prescribes, and with no acknowledged event lost; where a deliberately broken variant exists,
 * the same scenario shows it losing.
 */
class RecoveryScenariosTest
{
    private static final long SECOND = 1_000_000_000L;
    private static final int ALL = 0b111;

    /**
     * The note's members {@code 4 7}, {@code 4 6}, {@code 2 5} ({@code g have}): one epoch-1 log of 7 entries, of
     * which member 0 holds 7, member 1 holds 6 and member 2 holds 5.
     */
    private static ScenarioCluster noteExample(final long g0, final EnumSet<ProtocolDefect> defects)
    {
        final ScenarioCluster c = new ScenarioCluster(3, defects);
        c.epochStart(1, ALL, 0, 1, 2);
        c.event(1, 1, 0, 1, 0, 1, 2);
        c.event(1, 2, 1, 1, 0, 1, 2);
        c.event(1, 3, 2, 1, 0, 1, 2);
        c.event(1, 4, 0, 2, 0, 1, 2);
        c.event(1, 5, 1, 2, 0, 1);
        c.event(1, 6, 2, 2, 0);
        c.persisted(0, 1, g0).persisted(1, 1, 4).persisted(2, 1, 2);
        return c;
    }

    private static int[] members(final String subset)
    {
        return subset.chars().map(ch -> ch - '1').toArray();
    }

    @ParameterizedTest(name = "members {0} boot: the cut is {1}")
    @CsvSource({ "12, 7", "13, 7", "23, 6", "123, 7" })
    void noteExampleEndsRunningWithTheCutOfSection9(final String subset, final long expectedN)
    {
        final ScenarioCluster c = noteExample(4, EnumSet.noneOf(ProtocolDefect.class));
        final long[] original = new long[8];
        for (int p = 1; p <= 7; p++)
        {
            original[p] = c.chkAt(0, p);
        }
        final int[] booting = members(subset);
        c.start(booting).runUntil(() -> c.running(booting), 3 * SECOND, "members " + subset + " running");

        for (final int m : booting)
        {
            assertEquals(expectedN, c.decidedN(m), "the cut for " + subset);
            assertEquals(original[(int)expectedN], c.chkAt(m, expectedN), "the base's entries, fetched if missing");
        }
        assertTrue(c.identical(booting), "one log");

        // Whoever was left out catches up and joins.
        for (int m = 0; m < 3; m++)
        {
            if (c.nodes[m] == null)
            {
                c.start(m);
            }
        }
        c.runUntil(() -> c.running(0, 1, 2) && c.identical(0, 1, 2), 3 * SECOND, "all three running");
        for (int p = 1; p <= expectedN; p++)
        {
            assertEquals(original[p], c.chkAt(2, p), "position " + p + " kept");
        }
    }

    /** §9.8: the note's member 3 ({@code 2 5 -> 4 5 -> -}) could never run; with catch-up it fetches and runs. */
    @Test
    void laggardFetchesTheMissingEntriesAndRuns()
    {
        final ScenarioCluster c = noteExample(4, EnumSet.noneOf(ProtocolDefect.class));
        c.start(0, 1, 2).runUntil(() -> c.running(0, 1, 2), 3 * SECOND, "all running");
        assertTrue(c.nodes[2].counters().fetchedEntries() >= 2, "member 2 fetched #6 and #7");
        assertEquals(7, c.decidedN(2));
        assertTrue(c.identical(0, 1, 2));
    }

    /**
     * §9.1: member 0 acknowledged #6 (it heard member 1's report) and died before anyone heard its g. Members 1 and
     * 2 boot: the note's rule picks 5 and unrolls the acknowledged #6; the largest (lastNormalEpoch, have) keeps it.
     */
    @Test
    void acknowledgedEntryHeldByTheSecondHighestSurvivesTheCut()
    {
        final ScenarioCluster c = noteExample(6, EnumSet.noneOf(ProtocolDefect.class));
        final long acknowledged = c.chkAt(1, 6);
        c.start(1, 2).runUntil(() -> c.running(1, 2), 3 * SECOND, "members 1 and 2 running");
        assertEquals(6, c.decidedN(1));
        assertEquals(acknowledged, c.chkAt(1, 6));
        assertEquals(acknowledged, c.chkAt(2, 6));
    }

    @Test
    void noteLiteralCutRuleLosesTheAcknowledgedEntry()
    {
        final ScenarioCluster c = noteExample(6, EnumSet.of(ProtocolDefect.LITERAL_CUT_RULE));
        final long acknowledged = c.chkAt(1, 6);
        c.start(1, 2).runUntil(() -> c.running(1, 2), 3 * SECOND, "members 1 and 2 running");
        assertEquals(5, c.decidedN(1), "the highest have held by a majority of those present");
        assertNotEquals(acknowledged, c.chkAt(1, 6), "the acknowledged #6 is gone");
    }

    /**
     * §9.2: member 0 can hear member 1 but not member 2, and member 2 member 1 but not member 0. Nodes deciding
     * alone pick different cuts and write different entries at one position; one coordinator decides once.
     */
    @Test
    void oneCoordinatorDecidesEachEpochOnceWhateverEachNodeHears()
    {
        final ScenarioCluster c = noteExample(4, EnumSet.noneOf(ProtocolDefect.class));
        c.cutSilently(0, 2, true);
        // which pair runs turns on who decides first (a step of 10 us moves it); that only one order comes of it is
        // what the checker's I1/I2 hold to, here and once the cut heals
        c.start(0, 1, 2).runUntil(() -> c.running(1, 2) || c.running(0, 1), 3 * SECOND, "a pair running");
        c.runFor(SECOND / 10);
        c.cutSilently(0, 2, false);
        c.nodes[0].onMemberAvailable(c.cluster.memberId(2));
        c.nodes[2].onMemberAvailable(c.cluster.memberId(0));
        c.runUntil(() -> c.running(0, 1, 2) && c.identical(0, 1, 2), 5 * SECOND, "all three running");
    }

    @Test
    void withoutACoordinatorTheLogsDiverge()
    {
        final ScenarioCluster c = noteExample(4, EnumSet.of(ProtocolDefect.NO_COORDINATOR));
        c.cutSilently(0, 2, true);
        final AssertionError caught = assertThrows(AssertionError.class,
            () -> c.start(0, 1, 2).runUntil(() -> false, 3 * SECOND, "divergence"));
        assertTrue(caught.getMessage().startsWith("I2:") || caught.getMessage().startsWith("I1:"),
            caught.getMessage());
    }

    /**
     * §9.3: member 2 wrote X at #6 in epoch 1, never durable; members 0 and 1 wrote EpochStart(2) and Y there. When
     * member 2 returns, its #6 does not match (epoch and chk differ), so it is unrolled, not counted.
     */
    @Test
    void divergentEntryOfAnOldEpochIsUnrolledNotCounted()
    {
        final ScenarioCluster c = ScenarioCluster.memberTwoDivergesAtSix();
        final long y = c.chkAt(0, 7);

        c.start(0, 1, 2).runUntil(() -> c.running(0, 1, 2), 3 * SECOND, "all running");
        assertTrue(c.identical(0, 1, 2));
        assertEquals(y, c.chkAt(2, 7), "member 2 now holds Y");
        assertEquals(EntryType.EPOCH_START, c.entry(2, 6).type(), "and EpochStart(2) where X was");
        assertTrue(c.nodes[2].counters().unrolls() >= 1, "X was unrolled");
    }

    /**
     * §9.4 (Raft's figure 8): member 1 holds a longer log of the older epoch 2; members 0 and 2 ran epoch 3, whose
     * #7 was acknowledged on them. Member 2 is gone. The base is (lastNormalEpoch, have) = member 0's, not the
     * longer one.
     */
    private static ScenarioCluster figureEight(final EnumSet<ProtocolDefect> defects)
    {
        final ScenarioCluster c = new ScenarioCluster(3, defects);
        c.epochStart(1, ALL, 0, 1, 2);
        for (int k = 1; k <= 4; k++)
        {
            c.event(1, k, k % 3, k, 0, 1, 2);
        }
        c.epochStart(2, 0b011, 1);                // #6: epoch 2 started on member 1 alone, never durable
        c.event(2, 1, 1, 20, 1).event(2, 2, 1, 21, 1).event(2, 3, 1, 22, 1);
        c.epochStart(3, 0b101, 0, 2);             // #6: epoch 3 on members 0 and 2
        c.event(3, 1, 0, 30, 0, 2);              // #7: acknowledged
        c.persisted(0, 3, 7).persisted(1, 2, 5).persisted(2, 3, 7);
        return c;
    }

    @Test
    void newerEpochOutranksALongerOlderLog()
    {
        final ScenarioCluster c = figureEight(EnumSet.noneOf(ProtocolDefect.class));
        final long acknowledged = c.chkAt(0, 7);
        c.start(0, 1).runUntil(() -> c.running(0, 1), 3 * SECOND, "members 0 and 1 running");
        assertEquals(7, c.decidedN(0));
        assertEquals(acknowledged, c.chkAt(1, 7), "member 1 gave up its epoch-2 tail for epoch 3's #7");
    }

    @Test
    void baseByHaveAloneLosesTheNewerEpoch()
    {
        final ScenarioCluster c = figureEight(EnumSet.of(ProtocolDefect.BASE_BY_HAVE_ONLY));
        final AssertionError caught = assertThrows(AssertionError.class,
            () -> c.start(0, 1).runUntil(() -> c.running(0, 1), 3 * SECOND, "members 0 and 1 running"));
        assertTrue(caught.getMessage().startsWith("I6: member 0 cut its log to 5, below its g=7"),
            "the longer, older log won and member 0 unrolled the acknowledged #6 and #7: " + caught.getMessage());
    }

    /** A cluster created from nothing and brought to running. */
    private static ScenarioCluster fresh(final int size)
    {
        final ScenarioCluster c = new ScenarioCluster(size);
        final int[] all = new int[size];
        for (int i = 0; i < size; i++)
        {
            all[i] = i;
        }
        return c.start(all).runUntil(() -> c.running(all), SECOND, "running");
    }

    /**
     * §9.5: member 2 dies and its last NewEvent reaches member 0 only. If each survivor dropped it and carried on,
     * their logs would diverge; the epoch change gives them one log.
     */
    @Test
    void dyingPublishersTailReachingOneSurvivorDoesNotSplitTheLog()
    {
        final ScenarioCluster c = fresh(3);
        for (int k = 0; k < 5; k++)
        {
            assertEquals(SubmitStatus.ACCEPTED, c.submit(k % 3));
        }
        c.runUntil(() -> c.checker.allAcked(), SECOND, "first events acknowledged");

        c.cutSilently(2, 1, true);
        assertEquals(SubmitStatus.ACCEPTED, c.submit(2));
        c.runFor(3 * ScenarioCluster.STEP_NS); // reaches member 0, not member 1
        c.crash(2);
        c.cutSilently(2, 1, false);
        assertEquals(SubmitStatus.ACCEPTED, c.submit(0));
        c.runUntil(() -> c.running(0, 1) && c.checker.allAcked(), SECOND, "survivors acknowledge again");
        assertTrue(c.identical(0, 1), "one log on both survivors");
        assertTrue(c.nodes[0].currentEpoch() > 1, "through an epoch change");
    }

    /**
     * §9.6: a restarted member's clock starts over. Keys carry the epoch and every epoch starts from clean state, so
     * its low counters order consistently with the others' high ones.
     */
    @Test
    void restartedMembersClockStartsOverInANewEpoch()
    {
        final ScenarioCluster c = fresh(3);
        for (int k = 0; k < 30; k++)
        {
            c.submit(k % 3);
            c.runFor(ScenarioCluster.STEP_NS);
        }
        c.runUntil(() -> c.checker.allAcked(), SECOND, "acknowledged");
        final long epochBefore = c.nodes[0].currentEpoch();

        c.crash(2).runFor(SECOND / 10).start(2);
        c.runUntil(() -> c.running(0, 1, 2), 2 * SECOND, "member 2 back");
        for (int k = 0; k < 9; k++)
        {
            assertEquals(SubmitStatus.ACCEPTED, c.submit(2 - k % 3));
        }
        c.runUntil(() -> c.checker.allAcked() && c.identical(0, 1, 2), SECOND, "all acknowledged, one log");
        assertTrue(c.nodes[0].currentEpoch() > epochBefore, "a new epoch, with every clock started over");
    }

    /** §9.7: with two members, a lone survivor acknowledges nothing; with its peer back, everything. */
    @Test
    void loneSurvivorOfTwoAcknowledgesNothing()
    {
        final ScenarioCluster c = fresh(2);
        c.crash(1);
        c.runUntil(() -> c.nodes[0].mode() == NodeMode.BOOT, SECOND, "member 0 notices");
        c.runFor(SECOND);
        assertEquals(SubmitStatus.NOT_RUNNING, c.submit(0), "no quorum, no submits");
        assertEquals(0, c.acknowledged[0].size());

        c.start(1).runUntil(() -> c.running(0, 1), 3 * SECOND, "both running");
        assertEquals(SubmitStatus.ACCEPTED, c.submit(0));
        c.runUntil(() -> c.checker.allAcked(), SECOND, "acknowledged with the peer back");
        assertEquals(1, c.acknowledged[0].size());
    }

    /** §9.7: a single member is its own quorum. */
    @Test
    void singleMemberAcknowledgesAlone()
    {
        final ScenarioCluster c = fresh(1);
        assertEquals(SubmitStatus.ACCEPTED, c.submit(0));
        c.runUntil(() -> c.checker.allAcked(), SECOND, "acknowledged");
        assertEquals(2, c.acknowledged[0].get(0), "right after EpochStart(1)");
    }
}
